/**
 * Lock retries (docs/lock-retries.md): the schedule's syntax and its display, for the CLI and
 * API callers. Pure: the CLI reads it at start-up, before anything connects.
 */
export {
  formatDuration,
  parseLockRetries,
  resolveLockRetries,
  type LockRetries,
  type LockRetrySchedule,
} from '../lock-retries/schedule.js';
