import type pg from 'pg';
import type { Journal } from './journal.js';
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
}

