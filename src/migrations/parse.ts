import { durationMs } from '../config.js';
import { MigrationFileError, UsageError } from '../errors.js';
import { parseDirectiveArguments, type PartitionDirective } from '../partitions/registration.js';
import { migrationChecksum, normalizeMigrationText } from './checksum.js';

/** `<digits>_<name>.sql`; the name part may not be empty. */
const FILE_NAME_PATTERN = /^(\d+)_(.+)\.sql$/;
const UP_MARKER = /^\s*--\s*UP\s*$/i;
const DOWN_MARKER = /^\s*--\s*DOWN\s*$/i;
/** `-- aeturnis:no-transaction`, or `-- aeturnis:no-transaction up` / `down`: only that section. */
const NO_TRANSACTION_DIRECTIVE = /^\s*--\s*aeturnis:no-transaction(?:\s+(.*?))?\s*$/i;
const NOTHING_TO_UNDO_DIRECTIVE = /^\s*--\s*aeturnis:nothing-to-undo\s*$/i;
const LOCK_TIMEOUT_DIRECTIVE = /^\s*--\s*aeturnis:lock-timeout(?:\s+(.*?))?\s*$/i;
const PARTITIONS_DIRECTIVE = /^\s*--\s*aeturnis:partitions(?:\s+(.*?))?\s*$/i;
/** `-- aeturnis:placeholder TOOL FILE`: written by `import --placeholders` in place of a code migration. */
const PLACEHOLDER_DIRECTIVE = /^\s*--\s*aeturnis:placeholder\s+(\S+)\s+(.+?)\s*$/i;

/** A migration file, parsed. Text fields are normalised (no BOM, LF line endings). */
export interface Migration {
  /** Integer value of the file name's digits (`0001` and `1` are both 1). */
  version: number;
  /** The file name without the version prefix and `.sql`. */
  name: string;
  /** The file's base name, e.g. `0001_create_users.sql`. */
  fileName: string;
  /** SHA-256 hex of the normalised file text. */
  checksum: string;
  /** SQL of the UP section (the lines after the `-- UP` marker). */
  up: Section;
  /**
   * SQL of the DOWN section; `undefined` when the file has no `-- DOWN` marker (with
   * `-- aeturnis:nothing-to-undo` in the header, an empty section after the file's last line).
   */
  down: Section | undefined;
  /** `-- aeturnis:no-transaction` in the header: run statement by statement, no transaction. */
  noTransaction: boolean;
  /**
   * `-- aeturnis:no-transaction up` (or `down`) in the header: only that section runs statement
   * by statement; the other runs in a transaction (dbmate's `transaction:false` on one block).
   * Undefined when `noTransaction` decides both. See {@link runsWithoutTransaction}.
   */
  noTransactionSection?: 'up' | 'down' | undefined;
  /**
   * `-- aeturnis:lock-timeout 5s` in the header: every attempt of this migration waits this long
   * for a lock (instead of the lock-retry schedule's growing timeouts); 0 for
   * `-- aeturnis:lock-timeout none`: one attempt that waits as long as it takes. Undefined: the
   * schedule decides.
   */
  lockTimeoutMs?: number | undefined;
  /**
   * `-- aeturnis:partitions TABLE [--interval I] ...` lines of the header, one table each: the
   * tables registered for partition upkeep when the UP is applied (with its journal row), and
   * removed from the registry when the DOWN runs. Absent in migrations not read from a file.
   */
  partitions?: PartitionDirective[];
  /**
   * `-- aeturnis:nothing-to-undo` in the header or the DOWN section: reversible, and undoing it
   * runs no SQL (what other tools mean by an empty down file). Its DOWN holds no SQL.
   */
  nothingToUndo: boolean;
  /**
   * No DOWN section, or one with only comments and whitespace, and no
   * `-- aeturnis:nothing-to-undo`: `down` refuses to pass it.
   */
  irreversible: boolean;
  /**
   * `-- aeturnis:placeholder TOOL FILE` in the header: this file stands in for another tool's
   * code migration (a goose Go file, a node-pg-migrate JS/TS file). `adopt` records it where the
   * tool applied it; `up` refuses to apply it (exit 3) until it is rewritten in SQL.
   */
  placeholder?: { tool: string; source: string } | undefined;
}

/** A section of a migration file. */
export interface Section {
  sql: string;
  /** 1-based line number, in the file, of the section's first SQL line. */
  startLine: number;
}

/** Just the version and name encoded in a migration file name. */
export interface MigrationFileName {
  version: number;
  name: string;
}

/**
 * Reads `<digits>_<name>.sql`. Returns `undefined` for names that are not `.sql` files (they are
 * ignored); throws {@link MigrationFileError} for a `.sql` file that does not match the pattern.
 */
export function parseMigrationFileName(fileName: string): MigrationFileName | undefined {
  if (!fileName.toLowerCase().endsWith('.sql')) return undefined;
  const match = FILE_NAME_PATTERN.exec(fileName);
  if (!match || !fileName.endsWith('.sql')) {
    throw new MigrationFileError(fileName, 'file name must be <digits>_<name>.sql, for example 0001_create_users.sql');
  }
  const version = Number(match[1]);
  if (!Number.isSafeInteger(version)) {
    throw new MigrationFileError(fileName, `version ${match[1]} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
  }
  if (version === 0) {
    // `down --to 0` means "everything": a version 0 could never be rolled back by it.
    throw new MigrationFileError(fileName, 'version 0 is not allowed: versions start at 1 (rename it, e.g. to 0001_...)');
  }
  return { version, name: match[2] as string };
}

/**
 * Parses one migration file's text into its sections and directives. Pure: no I/O.
 *
 * @example
 * const m = parseMigration('0001_users.sql', '-- UP\nCREATE TABLE users (id int);\n-- DOWN\nDROP TABLE users;\n');
 * m.version      // 1
 * m.up.sql       // 'CREATE TABLE users (id int);\n'
 * m.up.startLine // 2
 */
export function parseMigration(fileName: string, rawText: string): Migration {
  const parsedName = parseMigrationFileName(fileName);
  if (!parsedName) throw new MigrationFileError(fileName, 'not a .sql file');
  const text = normalizeMigrationText(rawText);
  const lines = text.split('\n');
  const { upLine, downLine, noTransaction, lockTimeoutMs, partitions, placeholder } = scanLayout(fileName, lines);
  const transactionless = noTransactionOf(noTransaction);
  assertPartitionsInHeader(fileName, text, lines, upLine);
  const upEnd = downLine === -1 ? lines.length : downLine;
  const up: Section = { sql: joinLines(text, lines, upLine + 1, upEnd), startLine: upLine + 2 };
  const { down, nothingToUndo } = downSection(fileName, text, lines, upLine, downLine);
  return {
    version: parsedName.version,
    name: parsedName.name,
    fileName,
    checksum: migrationChecksum(rawText),
    up,
    down,
    ...transactionless,
    ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}),
    partitions,
    ...(placeholder ? { placeholder } : {}),
    nothingToUndo,
    irreversible: !nothingToUndo && (down === undefined || isBlankSql(down.sql)),
  };
}

/** Where a file's sections start (0-based lines; -1: absent) and what its header directs. */
interface Layout {
  upLine: number;
  downLine: number;
  /** The sections `-- aeturnis:no-transaction [up|down]` lines name (both for the plain form). */
  noTransaction: Set<'up' | 'down'>;
  lockTimeoutMs: number | undefined;
  partitions: PartitionDirective[];
  placeholder?: { tool: string; source: string } | undefined;
}

/**
 * Finds the `-- UP` and `-- DOWN` markers and reads the header's directives; throws
 * {@link MigrationFileError} for a second marker, DOWN before UP, no UP, or SQL in the header.
 */
function scanLayout(fileName: string, lines: readonly string[]): Layout {
  const layout: Layout = { upLine: -1, downLine: -1, noTransaction: new Set(), lockTimeoutMs: undefined, partitions: [] };
  const header = { inBlockComment: false, firstSqlLine: -1 };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (UP_MARKER.test(line)) {
      if (layout.upLine !== -1) throw new MigrationFileError(fileName, `second "-- UP" marker on line ${i + 1}`);
      if (layout.downLine !== -1) {
        throw new MigrationFileError(fileName, `"-- DOWN" (line ${layout.downLine + 1}) comes before "-- UP" (line ${i + 1})`);
      }
      layout.upLine = i;
    } else if (DOWN_MARKER.test(line)) {
      if (layout.downLine !== -1) throw new MigrationFileError(fileName, `second "-- DOWN" marker on line ${i + 1}`);
      layout.downLine = i;
    } else if (layout.upLine === -1 && layout.downLine === -1) {
      readHeaderLine(fileName, line, i, layout, header);
    }
  }
  if (layout.upLine === -1) {
    throw new MigrationFileError(
      fileName,
      layout.downLine === -1 ? 'no "-- UP" marker: put a line "-- UP" before the SQL to apply' : '"-- DOWN" without "-- UP"',
    );
  }
  if (header.firstSqlLine !== -1) {
    throw new MigrationFileError(
      fileName,
      `line ${header.firstSqlLine + 1}: SQL before the "-- UP" marker (only comments and directives may stand there)`,
    );
  }
  return layout;
}

/** One line before `-- UP`: only blank lines, comments and directives may stand there. */
function readHeaderLine(
  fileName: string,
  line: string,
  index: number,
  layout: Layout,
  header: { inBlockComment: boolean; firstSqlLine: number },
): void {
  const trimmed = line.trim();
  if (header.inBlockComment) {
    if (trimmed.includes('*/')) header.inBlockComment = false;
    return;
  }
  if (trimmed === '' || trimmed.startsWith('--')) {
    const noTransaction = NO_TRANSACTION_DIRECTIVE.exec(line);
    if (noTransaction)
      for (const section of noTransactionSections(fileName, index + 1, noTransaction[1])) layout.noTransaction.add(section);
    const lockTimeout = LOCK_TIMEOUT_DIRECTIVE.exec(line);
    if (lockTimeout) layout.lockTimeoutMs = lockTimeoutDirective(fileName, index + 1, lockTimeout[1] ?? '', layout.lockTimeoutMs);
    const partitions = PARTITIONS_DIRECTIVE.exec(line);
    if (partitions) layout.partitions.push(partitionsDirective(fileName, index + 1, partitions[1] ?? '', layout.partitions));
    const placeholder = PLACEHOLDER_DIRECTIVE.exec(line);
    if (placeholder) layout.placeholder = { tool: placeholder[1] as string, source: placeholder[2] as string };
    return;
  }
  if (trimmed.startsWith('/*')) {
    header.inBlockComment = !trimmed.includes('*/');
    return;
  }
  if (header.firstSqlLine === -1) header.firstSqlLine = index;
}

/**
 * The sections one `-- aeturnis:no-transaction [up|down]` line takes out of a transaction;
 * another argument is a {@link MigrationFileError} naming the line (it would otherwise read as a
 * comment and the migration would run in a transaction after all).
 */
function noTransactionSections(fileName: string, lineNumber: number, argument: string | undefined): ('up' | 'down')[] {
  if (argument === undefined || argument === '') return ['up', 'down'];
  const section = argument.toLowerCase();
  if (section === 'up' || section === 'down') return [section];
  throw new MigrationFileError(
    fileName,
    `line ${lineNumber}: "-- aeturnis:no-transaction" takes nothing, "up" or "down" (only that section runs without a transaction), not "${argument}"`,
  );
}

/** The migration's transaction fields from the sections the header takes out of a transaction. */
function noTransactionOf(sections: ReadonlySet<'up' | 'down'>): Pick<Migration, 'noTransaction' | 'noTransactionSection'> {
  if (sections.size === 2) return { noTransaction: true };
  const [only] = sections;
  return only ? { noTransaction: false, noTransactionSection: only } : { noTransaction: false };
}

/**
 * True when the migration's `direction` runs outside a transaction, statement by statement:
 * `-- aeturnis:no-transaction`, or its per-section form naming that direction.
 */
export function runsWithoutTransaction(
  migration: Pick<Migration, 'noTransaction' | 'noTransactionSection'>,
  direction: 'up' | 'down',
): boolean {
  return migration.noTransaction || migration.noTransactionSection === direction;
}

/**
 * Reads the value of `-- aeturnis:lock-timeout VALUE` (a duration with its unit, or `none`:
 * 0); a second directive or another value is a {@link MigrationFileError} naming the line.
 */
function lockTimeoutDirective(fileName: string, lineNumber: number, value: string, earlier: number | undefined): number {
  if (earlier !== undefined) throw new MigrationFileError(fileName, `line ${lineNumber}: a second "-- aeturnis:lock-timeout" directive`);
  if (value.toLowerCase() === 'none') return 0;
  const ms = durationMs(value);
  if (ms === undefined || ms <= 0) {
    throw new MigrationFileError(
      fileName,
      `line ${lineNumber}: "-- aeturnis:lock-timeout" needs a duration with its unit (500ms, 5s, 2m) or none (got "${value}")`,
    );
  }
  return ms;
}

/**
 * Reads `-- aeturnis:partitions TABLE [flags]` (the grammar of `partitions register`); a bad
 * flag or a table named twice in one file is a {@link MigrationFileError} naming the line.
 */
function partitionsDirective(
  fileName: string,
  lineNumber: number,
  value: string,
  earlier: readonly PartitionDirective[],
): PartitionDirective {
  let parsed: Omit<PartitionDirective, 'line'>;
  try {
    parsed = parseDirectiveArguments(value);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new MigrationFileError(fileName, `line ${lineNumber}: "-- aeturnis:partitions": ${error.message}`);
  }
  const twice = earlier.find((directive) => directive.table.quoted === parsed.table.quoted);
  if (twice) {
    throw new MigrationFileError(
      fileName,
      `line ${lineNumber}: "-- aeturnis:partitions ${parsed.table.display}" repeats line ${twice.line}: one directive per table`,
    );
  }
  return { line: lineNumber, ...parsed };
}

/** `-- aeturnis:partitions` after `-- UP` would be a plain comment, silently ignored: refuse it. */
function assertPartitionsInHeader(fileName: string, text: string, lines: readonly string[], upLine: number): void {
  if (!/aeturnis:partitions/i.test(text)) return; // one native scan; most files never mention it
  for (let i = upLine + 1; i < lines.length; i++) {
    if (!PARTITIONS_DIRECTIVE.test(lines[i] as string)) continue;
    throw new MigrationFileError(fileName, `line ${i + 1}: "-- aeturnis:partitions" belongs in the header, before "-- UP"`);
  }
}

/**
 * The DOWN section (from `-- DOWN` to the end) and whether `-- aeturnis:nothing-to-undo` marks
 * it; with the directive in the header and no `-- DOWN` marker, an empty section after the last
 * line, so the runner has a DOWN to run.
 */
function downSection(
  fileName: string,
  text: string,
  lines: string[],
  upLine: number,
  downLine: number,
): { down: Section | undefined; nothingToUndo: boolean } {
  const written = downLine === -1 ? undefined : { sql: joinLines(text, lines, downLine + 1, lines.length), startLine: downLine + 2 };
  const nothingToUndo = nothingToUndoDirective(fileName, text, lines, { upLine, downLine, down: written });
  return { down: written ?? (nothingToUndo ? { sql: '', startLine: lines.length + 1 } : undefined), nothingToUndo };
}

/**
 * True when `-- aeturnis:nothing-to-undo` stands in the header or the DOWN section: the
 * migration is reversible and undoing it runs no SQL. Anywhere else, or next to SQL in the
 * DOWN section, it is a {@link MigrationFileError}: the file says two things at once.
 */
function nothingToUndoDirective(
  fileName: string,
  text: string,
  lines: string[],
  where: { upLine: number; downLine: number; down: Section | undefined },
): boolean {
  if (!/aeturnis:nothing-to-undo/i.test(text)) return false; // one native scan; most files never mention it
  let directiveLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (!NOTHING_TO_UNDO_DIRECTIVE.test(lines[i] as string)) continue;
    if (i > where.upLine && (where.downLine === -1 || i < where.downLine)) {
      throw new MigrationFileError(
        fileName,
        `line ${i + 1}: "-- aeturnis:nothing-to-undo" belongs in the header (before "-- UP") or in the DOWN section, not in the UP section`,
      );
    }
    if (directiveLine === -1) directiveLine = i;
  }
  if (directiveLine === -1) return false;
  if (where.down && !isBlankSql(where.down.sql)) {
    throw new MigrationFileError(
      fileName,
      `line ${directiveLine + 1}: "-- aeturnis:nothing-to-undo" says there is nothing to undo, but the DOWN section has SQL: remove one of them`,
    );
  }
  return true;
}

/**
 * Lines `from`..`to - 1` joined with LF, taken as one slice of `text` (the string `lines` was
 * split from) rather than joined anew: no copy, so a 20 MB migration stays one string in memory.
 */
function joinLines(text: string, lines: string[], from: number, to: number): string {
  if (from >= to) return '';
  let start = 0;
  for (let i = 0; i < from; i++) start += (lines[i] as string).length + 1;
  let end = start;
  for (let i = from; i < to; i++) end += (lines[i] as string).length + 1;
  return text.slice(start, end - 1);
}

/**
 * True when SQL holds nothing but whitespace and comments (line and nested block comments).
 */
export function isBlankSql(sql: string): boolean {
  let depth = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    const next = sql[i + 1];
    if (depth > 0) {
      if (c === '/' && next === '*') {
        depth++;
        i++;
      } else if (c === '*' && next === '/') {
        depth--;
        i++;
      }
      continue;
    }
    if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      if (eol === -1) return true;
      i = eol;
      continue;
    }
    if (c === '/' && next === '*') {
      depth++;
      i++;
      continue;
    }
    if (c !== undefined && !/\s/.test(c)) return false;
  }
  return true;
}
