import { AeturnisError, ConnectionError, DatabaseError, InterruptedError, signalOf } from '../errors.js';
import { connectionErrorOf } from '../connection/connect.js';
import { maskPassword } from '../redact.js';
import { ensureJournal, resolveJournal, type Journal, type ResolveOptions } from '../journal/journal.js';
import { acquireRunnerLock, describeHolder, releaseRunnerLock, workKeyOf, type LockHolder } from '../run/runner-lock.js';
import { errorCode, isNodeErrno, isSqlState } from '../connection/pg-error.js';
import { isConnectionLoss } from '../run/errors.js';
import { captureSessionBaseline, ownSessionBaseline, resetSession, type SessionBaseline } from '../run/context.js';
import { openSession, sessionConnection, type LockConnection, type Session, type SessionConnection } from '../connection/session.js';
import type { Emit } from './events.js';
import { journalTable, type CommonOptions } from './options.js';

/**
 * The session scope every command runs in: one connection, its journal resolved once, the
 * session's starting state, and — for commands that change anything — the runner lock held for
 * the whole run on a second connection of its own (a migration's SQL cannot reach it). However
 * the work ends, the lock is released, the connections closed, and what escapes is a typed
 * error (src/errors.ts).
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
 * The command's connection settings, resolved once (connection/settings.ts): the value, or the
 * UsageError saying which setting is wrong, kept to be thrown when the session opens (after the
 * migration files' errors, see openSession).
 */
export type CommandConnection = { ok: true; connection: SessionConnection } | { ok: false; error: unknown };

/** Resolves the command's connection settings, once per command (see CommandConnection). */
export function resolveCommandConnection(options: CommonOptions): CommandConnection {
  try {
    return { ok: true, connection: sessionConnection(options) };
  } catch (error) {
    return { ok: false, error };
  }
}

/**
 * Opens the command's session, resolves its journal, holds the runner lock around `work` when
 * `lock` is given, and always releases both, however `work` ends. `extras.resolve` lets `adopt`
 * see another tool's table where the journal should be (every other command refuses it);
 * `extras.whileConnecting` (reading the migration files) runs while the connection is being
 * made; its errors come first, as if it had run before (see openSession). `extras.connection`
 * is the command's resolved connection when it has resolved it already.
 */
export async function withSession<T>(
  options: CommonOptions,
  work: (scope: CommandScope) => Promise<T>,
  lock?: RunnerLock,
  extras: { resolve?: ResolveOptions; whileConnecting?: () => void; connection?: CommandConnection } = {},
): Promise<T> {
  const emit: Emit = options.onEvent ?? (() => {});
  if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));
  const requested = journalTable(options);
  const resolved = extras.connection ?? resolveCommandConnection(options);
  if (!resolved.ok) {
    extras.whileConnecting?.();
    throw resolved.error;
  }
  const session = await openSession(options, emit, extras.whileConnecting, resolved.connection);
  const onAbort = (): void => {
    void session.cancelRunningQuery();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // The lock's own connection is opened while the journal is resolved (one fork, no round trip added).
  const lockConnecting = lock ? session.openLockConnection() : undefined;
  lockConnecting?.catch(() => {});
  try {
    // A command that will create nothing refuses a --table schema that does not exist.
    const readOnly = !lock && !extras.resolve?.acceptForeign;
    const journal = await resolveJournal(session.client, requested, { readOnly, ...extras.resolve });
    if (!lockConnecting || !lock) return await work({ session, journal, baseline: await baselineOf(session, undefined), emit });
    return await withRunnerLock({ session, journal, emit }, await lockConnecting, options, lock, work);
  } catch (error) {
    // A connection that died while idle fails its next query with a bare "not queryable":
    // report why it died instead.
    const ownReason = isSqlState(errorCode(error));
    const cause = isConnectionLoss(error) && !ownReason ? (connectionErrorOf(session.client) ?? error) : error;
    throw typedError(cause, options.signal);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await lockConnecting?.then(
      (connection) => connection.close(),
      () => {},
    );
    await session.close();
  }
}

/**
 * The session's starting state, to return to after each migration. A caller's connection is
 * read as it is (its own SETs, statements and locks are kept); ours are fresh.
 */
async function baselineOf(session: Session, workKey: bigint | undefined): Promise<SessionBaseline> {
  if (session.kind === 'external') return captureSessionBaseline(session.client);
  const server = session.kind === 'server';
  return ownSessionBaseline({ lockElsewhere: server, workKey, checkConnection: server });
}

/**
 * Takes the runner lock of the scope's journal on its own connection (waiting, with progress),
 * waits for the working session of a runner that died to be gone, runs `work`, releases it. If
 * the lock's connection is lost meanwhile, the work's connection is closed at once: without the
 * lock, another runner may start.
 */
async function withRunnerLock<T>(
  partial: Omit<CommandScope, 'baseline'>,
  lockConnection: LockConnection,
  options: CommonOptions,
  lock: RunnerLock,
  work: (scope: CommandScope) => Promise<T>,
): Promise<T> {
  const { session, journal, emit } = partial;
  const waiting = {
    timeoutSeconds: options.lockTimeoutSeconds,
    signal: options.signal,
    onWait: (holder: LockHolder | undefined, waitedMs: number) => emit({ type: 'lock-wait', holder: describeHolder(holder), waitedMs }),
    // The work's connection sits idle while the lock's connection waits: notice if it is terminated.
    check: () => {
      const died = connectionErrorOf(session.client);
      if (died) throw died;
    },
  };
  const workKey = workKeyOf(journal.lockKey);
  let lost: Error | undefined;
  await acquireRunnerLock(lockConnection.client, journal.lockKey, waiting);
  lockConnection.onLost((error) => {
    lost = error;
    // Ends our backend's work: the server rolls back what is in flight (an API caller's connection stays theirs).
    if (session.kind === 'server') void session.close();
  });
  try {
    await acquireRunnerLock(lockConnection.client, workKey, waiting);
    await releaseRunnerLock(lockConnection.client, workKey);
    if (session.kind === 'external') await session.client.query(`SELECT pg_catalog.pg_advisory_lock_shared(${workKey})`);
    const baseline = await baselineOf(session, workKey);
    // Our own session takes the shared lock (and asks the server to watch for a dead client) here.
    if (session.kind !== 'external') await resetSession(session.client, baseline);
    if (lock.createJournal ?? true) await ensureJournal(session.client, journal);
    return await work({ ...partial, baseline });
  } catch (error) {
    if (lost) {
      throw Object.assign(
        new ConnectionError(`lost the runner lock's connection (${lost.message}): stopped, the migration in flight was rolled back`),
        {
          cause: error,
        },
      );
    }
    throw error;
  } finally {
    if (!lost) {
      await releaseRunnerLock(lockConnection.client, journal.lockKey).catch(() => {});
      if (session.kind === 'external')
        await session.client.query(`SELECT pg_catalog.pg_advisory_unlock_shared(${workKey})`).catch(() => {});
    }
  }
}

/**
 * API callers only ever see typed errors: an abort becomes InterruptedError, a stray PostgreSQL
 * error (not from a migration's SQL) DatabaseError (exit 1), a dropped socket ConnectionError
 * (exit 4).
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
