import { splitSqlStatements } from '../migrations/split.js';
import { addOutcome, markerLookalike, nameOrDefault, nonTransactionalStatement, requireText, toLines } from './sql-text.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

/** golang-migrate's file names: `<version>_<title>.up.<ext>` / `.down.<ext>` (source/parse.go). */
const FILE_NAME = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/;

/** A statement line that opens or closes a transaction, alone on its line. */
const BEGIN_LINE = /^\s*(BEGIN|START\s+TRANSACTION)(\s+(WORK|TRANSACTION))?\s*;\s*(--.*)?$/i;
const COMMIT_LINE = /^\s*(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*;\s*(--.*)?$/i;
const WHY_COMMENTED = '(import: aeturnis-db runs each migration in a transaction)';

interface Pair {
  digits: string;
  version: bigint;
  name: string;
  up?: SourceFile;
  down?: SourceFile;
}

/**
 * Converts a golang-migrate directory: `000001_create_users.up.sql` + `000001_create_users.down.sql`
 * pairs (no down file: irreversible). golang-migrate sends each file as it is, outside any
 * transaction of its own, so: a wrapping `BEGIN;` ... `COMMIT;` (the usual way to make such a
 * file atomic) is commented out, because aeturnis-db gives every migration its own transaction;
 * and a file holding a statement that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`)
 * gets `-- aeturnis:no-transaction`.
 *
 * @example
 * convertGolangMigrate([
 *   { path: '1_users.up.sql', text: 'CREATE TABLE users ();\n' },
 *   { path: '1_users.down.sql', text: 'DROP TABLE users;\n' },
 * ]) // migrations[0]: { versionDigits: '1', name: 'users', up: 'CREATE TABLE users ();\n', down: 'DROP TABLE users;\n', ... }
 */
export function convertGolangMigrate(files: readonly SourceFile[]): ToolConversion {
  const result: ToolConversion = { migrations: [], problems: [], ignored: [] };
  const pairs = new Map<bigint, Pair>();
  for (const file of files) {
    const match = FILE_NAME.exec(file.path);
    if (!match) {
      result.ignored.push(file.path);
      continue;
    }
    const [, digits, name, direction, extension] = match as unknown as [string, string, string, 'up' | 'down', string];
    if (extension !== 'sql') {
      result.problems.push({ file: file.path, reason: `a .${extension} migration: only .sql files can be converted` });
      continue;
    }
    const version = BigInt(digits);
    const pair = pairs.get(version) ?? { digits, version, name };
    const clash = pair[direction];
    if (clash) {
      result.problems.push({ file: file.path, reason: `a second ${direction} file for version ${version} (also ${clash.path})` });
      continue;
    }
    pair[direction] = file;
    if (direction === 'up') Object.assign(pair, { digits, name });
    pairs.set(version, pair);
  }
  const ordered = [...pairs.values()].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
  for (const pair of ordered) addOutcome(result, convertPair(pair));
  return result;
}

function convertPair(pair: Pair): SourceMigration | ImportProblem {
  if (!pair.up) {
    return { file: (pair.down as SourceFile).path, reason: `no ${pair.digits}_${pair.name}.up.sql next to it: the UP is missing` };
  }
  const upText = requireText(pair.up);
  if (typeof upText !== 'string') return upText;
  const downText = pair.down ? requireText(pair.down) : undefined;
  if (typeof downText === 'object') return downText;
  const lookalike = markerLookalike(pair.up.path, upText, 1) ?? (pair.down && markerLookalike(pair.down.path, downText ?? '', 1));
  if (lookalike) return lookalike;

  const notes: string[] = [];
  const up = withoutOwnTransaction(upText);
  const down = downText === undefined ? undefined : withoutOwnTransaction(downText);
  const unwrapped = [up !== upText && 'up', down !== downText && 'down'].filter(Boolean);
  if (unwrapped.length > 0)
    notes.push(`its own BEGIN/COMMIT commented out (${unwrapped.join(' and ')}): aeturnis-db runs each migration in a transaction`);
  const nonTransactional = nonTransactionalStatement(up) ?? (down === undefined ? undefined : nonTransactionalStatement(down));
  if (nonTransactional) notes.push(`${nonTransactional} cannot run inside a transaction`);
  return {
    sourceVersion: pair.digits,
    versionDigits: pair.digits,
    name: nameOrDefault(pair.name),
    sources: pair.down ? [pair.up.path, pair.down.path] : [pair.up.path],
    header: '',
    up,
    down,
    noTransaction: nonTransactional !== undefined,
    notes,
  };
}

/**
 * The text with a wrapping `BEGIN;` (first statement) and `COMMIT;` (last statement), each
 * alone on its line, turned into comments; any other text is returned as it is (the same string).
 *
 * @example
 * withoutOwnTransaction('BEGIN;\nCREATE TABLE t ();\nCOMMIT;\n')
 * // '-- BEGIN; (import: ...)\nCREATE TABLE t ();\n-- COMMIT; (import: ...)\n'
 */
export function withoutOwnTransaction(text: string): string {
  const statements = splitSqlStatements(text);
  const first = statements[0];
  const last = statements[statements.length - 1];
  if (!first || !last || first === last) return text;
  const lines = toLines(text);
  if (!BEGIN_LINE.test(lines[first.line - 1] ?? '') || !COMMIT_LINE.test(lines[last.line - 1] ?? '')) return text;
  const commented = lines.map((line, index) =>
    index === first.line - 1 || index === last.line - 1 ? `-- ${line} ${WHY_COMMENTED}` : line,
  );
  return `${commented.join('\n')}\n`;
}
