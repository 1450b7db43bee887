import type pg from 'pg';
import { pgErrorOf } from '../connection/pg-error.js';
import { quoteIdentifier, quoteLiteral } from '../identifiers.js';
import type { BlockerWatch } from '../lock-retries/blockers.js';
import type { Journal } from '../journal/journal.js';
import type { LockRetryEvent } from '../lock-retries/retry.js';
import type { LockRetries } from '../lock-retries/schedule.js';

/** What the runner needs: a connection (holding the runner lock), the journal, the session's starting state. */
export interface RunContext {
  client: pg.ClientBase;
  /** Where the run is recorded; undefined for SQL that is not a migration (seeds). */
  journal?: Journal | undefined;
  /** How to put the session back to its starting state after each migration. */
  baseline: SessionBaseline;
  /** Reports things the user should know that are not errors. */
  warn?: (message: string) => void;
  /**
   * Aborted on SIGINT/SIGTERM. The caller also cancels the statement in flight; this signal
   * catches what a cancel cannot: an abort landing between two statements of a no-transaction
   * migration (it stops before the next one).
   */
  signal?: AbortSignal | undefined;
  /**
   * Lock retries: each migration runs with a short lock_timeout and is retried on this schedule
   * when it cannot get a lock in time. Undefined or 'off': no lock_timeout of ours, no retries.
   */
  lockRetries?: LockRetries | undefined;
  /** Told before each retry (the CLI prints one line naming the blocking session). */
  onLockRetry?: ((event: LockRetryEvent) => void) | undefined;
  /**
   * Names the sessions a lock wait is behind, from a second connection opened on first need.
   * Kept by the caller across a run of migrations (and closed by it), so that connection is
   * opened once per run, not once per migration that runs longer than half its lock_timeout;
   * without it, each migration opens and closes its own.
   */
  blockerWatch?: BlockerWatch | undefined;
}

/**
 * Every migration and every journal write starts from the session state the connection started
 * with: a `SET` (or `SET ROLE`) in one migration must not reach the next one, nor the journal
 * write; a temporary table must not capture the next migration's INSERT; a PREPARE, a cursor, a
 * LISTEN or an advisory lock must not outlive the migration that made it. pg_dump output begins
 * with `set_config('search_path', '', false)`, and a migration that created a schema and put it
 * first on the path would otherwise decide where the next migration's tables go — so one `up`
 * and a step-by-step `up --to` would build different databases.
 *
 * The reset is one list of statements that all run inside a transaction block, so a
 * transactional migration carries it in its own message (no round trip of its own; DISCARD ALL
 * cannot run in a transaction block); a no-transaction migration sends it as one message before
 * its journal write. RESET restores what the connection began with: parameters from the URL,
 * PGOPTIONS, and the role's and database's defaults are the reset values, only `SET`s are undone.
 * A connection handed in by an API caller may carry state of its own: its SETs are captured once
 * and put back, and only what a migration added is dropped (see the end of this file).
 */

/** The statements that put the session back to its state at the start of the command. */
export interface SessionBaseline {
  /** Back to the starting user and role; runs before the journal write, so it is written as them. */
  identity: string[];
  /**
   * Drops what a migration left in the session besides settings: cursors, LISTEN, prepared
   * statements, temporary tables, sequence caches (its advisory locks go with `settings`). Runs
   * before the journal write. Empty for a caller's connection, whose own objects must stay (see `caller`).
   */
  objects: string[];
  /**
   * Back to the starting parameters, and the migration's advisory locks released; runs after the
   * journal write (RESET ALL also clears its guard).
   */
  settings: string[];
  /** A caller's connection: what it held when handed in, so that only a migration's additions are dropped. */
  caller?: CallerState | undefined;
}

/**
 * How long the server lets a statement run after our client is gone (PostgreSQL 14+): a runner
 * killed mid-migration (SIGKILL, out of memory) has its transaction rolled back and its backend
 * ended within this, instead of the server running the message to its COMMIT. Set with
 * set_config after RESET ALL (which would clear it) and only where the parameter exists.
 */
const CONNECTION_CHECK_MS = 1000;
const CONNECTION_CHECK = `CASE WHEN pg_catalog.current_setting('server_version_num')::int >= 140000 THEN pg_catalog.set_config('client_connection_check_interval', '${CONNECTION_CHECK_MS}', false) END`;

const IDENTITY = ['RESET SESSION AUTHORIZATION', 'RESET ROLE'];
/** Everything DISCARD ALL drops but settings, advisory locks and the plan cache, in statements a transaction block accepts. */
const OBJECTS = ['CLOSE ALL', 'UNLISTEN *', 'DEALLOCATE ALL', 'DISCARD TEMP', 'DISCARD SEQUENCES'];
const UNLOCK_ALL = 'pg_catalog.pg_advisory_unlock_all()';

/** For a connection with nothing of its own to keep and nothing set before we started (verify's scratch database). */
export const FRESH_SESSION: SessionBaseline = {
  identity: IDENTITY,
  objects: OBJECTS,
  settings: ['RESET ALL', `SELECT ${UNLOCK_ALL}`],
};

/** How the session that runs migrations was opened. */
export interface OwnSessionOptions {
  /**
   * The runner lock lives on another connection: the migration's advisory locks can all be
   * released (PGlite's single session holds the runner lock itself: its locks are left alone).
   */
  lockElsewhere: boolean;
  /** The shared lock the working session holds for the run (see runner-lock.ts), taken again after each release. */
  workKey?: bigint | undefined;
  /** A server connection (not PGlite): ask it to notice a client that died. */
  checkConnection: boolean;
}

/**
 * The baseline of a connection we opened ourselves.
 */
export function ownSessionBaseline(options: OwnSessionOptions): SessionBaseline {
  // One SELECT after RESET ALL (a statement per migration counts on the 300-migration benchmark):
  // the migration's advisory locks released, the run's shared lock taken again, the check set again.
  const calls = [
    ...(options.lockElsewhere ? [UNLOCK_ALL] : []),
    ...(options.lockElsewhere && options.workKey !== undefined ? [`pg_catalog.pg_advisory_lock_shared(${options.workKey})`] : []),
    ...(options.checkConnection ? [CONNECTION_CHECK] : []),
  ];
  return { identity: IDENTITY, objects: OBJECTS, settings: ['RESET ALL', ...(calls.length > 0 ? [`SELECT ${calls.join(', ')}`] : [])] };
}

/**
 * The whole reset as one text (several statements, no parameters), for a session outside a
 * transaction: before a no-transaction migration's journal write, after a failed attempt.
 */
function restoreSql(baseline: SessionBaseline): string {
  // Settings first: a statement_timeout the migration set must not cut the rest of the reset short.
  return [...baseline.settings, ...baseline.identity, ...baseline.objects].join(';\n');
}

interface SettingRow {
  name: string | null;
  value: string | null;
  current_user: string;
  session_user: string;
}

/**
 * Reads what a caller's connection had SET (parameters and role) so that restoring the state
 * after each migration keeps them, and the objects it holds (see the end of this file).
 */
export async function captureSessionBaseline(client: pg.ClientBase): Promise<SessionBaseline> {
  const { rows } = await client.query<SettingRow>(
    `SELECT s.name, pg_catalog.current_setting(s.name) AS value, CURRENT_USER::text AS current_user, SESSION_USER::text AS session_user
       FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_settings s ON s.source = 'session'`,
  );
  const identity = [...IDENTITY];
  const first = rows[0];
  if (first && first.current_user !== first.session_user) identity.push(`SET ROLE ${quoteIdentifier(first.current_user)}`);
  const settings = ['RESET ALL'];
  const calls = rows.flatMap((row) =>
    row.name === null || row.value === null ? [] : [`pg_catalog.set_config(${quoteLiteral(row.name)}, ${quoteLiteral(row.value)}, false)`],
  );
  if (calls.length > 0) settings.push(`SELECT ${calls.join(', ')}`);
  return { identity, objects: [], settings, caller: await captureCallerState(client) };
}

/**
 * Puts a session outside a transaction block back to its starting state: before a
 * no-transaction migration's journal write, after a failed attempt.
 */
export async function resetSession(client: pg.ClientBase, baseline: SessionBaseline): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await client.query(restoreSql(baseline));
      break;
    } catch (error) {
      // A tiny statement_timeout the file SET (1 ms) can cancel the RESET ALL that would lift it,
      // on a busy machine; nothing of the reset ran then, so running it again is safe.
      if (pgErrorOf(error)?.code !== QUERY_CANCELED || attempt >= RESET_ATTEMPTS) throw error;
    }
  }
  await afterCommit(client, baseline);
}

/** SQLSTATE query_canceled: statement_timeout (or a cancel request). */
const QUERY_CANCELED = '57014';
const RESET_ATTEMPTS = 5;

/**
 * What a transactional migration's own message cannot reset: a caller's connection has what the
 * migration added dropped (our own connections were reset inside the message).
 */
export async function afterCommit(client: pg.ClientBase, baseline: SessionBaseline): Promise<void> {
  if (baseline.caller) await dropCallerAdditions(client, baseline.caller);
}

/**
 * A connection handed in by an API caller is theirs: its prepared statements (pg names some
 * itself), cursors, LISTENs, temporary tables and advisory locks must survive the run, so the
 * blanket reset our own connections get (DEALLOCATE ALL, DISCARD TEMP, ...) would break it.
 * Instead, what it holds is noted when it is handed in, and after each migration only what the
 * migration added is dropped: two round trips, paid by such callers only.
 */

/** What an API caller's connection held when it was handed in. */
export interface CallerState {
  prepared: string[];
  cursors: string[];
  channels: string[];
  /** Temporary relations, by oid. */
  tempRelations: string[];
  /** Advisory locks, as `mode:classid:objid:objsubid`. */
  advisoryLocks: string[];
}

const ADVISORY_LOCKS = `SELECT l.mode, l.classid, l.objid, l.objsubid, concat_ws(':', l.mode, l.classid, l.objid, l.objsubid) AS id
  FROM pg_catalog.pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = pg_catalog.pg_backend_pid()`;
const TEMP_RELATIONS = `SELECT c.oid::text AS id, c.relname, c.relkind FROM pg_catalog.pg_class c
 WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`;

const STATE_SQL = `SELECT
  ARRAY(SELECT name FROM pg_catalog.pg_prepared_statements WHERE from_sql) AS prepared,
  ARRAY(SELECT name FROM pg_catalog.pg_cursors WHERE name <> '') AS cursors,
  ARRAY(SELECT pg_catalog.pg_listening_channels()) AS channels,
  ARRAY(SELECT id FROM (${TEMP_RELATIONS}) t) AS temp_relations,
  ARRAY(SELECT id FROM (${ADVISORY_LOCKS}) l) AS advisory_locks`;

/** A signed int4 from an oid (the halves of a two-key advisory lock). */
const int4 = (column: string): string => `(${column}::bigint - CASE WHEN ${column}::bigint >= 2147483648 THEN 4294967296 ELSE 0 END)::int`;

const ADDITIONS_SQL = `SELECT ARRAY(
  SELECT 'DEALLOCATE ' || pg_catalog.quote_ident(name) FROM pg_catalog.pg_prepared_statements WHERE from_sql AND name <> ALL ($1::text[])
  UNION ALL
  SELECT 'CLOSE ' || pg_catalog.quote_ident(name) FROM pg_catalog.pg_cursors WHERE name <> '' AND name <> ALL ($2::text[])
  UNION ALL
  SELECT 'UNLISTEN ' || pg_catalog.quote_ident(channel) FROM pg_catalog.pg_listening_channels() AS channel WHERE channel <> ALL ($3::text[])
  UNION ALL
  SELECT pg_catalog.format('DROP %s IF EXISTS pg_temp.%I CASCADE',
           CASE relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, relname)
    FROM (${TEMP_RELATIONS}) t WHERE id <> ALL ($4::text[])
  UNION ALL
  SELECT pg_catalog.format('SELECT pg_catalog.pg_advisory_unlock%s(%s)', CASE WHEN mode = 'ShareLock' THEN '_shared' ELSE '' END,
           CASE WHEN objsubid = 1 THEN ((classid::bigint << 32) | objid::bigint)::text
                ELSE ${int4('classid')} || ', ' || ${int4('objid')} END)
    FROM (${ADVISORY_LOCKS}) l WHERE id <> ALL ($5::text[])
) AS statements`;

/**
 * Notes what the caller's connection holds now.
 */
export async function captureCallerState(client: pg.ClientBase): Promise<CallerState> {
  const { rows } = await client.query<{
    prepared: string[];
    cursors: string[];
    channels: string[];
    temp_relations: string[];
    advisory_locks: string[];
  }>(STATE_SQL);
  const row = rows[0];
  return {
    prepared: row?.prepared ?? [],
    cursors: row?.cursors ?? [],
    channels: row?.channels ?? [],
    tempRelations: row?.temp_relations ?? [],
    advisoryLocks: row?.advisory_locks ?? [],
  };
}

/**
 * Drops what a migration added to the caller's connection since {@link captureCallerState}.
 * Outside a transaction block.
 */
export async function dropCallerAdditions(client: pg.ClientBase, state: CallerState): Promise<void> {
  const { rows } = await client.query<{ statements: string[] }>(ADDITIONS_SQL, [
    state.prepared,
    state.cursors,
    state.channels,
    state.tempRelations,
    state.advisoryLocks,
  ]);
  const statements = rows[0]?.statements ?? [];
  if (statements.length > 0) await client.query(statements.join(';\n'));
}
