import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { collect, startCli, type CliOptions, type CliResult } from './cli.js';
import { adminQuery, type TestDatabase } from './db.js';

/** A CLI process whose output can be watched while it runs. */
export interface WatchedCli {
  child: ChildProcess;
  /** Output so far. */
  live: { stdout: string; stderr: string };
  done: Promise<CliResult>;
}

/**
 * Starts the built CLI as its own process and keeps its output readable while it runs.
 *
 * @example
 * const runner = watchCli(['up'], { cwd: project.dir, databaseUrl: db.url });
 * await waitFor(async () => runner.live.stdout.includes('Waiting'), 'the waiting line');
 */
export function watchCli(args: string[], options: CliOptions = {}): WatchedCli {
  const child = startCli(args, options);
  const live = { stdout: '', stderr: '' };
  const done = collect(child, options.timeoutMs ?? 60_000);
  // collect() set the encoding, so these listeners see strings too.
  child.stdout?.on('data', (chunk: string) => (live.stdout += chunk));
  child.stderr?.on('data', (chunk: string) => (live.stderr += chunk));
  return { child, live, done };
}

/**
 * Polls `probe` every 50 ms until it returns something other than undefined/false/null, and
 * returns that. Fails with `what` after `timeoutMs` (a hang, never a speed assertion).
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * {@link waitFor}, but fails at once (showing their output) if one of `runners` exits first,
 * instead of timing out on a state that can no longer come.
 */
export async function waitWhileRunning<T>(
  runners: WatchedCli[],
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  return waitFor(
    async () => {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
      const exited = runners.find((runner) => runner.child.exitCode !== null || runner.child.signalCode !== null);
      if (exited) {
        throw new Error(
          `a runner exited (${exited.child.exitCode ?? exited.child.signalCode}) while waiting for ${what}\nstdout: ${exited.live.stdout}\nstderr: ${exited.live.stderr}`,
        );
      }
      return value;
    },
    what,
    timeoutMs,
  );
}

/** A backend of the test database, as pg_stat_activity shows it. */
export interface Backend {
  pid: number;
  application_name: string;
  state: string | null;
  query: string;
  wait_event_type: string | null;
}

/** Sessions of aeturnis-db (by application_name) connected to the test database. */
export async function runnerBackends(db: TestDatabase): Promise<Backend[]> {
  return db.query<Backend & Record<string, unknown>>(
    `SELECT pid, application_name, state, query, wait_event_type FROM pg_stat_activity
      WHERE datname = $1 AND application_name = 'aeturnis-db' AND pid <> pg_backend_pid()`,
    [db.name],
  );
}

/** The session holding the runner lock (exclusive advisory locks) in the test database: a runner's lock connection. */
export async function runnerLockHolders(db: TestDatabase): Promise<number[]> {
  const rows = await db.query<{ pid: number }>(
    `SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND l.mode = 'ExclusiveLock' AND d.datname = $1 ORDER BY l.pid`,
    [db.name],
  );
  return rows.map((row) => row.pid);
}

/** Every session connected to the test database except the one asking. */
export async function allBackends(db: TestDatabase): Promise<Backend[]> {
  return db.query<Backend & Record<string, unknown>>(
    `SELECT pid, application_name, state, query, wait_event_type FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
    [db.name],
  );
}

/** Advisory locks currently granted in the test database. */
export async function advisoryLocks(db: TestDatabase): Promise<number> {
  const rows = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
      WHERE l.locktype = 'advisory' AND l.granted AND d.datname = $1`,
    [db.name],
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * A lock on table `gate` that the test holds in an open transaction: a migration that reads
 * `gate` blocks, holding the runner lock, until the test calls release().
 */
export interface Gate {
  release(): Promise<void>;
}

export async function closeGate(db: TestDatabase): Promise<Gate> {
  const client = new pg.Client({ connectionString: db.url, application_name: 'runner-safety-test' });
  await client.connect();
  await client.query('CREATE TABLE IF NOT EXISTS gate (id int)');
  await client.query('BEGIN');
  await client.query('LOCK TABLE gate IN ACCESS EXCLUSIVE MODE');
  let open = false;
  return {
    async release() {
      if (open) return;
      open = true;
      await client.query('COMMIT');
      await client.end();
    },
  };
}

/** A login role of the test server (roles are cluster-wide: unique name, dropped after). */
export interface TestRole {
  name: string;
  /** URL of `db` as this role. */
  url(db: TestDatabase, password?: string): string;
  drop(): Promise<void>;
}

/**
 * Creates a role (not a superuser) with the given attributes, e.g. `LOGIN`, `NOLOGIN PASSWORD 'x'`.
 * Drop the databases it owns objects in before calling drop().
 */
export async function createRole(attributes: string): Promise<TestRole> {
  const name = `aeturnis_rs_${randomBytes(5).toString('hex')}`;
  await adminQuery(`CREATE ROLE ${name} ${attributes}`);
  return {
    name,
    url(db, password) {
      const url = new URL(db.url);
      url.username = name;
      url.password = password ?? '';
      return url.toString();
    },
    async drop() {
      await adminQuery(`DROP ROLE IF EXISTS ${name}`);
    },
  };
}

/** Lines of a CLI stream, without empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
