/**
 * One step of upkeep in one transaction, on the migrations' lock-retry schedule: each attempt
 * runs with that attempt's `lock_timeout` (SET LOCAL), so a lock it cannot get at once makes it
 * give up and roll back instead of queueing every later reader and writer of the table behind
 * it; the next attempt follows after the schedule's pause, and when the schedule runs out the
 * run stops with exit 4 naming the session that blocked it (LockRetriesExhaustedError).
 */
import type { ClientBase } from 'pg';
import type { BlockerWatch } from '../lock-retries/blockers.js';
import { LOCK_NOT_AVAILABLE, isMarkedLockRetryable, markLockRetryable, withLockRetries } from '../lock-retries/retry.js';
import { lockAttempts } from '../lock-retries/schedule.js';
import { PartitionSqlError } from './errors.js';
import type { RunSettings } from './options.js';

/** SQLSTATE deadlock_detected: the server rolled us back to let the other session go on; trying again is safe. */
const DEADLOCK_DETECTED = '40P01';

/** Names the step for retry lines and for the error when retries run out. */
export interface UpkeepStep {
  /** `audit_log: creating audit_log_2027_04`. */
  where: string;
  /** What stays done when the schedule runs out (appended to the error). */
  outcome: string;
}

/** Runs `work` in a transaction of its own, again on the schedule while it cannot get its locks in time. */
export async function inUpkeepTransaction<T>(
  client: ClientBase,
  settings: RunSettings,
  watch: BlockerWatch,
  step: UpkeepStep,
  work: () => Promise<T>,
): Promise<T> {
  return withLockRetries(
    {
      migration: { version: 0, fileName: settings.table },
      direction: 'up',
      attempts: lockAttempts(settings.lockRetries, undefined),
      watch,
      retryable: isMarkedLockRetryable,
      whereOf: () => step.where,
      outcome: step.outcome,
      signal: settings.signal,
      onRetry: (retry) => {
        const wait = retry.lockTimeoutMs ? ` within ${retry.lockTimeoutMs} ms` : '';
        const message = `${step.where}: lock not available${wait}, blocked by ${retry.blocker}; rolled back, trying again in ${retry.sleepMs} ms`;
        settings.onEvent?.({ type: 'lock-retry', retry, message });
      },
    },
    (attempt) => attemptOnce(client, attempt.lockTimeoutMs, work),
  );
}

async function attemptOnce<T>(client: ClientBase, lockTimeoutMs: number | undefined, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    // pg_catalog.set_config, not SET: a search_path or a function named set_config cannot intercept it.
    if (lockTimeoutMs !== undefined) await client.query("SELECT pg_catalog.set_config('lock_timeout', $1, true)", [`${lockTimeoutMs}ms`]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof PartitionSqlError && (error.sqlState === LOCK_NOT_AVAILABLE || error.sqlState === DEADLOCK_DETECTED)) {
      throw markLockRetryable(error);
    }
    throw error;
  }
}
