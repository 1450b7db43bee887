import pg from 'pg';
import { maskPassword } from '../redact.js';
import { formatDuration } from './schedule.js';

/**
 * Who keeps a migration from its lock: the sessions `pg_blocking_pids` names for our backend,
 * read from `pg_stat_activity`. They can only be seen while our statement waits, and our
 * connection is busy waiting, so a second connection looks (opened only when a migration runs
 * long enough to be waiting, and kept for the rest of that migration; to the maintenance
 * database `postgres` when it may, since pg_blocking_pids and pg_stat_activity see the whole
 * server).
 */

/** A session holding (or queued ahead for) a lock our statement waits for. */
export interface Blocker {
  pid: number;
  applicationName: string;
  user: string | null;
  /** `active`, `idle in transaction`, ...; null when our role may not see it. */
  state: string | null;
  /** How long its transaction has been open, in ms (null: none, or not visible). */
  transactionMs: number | null;
  /** The start of its current (or last) query, passwords masked (redact.ts); null when not visible. */
  query: string | null;
}

interface BlockerRow {
  pid: number;
  application_name: string | null;
  user_name: string | null;
  state: string | null;
  transaction_ms: number | null;
  query: string | null;
}

const BLOCKERS_SQL = `SELECT a.pid, a.application_name, a.usename::text AS user_name, a.state,
       floor(extract(epoch FROM pg_catalog.clock_timestamp() - a.xact_start) * 1000)::float8 AS transaction_ms,
       left(a.query, 300) AS query
  FROM pg_catalog.pg_stat_activity a
 WHERE a.pid = ANY (pg_catalog.pg_blocking_pids(%PID%))
 ORDER BY a.xact_start NULLS LAST, a.pid`;

/** Clients whose "second connection" turned out to be the same session (the embedded database multiplexes one). */
const withoutSecondSession = new WeakSet<object>();

/** Application name of the watching connection, so a DBA can tell it from the runner. */
const WATCH_APPLICATION_NAME = 'aeturnis-db lock watch';
/** Where the watching connection goes first (see {@link BlockerWatch}). */
const MAINTENANCE_DATABASE = 'postgres';
/** How long stopping a watch waits for a probe still in flight. */
const PROBE_GRACE_MS = 500;

/** A watch over one attempt: `stop()` ends it and returns the blockers last seen. */
export interface AttemptWatch {
  stop(): Promise<Blocker[]>;
}

/**
 * Looks for the sessions blocking `client` while an attempt runs: every half lock timeout
 * (so at least once while a lock wait that times out lasts), from a second connection opened
 * on first use with the same server, user and TLS settings. Best effort: when that connection
 * cannot be opened, no blocker is named.
 */
export class BlockerWatch {
  private side: Promise<pg.Client | undefined> | undefined;
  constructor(private readonly client: pg.ClientBase) {}

  watch(lockTimeoutMs: number): AttemptWatch {
    const pid = (this.client as unknown as { processID?: number | null }).processID;
    if (!Number.isSafeInteger(pid) || withoutSecondSession.has(this.client)) return { stop: async () => [] };
    const intervalMs = Math.max(10, Math.floor(lockTimeoutMs / 2));
    let seen: Blocker[] = [];
    let stopped = false;
    let inFlight: Promise<void> | undefined;
    let timer: NodeJS.Timeout;
    const tick = (): void => {
      inFlight = this.probe(pid as number).then((found) => {
        if (found.length > 0) seen = found;
        inFlight = undefined;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
    };
    timer = setTimeout(tick, intervalMs);
    return {
      async stop() {
        stopped = true;
        clearTimeout(timer);
        if (inFlight) await Promise.race([inFlight, new Promise((resolve) => setTimeout(resolve, PROBE_GRACE_MS))]);
        return seen;
      },
    };
  }

  /** Closes the second connection, if one was opened. */
  async close(): Promise<void> {
    const side = await this.side;
    this.side = undefined;
    await side?.end().catch(() => {});
  }

  private async probe(pid: number): Promise<Blocker[]> {
    this.side ??= this.open();
    const side = await this.side;
    if (!side) return [];
    try {
      // Simple protocol, no parameters (pid is an integer): one message per probe.
      const { rows } = await side.query<BlockerRow>(BLOCKERS_SQL.replace('%PID%', String(pid)));
      return rows.map(toBlocker);
    } catch {
      return [];
    }
  }

  /**
   * Opens the watching connection to the maintenance database `postgres` when it may: the views
   * it reads are server-wide, and a session in the migrated database would be one more for a
   * CREATE INDEX CONCURRENTLY to wait for, and for the application's monitoring to see. Falls
   * back to the migrated database.
   */
  private async open(): Promise<pg.Client | undefined> {
    const main = this.client as pg.ClientBase & Partial<Pick<pg.Client, 'host' | 'port' | 'user' | 'database' | 'password' | 'ssl'>>;
    const databases = [...new Set([MAINTENANCE_DATABASE, main.database])];
    for (const database of databases) {
      const side = new pg.Client({
        host: main.host,
        port: main.port,
        user: main.user,
        database,
        password: main.password,
        ssl: main.ssl,
        application_name: WATCH_APPLICATION_NAME,
        connectionTimeoutMillis: 3000,
      });
      side.on('error', () => {}); // a dropped watch connection only means no blocker is named
      try {
        await side.connect();
        if (await sameSession(side, main)) {
          withoutSecondSession.add(this.client);
          await side.end();
          return undefined;
        }
        return side;
      } catch {
        await side.end().catch(() => {});
      }
    }
    return undefined;
  }
}

/** True when `side` reached the very session of `main` (PGlite behind pglite-socket has only one). */
async function sameSession(side: pg.Client, main: pg.ClientBase): Promise<boolean> {
  const { rows } = await side.query<{ pid: number }>('SELECT pg_catalog.pg_backend_pid() AS pid');
  return rows[0]?.pid === (main as unknown as { processID?: number | null }).processID;
}

function toBlocker(row: BlockerRow): Blocker {
  return {
    pid: row.pid,
    applicationName: row.application_name ?? '',
    user: row.user_name,
    state: row.state,
    transactionMs: row.transaction_ms,
    query: row.query === null ? null : maskPassword(row.query),
  };
}

/**
 * One line naming the blockers: the longest-open first, with its application, user, state,
 * transaction age and the start of its query (passwords masked).
 */
export function describeBlockers(blockers: readonly Blocker[]): string {
  const [first, ...others] = blockers;
  if (!first) return 'a session not seen (it let go before it could be looked up)';
  const details = [
    first.applicationName || 'no application name',
    ...(first.user ? [`user ${first.user}`] : []),
    ...(first.state ? [first.state] : []),
  ];
  const open = first.transactionMs !== null ? `, transaction open ${formatDuration(first.transactionMs)}` : '';
  const query = first.query ? `: ${queryStart(first.query)}` : '';
  const more = others.length > 0 ? ` and ${others.length} more (pid ${others.map((b) => b.pid).join(', ')})` : '';
  return `pid ${first.pid} (${details.join(', ')}${open}${query})${more}`;
}

/**
 * The first 60 characters of a query on one line, with any string after PASSWORD masked.
 */
export function queryStart(query: string): string {
  const oneLine = maskPassword(query).replace(/\s+/g, ' ').trim();
  return oneLine.length > 60 ? `${oneLine.slice(0, 59)}…` : oneLine;
}
