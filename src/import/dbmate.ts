import { plural } from '../plural.js';
import { convertText, isBlankSql, isCommentOrBlank, joinLines, markerLookalike, nameOrDefault, toLines } from './sql-text.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

/** dbmate takes every `<digits>....sql` file of the directory (db.go's migrationFileRegexp). */
const FILE_NAME = /^(\d+)(.*)\.sql$/;
/** Its block markers: at the start of a line, options after a space (migration.go). */
const UP_MARKER = /^--\s*migrate:up(\s*$|\s+\S+)/;
const DOWN_MARKER = /^--\s*migrate:down(\s*$|\s+\S+)/;

/** One `-- migrate:up` ... `-- migrate:down` ... block; a file may hold several. */
interface Block {
  /** 1-based line of its `-- migrate:up`. */
  line: number;
  upTransaction: boolean;
  up: string;
  downTransaction: boolean;
  down: string | undefined;
}

/**
 * Converts a dbmate migrations directory: `20240101120000_create_users.sql` files with
 * `-- migrate:up` / `-- migrate:down`; `transaction:false` on a marker becomes
 * `-- aeturnis:no-transaction` for that section (for the file when on both). Only the first
 * block converts, as dbmate runs only it; SQL in a later block is refused. dbmate orders files
 * by name, the version is the leading digits.
 */
export function convertDbmate(files: readonly SourceFile[]): ToolConversion {
  const result: ToolConversion = { migrations: [], problems: [], ignored: [] };
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const match = FILE_NAME.exec(file.path);
    if (!match) {
      result.ignored.push(file.path);
      continue;
    }
    convertText(result, file, (text) => convertFile(file.path, text, match[1] as string, (match[2] as string).replace(/^[_-]/, '')));
  }
  return result;
}

function convertFile(path: string, text: string, digits: string, name: string): SourceMigration | ImportProblem {
  const lookalike = markerLookalike(path, text, 1);
  if (lookalike) return lookalike;
  const lines = toLines(text);
  const firstUp = lines.findIndex((line) => UP_MARKER.test(line));
  if (firstUp === -1) return { file: path, reason: 'no "-- migrate:up" line: the UP is missing' };
  const earlyDown = lines.slice(0, firstUp).findIndex((line) => DOWN_MARKER.test(line));
  if (earlyDown !== -1) return { file: path, reason: `line ${earlyDown + 1}: "-- migrate:down" before "-- migrate:up"` };
  const stray = lines.slice(0, firstUp).findIndex((line) => !isCommentOrBlank(line));
  if (stray !== -1) return { file: path, reason: `line ${stray + 1}: SQL before "-- migrate:up" (dbmate refuses it too)` };
  const blocks = readBlocks(path, lines, firstUp);
  if ('reason' in blocks) return blocks;
  const [first, ...later] = blocks as [Block, ...Block[]];
  const withSql = later.find((block) => !isBlankSql(block.up) || (block.down !== undefined && !isBlankSql(block.down)));
  if (withSql) return { file: path, reason: `line ${withSql.line}: ${LATER_BLOCK}` };
  const notes = later.length > 0 ? [`its ${plural(later.length, 'later empty block')} dropped: dbmate runs only the first`] : [];
  return {
    sourceVersion: digits,
    versionDigits: digits,
    name: nameOrDefault(name),
    sources: [path],
    header: joinLines(lines, 0, firstUp),
    up: first.up,
    down: first.down,
    ...transactionOf(first),
    notes,
  };
}

/**
 * Why a file with SQL in a second `-- migrate:up` block is refused: dbmate up to 2.28 runs the
 * first block's up only (its regexps find the first markers); from 2.29 it runs the blocks one
 * by one, each recording the file's version, so on PostgreSQL the second fails on the journal
 * row the first wrote. Either way a database dbmate migrated never ran that SQL.
 */
const LATER_BLOCK =
  'a second "-- migrate:up" block with SQL: dbmate runs only the first block (2.29 and later then fail at the second, ' +
  'its version already recorded), so a database it migrated never ran this SQL: delete the later blocks ' +
  '(or move them into a migration of their own), then import again';

/**
 * The block's `transaction:false` kept exactly: on both sections (or an UP with no down) the
 * whole file runs without a transaction, on one section only that section does.
 */
function transactionOf(block: Block): Pick<SourceMigration, 'noTransaction' | 'noTransactionSection'> {
  const downWithout = block.down !== undefined && !block.downTransaction;
  if (!block.upTransaction && (downWithout || block.down === undefined)) return { noTransaction: true };
  if (!block.upTransaction) return { noTransaction: false, noTransactionSection: 'up' };
  return downWithout ? { noTransaction: false, noTransactionSection: 'down' } : { noTransaction: false };
}

/** The blocks from the first `-- migrate:up` on, with each marker's transaction option. */
function readBlocks(path: string, lines: readonly string[], firstUp: number): Block[] | ImportProblem {
  const blocks: Block[] = [];
  let part: 'up' | 'down' = 'up';
  let start = firstUp + 1;
  const finish = (end: number) => {
    const block = blocks[blocks.length - 1];
    if (!block) return;
    const body = joinLines(lines, start, end);
    if (part === 'up') block.up = body;
    else block.down = body;
  };
  for (let i = firstUp; i < lines.length; i++) {
    const line = lines[i] as string;
    if (UP_MARKER.test(line)) {
      finish(i);
      blocks.push({ line: i + 1, upTransaction: transactionOption(line), up: '', downTransaction: true, down: undefined });
      part = 'up';
      start = i + 1;
    } else if (DOWN_MARKER.test(line)) {
      if (part === 'down') {
        return { file: path, reason: `line ${i + 1}: a second "-- migrate:down" for one "-- migrate:up" (dbmate refuses it too)` };
      }
      finish(i);
      const block = blocks[blocks.length - 1] as Block;
      block.downTransaction = transactionOption(line);
      block.down = '';
      part = 'down';
      start = i + 1;
    }
  }
  finish(lines.length);
  return blocks;
}

/**
 * dbmate's `transaction` option of a marker line: false only for `transaction:false`.
 */
function transactionOption(markerLine: string): boolean {
  const options = markerLine.replace(/^--\s*migrate:(up|down)/, '').trim();
  if (options === '') return true;
  for (const pair of options.split(/\s+/)) {
    const [key, value, ...rest] = pair.split(':');
    if (rest.length === 0 && key === 'transaction' && value === 'false') return false;
  }
  return true;
}
