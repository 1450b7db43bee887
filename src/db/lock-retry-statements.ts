import type { SqlStatement } from '../migrations/split.js';

/**
 * Which statements of a `-- aeturnis:no-transaction` migration may be retried after a lock
 * timeout (SQLSTATE 55P03). Each statement runs on its own, so a plain statement that failed
 * left nothing behind and runs again safely. Pure: no I/O.
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
