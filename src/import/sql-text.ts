import { isBlankSql } from '../migrations/parse.js';
import { splitSqlStatements } from '../migrations/split.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

export { isBlankSql };

/**
 * The lines `parseMigration` takes as section markers (`-- UP`, `-- DOWN`, any case, spaces
 * around): a source line like this would cut the converted file in the wrong place.
 */
const AETURNIS_MARKER = /^\s*--\s*(UP|DOWN)\s*$/i;

/** The name a migration gets when its source file name has none (`20240101120000.sql`). */
const DEFAULT_NAME = 'migration';

/**
 * Statements PostgreSQL refuses to run inside a transaction block (SQLSTATE 25001), as the
 * statement starts (upper case, single spaces, comments removed). Flyway runs a migration
 * holding one of them outside a transaction; golang-migrate sends a lone one outside any.
 */
const NON_TRANSACTIONAL: readonly RegExp[] = [
  /^(CREATE|DROP) (UNIQUE )?INDEX CONCURRENTLY\b/,
  /^REINDEX\b.*\bCONCURRENTLY\b/,
  /^REINDEX( \([^)]*\))?( VERBOSE)? (SCHEMA|DATABASE|SYSTEM)\b/,
  /^(CREATE|DROP) (DATABASE|TABLESPACE|SUBSCRIPTION)\b/,
  /^ALTER SYSTEM\b/,
  /^VACUUM\b/,
  /^DISCARD ALL\b/,
];

/**
 * The text of a file a converter needs, or the problem that it has none.
 */
export function requireText(file: SourceFile): string | ImportProblem {
  if (file.text !== undefined) return file.text;
  return { file: file.path, reason: file.unreadable ?? 'cannot be read as text' };
}

/**
 * Adds a converter's outcome for one migration to the result: the migration, or its problem.
 */
export function addOutcome(result: ToolConversion, outcome: SourceMigration | ImportProblem): void {
  if ('reason' in outcome) result.problems.push(outcome);
  else result.migrations.push(outcome);
}

/**
 * Converts one file from its text (a problem when it has none), adding the outcome to the result.
 */
export function convertText(result: ToolConversion, file: SourceFile, convert: (text: string) => SourceMigration | ImportProblem): void {
  const text = requireText(file);
  addOutcome(result, typeof text === 'string' ? convert(text) : text);
}

/**
 * True for a line that is blank or a `--` comment: what may stand before the UP.
 */
export function isCommentOrBlank(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('--');
}

/**
 * The problem with a section whose lines aeturnis-db would read as its own `-- UP` / `-- DOWN`
 * markers, naming the source line (`firstLine` is the 1-based source line of `text`'s first line).
 */
export function markerLookalike(file: string, text: string, firstLine: number): ImportProblem | undefined {
  const lines = text.split('\n');
  const index = lines.findIndex((line) => AETURNIS_MARKER.test(line));
  if (index === -1) return undefined;
  return {
    file,
    reason:
      `line ${firstLine + index} ("${(lines[index] as string).trim()}") would read as an aeturnis-db section marker: ` +
      'reword that comment, then import again',
  };
}

/**
 * The first statement of `sql` that cannot run inside a transaction, as its leading words
 * (`CREATE INDEX CONCURRENTLY`), or undefined.
 */
export function nonTransactionalStatement(sql: string): string | undefined {
  for (const statement of splitSqlStatements(sql)) {
    const simplified = simplify(statement.text.slice(0, 300));
    const match = NON_TRANSACTIONAL.map((pattern) => pattern.exec(simplified)).find((m) => m !== null);
    if (match) return match[0];
  }
  return undefined;
}

/**
 * A statement as upper-case words: comments removed, whitespace runs turned into one space.
 */
export function simplifiedStatement(statement: string): string {
  return simplify(statement);
}

function simplify(statement: string): string {
  return statement
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toUpperCase();
}

/**
 * `name` when it can name an aeturnis-db file, else {@link DEFAULT_NAME}.
 */
export function nameOrDefault(name: string): string {
  return name === '' ? DEFAULT_NAME : name;
}

/** The base name of a `/`-separated relative path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * A text's lines without their line ends (a final newline ends the last line; it starts no
 * empty one).
 */
export function toLines(text: string): string[] {
  if (text === '') return [];
  return (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
}

/**
 * Lines `from`..`to - 1`, each ended by a newline.
 */
export function joinLines(lines: readonly string[], from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += `${lines[i] as string}\n`;
  return text;
}
