import type pg from 'pg';
import type { SqlStatement } from '../migrations/split.js';

// Lock retries inside a `-- aeturnis:no-transaction` migration, whose statements run one by one:
// which of them may run again (pure), and the session's lock_timeout changed between them.

/**
 * Which statements of a `-- aeturnis:no-transaction` migration may be retried after a lock
 * timeout (SQLSTATE 55P03). Each statement runs on its own, so a plain statement that failed
 * left nothing behind and runs again safely.
 *
 * - `retry`: a statement that runs in one transaction of its own (ALTER TABLE, UPDATE, ...;
 *   VACUUM, which commits per table but only repeats work when run again).
 * - `drop-invalid-then-retry`: CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY commit part of
 *   their work: a lock timeout in a later phase leaves an INVALID index, dropped before retrying.
 * - `no-retry`: CALL and DO (a procedure or block may COMMIT part of its work), DETACH PARTITION
 *   CONCURRENTLY (a failure leaves the detach pending, to FINALIZE by hand), and everything
 *   inside the file's own BEGIN ... COMMIT (a failed statement aborts the whole block). These
 *   run with the session's own lock_timeout, as without lock retries.
 */
export type StatementRetry = 'retry' | 'drop-invalid-then-retry' | 'no-retry';

/**
 * How each statement of a no-transaction section is retried, in order.
 */
export function statementRetries(statements: readonly SqlStatement[]): StatementRetry[] {
  let inOwnTransaction = false;
  return statements.map((statement) => {
    const words = leadingWords(statement.text, 12);
    const first = words[0] ?? '';
    if (first === 'BEGIN' || (first === 'START' && words[1] === 'TRANSACTION')) {
      inOwnTransaction = true;
      return 'no-retry';
    }
    if (
      ['COMMIT', 'END', 'ABORT'].includes(first) ||
      (first === 'ROLLBACK' && words[1] !== 'TO') ||
      (first === 'PREPARE' && words[1] === 'TRANSACTION')
    ) {
      inOwnTransaction = false;
      return 'no-retry';
    }
    if (inOwnTransaction) return 'no-retry';
    return retryOf(words);
  });
}

function retryOf(words: readonly string[]): StatementRetry {
  const [first, second, third] = words;
  if (first === 'CALL' || first === 'DO') return 'no-retry';
  if (first === 'ALTER' && words.includes('DETACH') && words.includes('CONCURRENTLY')) return 'no-retry';
  const createIndex = first === 'CREATE' && (second === 'INDEX' || (second === 'UNIQUE' && third === 'INDEX'));
  const concurrently = words.includes('CONCURRENTLY');
  if ((createIndex || first === 'REINDEX') && concurrently) return 'drop-invalid-then-retry';
  return 'retry';
}

/**
 * The first `count` words of a statement in upper case, skipping comments; punctuation such
 * as `(` separates words (REINDEX (CONCURRENTLY) INDEX ...).
 */
export function leadingWords(text: string, count: number): string[] {
  const withoutComments = text.replace(/--[^\n]*/g, ' ').replace(/\/\*[\s\S]*?\*\//g, ' ');
  return (withoutComments.match(/[A-Za-z_][A-Za-z_0-9$]*/g) ?? []).slice(0, count).map((word) => word.toUpperCase());
}

/**
 * lock_timeout for a `-- aeturnis:no-transaction` migration. Its statements run one by one
 * outside a transaction, so there is no SET LOCAL: the session's setting is changed between
 * statements, only when the value needed changes, and only while it is still ours — once a
 * statement of the file has SET lock_timeout itself, the file's value wins for the rest of it.
 * The session's own value is put back when the migration ends (the journal write's RESET ALL
 * does that on success; {@link SessionLockTimeout.restore} after a failure).
 */
export class SessionLockTimeout {
  /** The session's value when the migration started (undefined: not read yet). */
  private before: string | undefined;
  /** The value the session should have if the file did not change it, as PostgreSQL reads it back (`100ms`, `1s`). */
  private expected: string | undefined;
  /** What we last asked for: ms, or undefined for the session's own value. */
  private requested: number | undefined;
  /** The file SET lock_timeout itself: leave it alone from now on. */
  private fileOwned = false;

  constructor(private readonly client: pg.ClientBase) {}

  /** Reads the session's value before the migration's first statement. */
  async start(): Promise<void> {
    const { rows } = await this.client.query<{ value: string }>("SELECT pg_catalog.current_setting('lock_timeout') AS value");
    this.before = rows[0]?.value;
    this.expected = this.before;
  }

  /** Sets lock_timeout to `ms` (undefined: back to the session's own value) for the next statement. */
  async use(ms: number | undefined): Promise<void> {
    if (this.before === undefined || this.fileOwned || ms === this.requested) return;
    if (await this.setIfUnchanged(ms === undefined ? this.before : `${ms}ms`)) this.requested = ms;
  }

  /** Puts the session's own value back, unless the file set its own. Never throws. */
  async restore(): Promise<void> {
    if (this.before === undefined || this.fileOwned || this.requested === undefined) return;
    await this.setIfUnchanged(this.before).catch(() => false);
  }

  /** Sets `value` when the session still has what we expect; false (and hands over) when the file changed it. */
  private async setIfUnchanged(value: string): Promise<boolean> {
    const { rows } = await this.client.query<{ value: string | null }>(
      "SELECT CASE WHEN pg_catalog.current_setting('lock_timeout') = $1 THEN pg_catalog.set_config('lock_timeout', $2, false) END AS value",
      [this.expected, value],
    );
    const set = rows[0]?.value ?? null;
    if (set === null) {
      this.fileOwned = true;
      return false;
    }
    this.expected = set;
    return true;
  }
}
