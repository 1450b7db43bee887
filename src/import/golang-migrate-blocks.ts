import { splitSqlStatements, type SqlStatement } from '../migrations/split.js';
import { simplifiedStatement } from './sql-text.js';

/**
 * golang-migrate sends a file as one simple query, outside any transaction of its own: a file
 * makes itself atomic with `BEGIN;` ... `COMMIT;`, and may hold several such blocks (committed
 * one after the other) or statements around them. aeturnis-db gives every migration its own
 * transaction, so every one of these statements is commented out: never only the outer pair,
 * which would leave an inner `COMMIT; BEGIN;` committing half the migration.
 */

const BEGIN = /^(BEGIN|START TRANSACTION)( (WORK|TRANSACTION))?$/;
const COMMIT = /^(COMMIT|END)( (WORK|TRANSACTION))?$/;
/** Transaction control import cannot comment out without changing what the file does. */
const OTHER_CONTROL =
  /^(ROLLBACK|ABORT|SAVEPOINT|RELEASE|PREPARE TRANSACTION|COMMIT PREPARED|ROLLBACK PREPARED|BEGIN|START TRANSACTION|COMMIT|END)\b/;
/** A new enum value cannot be used before the transaction that added it commits (SQLSTATE 55P04). */
const ADD_VALUE = /^ALTER TYPE \S+ ADD VALUE\b/;
const WHY = '(import: aeturnis-db runs each migration in a transaction)';

/** A section with its transaction control commented out. */
export interface Unwrapped {
  text: string;
  /** `BEGIN` statements commented out (0: the text is returned as it was). */
  blocks: number;
  /** The statements were exactly one `BEGIN` first and one `COMMIT` last: the usual wrapper. */
  wrapper: boolean;
  /** More than one block, and an `ALTER TYPE ... ADD VALUE`: the blocks must commit one by one. */
  mustCommitBetween: boolean;
}

/**
 * The section with every `BEGIN` / `COMMIT` statement turned into a comment (a line comment when
 * alone on its line, else a block comment in place), or the 1-based line and reason of a
 * transaction statement that cannot be (`ROLLBACK`, `SAVEPOINT`, `BEGIN ISOLATION LEVEL ...`).
 */
export function withoutOwnTransactions(text: string): Unwrapped | { line: number; reason: string } {
  const statements = splitSqlStatements(text);
  const controls: SqlStatement[] = [];
  let blocks = 0;
  let addsValue = false;
  for (const statement of statements) {
    const simple = simplifiedStatement(statement.text);
    if (ADD_VALUE.test(simple)) addsValue = true;
    if (BEGIN.test(simple) || COMMIT.test(simple)) {
      if (statement.text.includes('/*') || statement.text.includes('*/')) {
        return { line: statement.line, reason: `"${simple}" holds a comment: write it as "${simple};" alone, then import again` };
      }
      controls.push(statement);
      if (BEGIN.test(simple)) blocks++;
    } else if (OTHER_CONTROL.test(simple)) {
      return {
        line: statement.line,
        reason: `"${simple.slice(0, 40)}" controls the transaction in a way import cannot keep (aeturnis-db runs each migration in one): rewrite it, then import again`,
      };
    }
  }
  if (controls.length === 0) return { text, blocks: 0, wrapper: false, mustCommitBetween: false };
  const first = statements[0];
  const last = statements[statements.length - 1];
  const wrapper = controls.length === 2 && controls[0] === first && controls[1] === last && blocks === 1;
  return { text: commentOut(text, controls), blocks, wrapper, mustCommitBetween: blocks > 1 && addsValue };
}

/** The text with each statement (and its semicolon) commented out, last first so offsets hold. */
function commentOut(text: string, controls: readonly SqlStatement[]): string {
  let result = text;
  for (const statement of [...controls].reverse()) {
    const end = statement.offset + statement.text.length + (result[statement.offset + statement.text.length] === ';' ? 1 : 0);
    const lineStart = result.lastIndexOf('\n', statement.offset - 1) + 1;
    const lineEndAt = result.indexOf('\n', end);
    const lineEnd = lineEndAt === -1 ? result.length : lineEndAt;
    const before = result.slice(lineStart, statement.offset);
    const after = result.slice(end, lineEnd);
    const alone = before.trim() === '' && (after.trim() === '' || after.trim().startsWith('--'));
    result = alone
      ? `${result.slice(0, lineStart)}-- ${result.slice(lineStart, lineEnd)} ${WHY}${result.slice(lineEnd)}`
      : `${result.slice(0, statement.offset)}/* ${result.slice(statement.offset, end)} ${WHY} */${result.slice(end)}`;
  }
  return result;
}
