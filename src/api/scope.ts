import { AeturnisError, ConnectionError, DatabaseError, InterruptedError, signalOf } from '../errors.js';
import { connectionErrorOf } from '../db/connect.js';
import { maskPassword } from '../redact.js';
import { ensureJournal, resolveJournal, type Journal, type ResolveOptions } from '../db/journal.js';
import { acquireRunnerLock, describeHolder, releaseRunnerLock } from '../db/lock.js';
import { errorCode, isNodeErrno, isSqlState } from '../db/pg-error.js';
import { isConnectionLoss } from '../db/run-errors.js';
import { captureSessionBaseline, FRESH_SESSION, type SessionBaseline } from '../db/session-state.js';
import { openSession, type Session } from '../db/session.js';
import type { Emit } from './events.js';
import { journalTable, type CommonOptions } from './options.js';

/**
 * The session scope every command runs in: one connection, its journal resolved once, the
 * session's starting state, and — for commands that change anything — the runner lock held for
 * the whole run. However the work ends, the lock is released, the connection closed, and what
 * escapes is a typed error (src/errors.ts).
 */

/** What every command works with. */
export interface CommandScope {
  session: Session;
  journal: Journal;
  baseline: SessionBaseline;
  emit: Emit;
}

/** Hold the runner lock around the work (commands that change anything, except dry runs). */
export interface RunnerLock {
  /** Create the journal table once the lock is held (default true). */
  createJournal?: boolean;
}

/**
 * Opens the command's session, resolves its journal, holds the runner lock around `work` when
 * `lock` is given, and always releases both, however `work` ends. `extras.resolve` lets `adopt`
 * see another tool's table where the journal should be (every other command refuses it);
 * `extras.whileConnecting` (reading the migration files) runs while the connection is being
 * made; its errors come first, as if it had run before (see openSession).
 *
 * @example
 * return withSession(options, async ({ session, journal }) => readJournal(session.client, journal));
 * let migrations: Migration[] = [];
 * return withSession(options, (scope) => run(scope, migrations), {}, { whileConnecting: () => (migrations = loadMigrations(dir)) });
 */
export async function withSession<T>(
  options: CommonOptions,
  work: (scope: CommandScope) => Promise<T>,
  lock?: RunnerLock,
  extras: { resolve?: ResolveOptions; whileConnecting?: () => void } = {},
): Promise<T> {
  const emit: Emit = options.onEvent ?? (() => {});
  if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));
  const requested = journalTable(options);
  const session = await openSession(options, emit, extras.whileConnecting);
  const onAbort = (): void => {
    void session.cancelRunningQuery();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    // A command that will create nothing refuses a --table schema that does not exist.
    const readOnly = !lock && !extras.resolve?.acceptForeign;
    const journal = await resolveJournal(session.client, requested, { readOnly, ...extras.resolve });
    const baseline = options.connection ? await captureSessionBaseline(session.client) : FRESH_SESSION;
    const scope: CommandScope = { session, journal, baseline, emit };
    if (!lock) return await work(scope);
    return await withRunnerLock(scope, options, lock, () => work(scope));
  } catch (error) {
    // A connection that died while idle fails its next query with a bare "not queryable":
    // report why it died instead.
    const ownReason = isSqlState(errorCode(error));
    const cause = isConnectionLoss(error) && !ownReason ? (connectionErrorOf(session.client) ?? error) : error;
    throw typedError(cause, options.signal);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
}

/** Takes the runner lock of the scope's journal (waiting, with progress), runs `work`, releases it. */
async function withRunnerLock<T>(scope: CommandScope, options: CommonOptions, lock: RunnerLock, work: () => Promise<T>): Promise<T> {
  const { session, journal, emit } = scope;
  await acquireRunnerLock(session.client, journal.lockKey, {
    timeoutSeconds: options.lockTimeoutSeconds,
    signal: options.signal,
    onWait: (holder, waitedMs) => emit({ type: 'lock-wait', holder: describeHolder(holder), waitedMs }),
  });
  try {
    if (lock.createJournal ?? true) await ensureJournal(session.client, journal);
    return await work();
  } finally {
    await releaseRunnerLock(session.client, journal.lockKey).catch(() => {});
  }
}

/**
 * API callers only ever see typed errors: an abort becomes InterruptedError, a stray PostgreSQL
 * error (not from a migration's SQL) DatabaseError (exit 1), a dropped socket ConnectionError
 * (exit 4).
 *
 * @example
 * throw typedError(error, options.signal);
 */
export function typedError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof AeturnisError || error instanceof InterruptedError) return error;
  if (signal?.aborted) return Object.assign(new InterruptedError(signalOf(signal)), { cause: error });
  const code = errorCode(error);
  const message = maskPassword(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
  if (isConnectionLoss(error)) {
    // Terminated by the server (57P01, FATAL) or a closed socket, outside a migration's own SQL.
    const sqlState = isSqlState(code) ? ` (SQLSTATE ${code})` : '';
    return Object.assign(new ConnectionError(`lost the database connection: ${message}${sqlState}`), { cause: error });
  }
  if (isSqlState(code)) return Object.assign(new DatabaseError(message, code), { cause: error });
  if (isNodeErrno(code)) return Object.assign(new ConnectionError(`lost the database connection: ${message}`), { cause: error });
  return error;
}
