import type pg from 'pg';
import { InterruptedError, LockTimeoutError, signalOf } from '../errors.js';

/** Who holds the runner lock, from pg_locks joined with pg_stat_activity. */
export interface LockHolder {
  pid: number;
  applicationName: string;
  clientAddress: string | null;
  /** When the holder's session connected (pg_stat_activity.backend_start; PostgreSQL does not
   * record when a lock was granted). Null when our role may not see it. */
  since: Date | null;
}

/** Options of {@link acquireRunnerLock}. */
export interface LockOptions {
  /** Give up after this many seconds (exit 4). `undefined`: wait as long as it takes. */
  timeoutSeconds?: number | undefined;
  /** Called when we start waiting, and every 30 s while we wait. */
  onWait?: (holder: LockHolder | undefined, waitedMs: number) => void;
  signal?: AbortSignal | undefined;
  /** Called at every poll; throws to stop waiting (the command's other connection died meanwhile). */
  check?: (() => void) | undefined;
}

const PROGRESS_EVERY_MS = 30_000;

/**
 * Takes the session-level advisory lock `key` on this connection, waiting (polling
 * `pg_try_advisory_lock`, so progress can be reported) until it is free or the timeout runs
 * out. The lock belongs to the connection: it is released when the connection ends, so a
 * killed runner never leaves it behind.
 */
export async function acquireRunnerLock(client: pg.ClientBase, key: bigint, options: LockOptions = {}): Promise<void> {
  const started = Date.now();
  const deadline = options.timeoutSeconds === undefined ? Infinity : started + options.timeoutSeconds * 1000;
  let pollMs = 10;
  let nextProgress = 0;
  for (;;) {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [key.toString()]);
    if (rows[0]?.locked) return;
    if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));
    options.check?.();
    const now = Date.now();
    if (now >= deadline) {
      const holder = await findLockHolder(client, key);
      throw new LockTimeoutError(`runner lock not obtained within ${options.timeoutSeconds}s: held by ${describeHolder(holder)}`);
    }
    if (now >= nextProgress && options.onWait) {
      options.onWait(await findLockHolder(client, key), now - started);
      nextProgress = now + PROGRESS_EVERY_MS;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(pollMs, Math.max(1, deadline - Date.now()))));
    pollMs = Math.min(pollMs * 2, 250);
  }
}

/**
 * The key of the lock a runner's working session holds (shared) for the whole run, beside the
 * runner lock on its own connection. A runner that died leaves its working session running
 * until the server notices (client_connection_check_interval): the next runner, once it has the
 * runner lock, takes this one exclusively, so it waits until that session has rolled back and
 * gone before reading the journal.
 */
export function workKeyOf(lockKey: bigint): bigint {
  return BigInt.asIntN(64, lockKey ^ 0x2b7e151628aed2a6n);
}

/** Releases the lock taken by {@link acquireRunnerLock}; harmless when not held. */
export async function releaseRunnerLock(client: pg.ClientBase, key: bigint): Promise<void> {
  await client.query('SELECT pg_advisory_unlock($1::bigint)', [key.toString()]);
}

/**
 * Finds the session holding the advisory lock `key` (classid/objid are the key's two 32-bit
 * halves; objsubid 1 marks a bigint key). Advisory locks are per database, but pg_locks shows
 * the whole server: runners of other databases hold the same key, so filter on ours.
 */
async function findLockHolder(client: pg.ClientBase, key: bigint): Promise<LockHolder | undefined> {
  const unsigned = BigInt.asUintN(64, key);
  const high = (unsigned >> 32n).toString();
  const low = (unsigned & 0xffffffffn).toString();
  const { rows } = await client.query<{ pid: number; application_name: string; client_addr: string | null; since: Date | null }>(
    `SELECT a.pid, a.application_name, host(a.client_addr) AS client_addr, a.backend_start AS since
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
        AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND l.classid = $1::bigint::oid AND l.objid = $2::bigint::oid
      LIMIT 1`,
    [high, low],
  );
  const row = rows[0];
  return row ? { pid: row.pid, applicationName: row.application_name, clientAddress: row.client_addr, since: row.since } : undefined;
}

/**
 * One-line description of a lock holder.
 */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return 'another session (it may have just released it)';
  const from = holder.clientAddress ? `, from ${holder.clientAddress}` : '';
  const since = holder.since ? ` connected since ${holder.since.toISOString()}` : '';
  return `pid ${holder.pid} (${holder.applicationName || 'unknown application'}${from})${since}`;
}
