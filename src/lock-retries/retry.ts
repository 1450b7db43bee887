import { ConnectionError, InterruptedError, signalOf } from '../errors.js';
import { describeBlockers, type Blocker, type BlockerWatch } from './blockers.js';
import { formatDuration, type LockAttempt } from './schedule.js';
import type { Direction } from '../run/errors.js';
import { plural } from '../plural.js';

/**
 * Runs an attempt again when it could not get a lock in time (SQLSTATE 55P03) and nothing of it
 * remained (its transaction was rolled back), pausing on the schedule in between and naming the
 * session that blocked it. Any other error ends the attempts at once.
 */

/** SQLSTATE lock_not_available: lock_timeout ran out (or NOWAIT found the lock taken). */
export const LOCK_NOT_AVAILABLE = '55P03';

/** Reported before each retry: one line for the user. */
export interface LockRetryEvent {
  type: 'lock-retry';
  direction: Direction;
  version: number;
  fileName: string;
  /** Where it waited: `file:line:col`, or the file, plus the statement for a no-transaction migration. */
  where: string;
  /** The attempt that timed out (1 for the first). */
  attempt: number;
  /** Its lock_timeout in ms (undefined: the session's own, for example a SET in the file). */
  lockTimeoutMs: number | undefined;
  /** The blocking sessions, longest-open first (empty when none was seen). */
  blockers: Blocker[];
  /** `describeBlockers(blockers)`. */
  blocker: string;
  /** Pause before the next attempt. */
  sleepMs: number;
  /** lock_timeout of the next attempt in ms (0: the last attempt, without a timeout). */
  nextLockTimeoutMs: number | undefined;
}

/**
 * The lock-retry schedule ran out: the migration could not get its locks (exit 4). Nothing of
 * it was applied (for a no-transaction migration: the message says which statements stayed).
 */
export class LockRetriesExhaustedError extends ConnectionError {
  readonly file: string;
  readonly attempts: number;
  readonly blockers: Blocker[];
  readonly sqlState = LOCK_NOT_AVAILABLE;
  private readonly info: ExhaustedInfo;
  constructor(info: ExhaustedInfo) {
    super(
      `${info.where}: lock retries ran out after ${plural(info.attempts, 'attempt')} in ${formatDuration(info.elapsedMs)} ` +
        `(lock not available, SQLSTATE 55P03): blocked by ${describeBlockers(info.blockers)}; ${info.outcome}`,
    );
    this.info = info;
    this.file = info.file;
    this.attempts = info.attempts;
    this.blockers = info.blockers;
  }

  /** What became of the work (the end of the message). */
  get outcome(): string {
    return this.info.outcome;
  }

  /** The same error saying `outcome` instead (what stayed applied, what was recorded). */
  withOutcome(outcome: string): LockRetriesExhaustedError {
    return new LockRetriesExhaustedError({ ...this.info, outcome });
  }
}

interface ExhaustedInfo {
  file: string;
  where: string;
  attempts: number;
  elapsedMs: number;
  blockers: Blocker[];
  outcome: string;
}

/** What {@link withLockRetries} needs besides the attempt itself. */
export interface RetryScope {
  migration: { version: number; fileName: string };
  direction: Direction;
  attempts: Iterable<LockAttempt>;
  watch: BlockerWatch;
  /** True when the error is a lock timeout that left nothing behind. */
  retryable: (error: unknown) => boolean;
  /** `where` for the event and the error: where the failing attempt waited. */
  whereOf: (error: unknown) => string;
  /** What became of the migration when the schedule runs out (appended to the error). */
  outcome: string;
  signal?: AbortSignal | undefined;
  onRetry?: ((event: LockRetryEvent) => void) | undefined;
}

/**
 * Runs `attempt` on the schedule until it succeeds, fails otherwise, or the schedule runs out
 * ({@link LockRetriesExhaustedError}, naming the last blocker seen). An abort during a pause
 * throws InterruptedError.
 */
export async function withLockRetries<T>(scope: RetryScope, attempt: (attempt: LockAttempt) => Promise<T>): Promise<T> {
  const schedule = scope.attempts[Symbol.iterator]();
  let current = schedule.next();
  const started = performance.now();
  let lastSeen: Blocker[] = [];
  for (;;) {
    if (current.done) throw new Error('a lock-retry schedule has at least one attempt');
    const { value } = current;
    const watch = value.lockTimeoutMs ? scope.watch.watch(value.lockTimeoutMs) : undefined;
    try {
      return await attempt(value);
    } catch (error) {
      const blockers = (await watch?.stop()) ?? [];
      if (blockers.length > 0) lastSeen = blockers;
      if (!scope.retryable(error)) throw error;
      const next = schedule.next();
      const where = scope.whereOf(error);
      if (next.done) {
        const { fileName: file } = scope.migration;
        throw new LockRetriesExhaustedError({
          file,
          where,
          attempts: value.number,
          elapsedMs: performance.now() - started,
          blockers: lastSeen,
          outcome: scope.outcome,
        });
      }
      scope.onRetry?.({
        type: 'lock-retry',
        direction: scope.direction,
        version: scope.migration.version,
        fileName: scope.migration.fileName,
        where,
        attempt: value.number,
        lockTimeoutMs: value.lockTimeoutMs,
        blockers,
        blocker: describeBlockers(blockers),
        sleepMs: next.value.sleepBeforeMs,
        nextLockTimeoutMs: next.value.lockTimeoutMs,
      });
      await pause(next.value.sleepBeforeMs, scope.signal);
      current = next;
    } finally {
      await watch?.stop();
    }
  }
}

/** Sleeps `ms`, or throws InterruptedError as soon as `signal` aborts. */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(new InterruptedError(signalOf(signal)));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new InterruptedError(signalOf(signal as AbortSignal)));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const retryableErrors = new WeakSet<object>();

/** Marks an error thrown by an attempt as a lock timeout after which nothing of it remained. */
export function markLockRetryable<T>(error: T): T {
  if (typeof error === 'object' && error !== null) retryableErrors.add(error);
  return error;
}

/** True for an error marked by {@link markLockRetryable}. */
export function isMarkedLockRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && retryableErrors.has(error);
}
