import type pg from 'pg';
import type { BlockerWatch } from '../lock-retries/blockers.js';
import type { Journal } from '../journal/journal.js';
import type { LockRetryEvent } from '../lock-retries/retry.js';
import type { LockRetries } from '../lock-retries/schedule.js';
import type { SessionBaseline } from './session-state.js';

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
