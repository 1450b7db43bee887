import { type Unwrapped, withoutOwnTransactions } from './golang-migrate-blocks.js';
import { addOutcome, markerLookalike, nameOrDefault, nonTransactionalStatement, requireText } from './sql-text.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

/** golang-migrate's file names: `<version>_<title>.up.<ext>` / `.down.<ext>` (source/parse.go). */
const FILE_NAME = /^([0-9]+)_(.*)\.(down|up)\.(.*)$/;

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
 * transaction of its own, so: its `BEGIN;` ... `COMMIT;` statements (the usual way to make such a
 * file atomic; a file may hold several blocks) are all commented out, because aeturnis-db gives
 * every migration its own transaction (golang-migrate-blocks.ts);
 * and a file holding a statement that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`)
 * gets `-- aeturnis:no-transaction`.
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

  const up = withoutOwnTransactions(upText);
  if ('reason' in up) return { file: pair.up.path, reason: `line ${up.line}: ${up.reason}` };
  const down = downText === undefined ? undefined : withoutOwnTransactions(downText);
  if (down && 'reason' in down) return { file: (pair.down as SourceFile).path, reason: `line ${down.line}: ${down.reason}` };
  const notes = transactionNotes(up, down);
  const nonTransactional = nonTransactionalStatement(up.text) ?? (down === undefined ? undefined : nonTransactionalStatement(down.text));
  if (nonTransactional) notes.push(`${nonTransactional} cannot run inside a transaction`);
  const commitBetween = [up.mustCommitBetween && 'up', down?.mustCommitBetween && 'down'].filter((s): s is 'up' | 'down' => Boolean(s));
  const noTransaction = nonTransactional !== undefined || commitBetween.length === 2;
  return {
    sourceVersion: pair.digits,
    versionDigits: pair.digits,
    name: nameOrDefault(pair.name),
    sources: pair.down ? [pair.up.path, pair.down.path] : [pair.up.path],
    header: '',
    up: up.text,
    down: down?.text,
    noTransaction,
    noTransactionSection: noTransaction ? undefined : commitBetween[0],
    notes,
  };
}

/** What became of the sections' own transaction statements, one note each kind. */
function transactionNotes(up: Unwrapped, down: Unwrapped | undefined): string[] {
  const sections = [
    ['up', up],
    ['down', down],
  ] as const;
  const notes: string[] = [];
  const wrapped = sections.filter(([, s]) => s?.wrapper).map(([name]) => name);
  if (wrapped.length > 0)
    notes.push(`its own BEGIN/COMMIT commented out (${wrapped.join(' and ')}): aeturnis-db runs each migration in a transaction`);
  for (const [name, section] of sections) {
    if (!section || section.blocks === 0 || section.wrapper) continue;
    const what = section.blocks === 1 ? 'its BEGIN ... COMMIT block' : `its ${section.blocks} BEGIN ... COMMIT blocks`;
    notes.push(
      section.mustCommitBetween
        ? `${what} (${name}) commented out; ALTER TYPE ... ADD VALUE needs a commit before a later block uses the value, so the ${name.toUpperCase()} runs without a transaction, statement by statement`
        : `${what} (${name}) commented out: the ${name.toUpperCase()} runs as one transaction, where golang-migrate committed at each COMMIT`,
    );
  }
  return notes;
}
