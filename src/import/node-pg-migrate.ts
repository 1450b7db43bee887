import { convertText, isCommentOrBlank, joinLines, markerLookalike, nameOrDefault, toLines } from './sql-text.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

/** node-pg-migrate's SQL markers (sqlMigration.ts): `-- Up Migration`, `-- Down Migration`, any case. */
const UP_MARKER = /^\s*--[\s-]*up\s+migration/i;
const DOWN_MARKER = /^\s*--[\s-]*down\s+migration/i;
/** Migrations node-pg-migrate loads as modules: they hold code, not SQL. */
const MODULE_EXTENSION = /\.(js|cjs|mjs|ts|cts|mts)$/i;
/** A 17-digit prefix is its `utc` format, `YYYYMMDDHHMMSSmmm` (fileNameUtils.ts). */
const UTC_PREFIX = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})$/;

interface Candidate {
  file: SourceFile;
  prefix: string;
  /** The number node-pg-migrate orders by. */
  order: number;
  name: string;
}

/**
 * Converts a node-pg-migrate directory's SQL migrations: `1700000000000_create-users.sql` with
 * `-- Up Migration` / `-- Down Migration` (no down marker: irreversible; no marker at all: the
 * whole file is the UP, as node-pg-migrate runs it). A 17-digit `utc` prefix, too large for an
 * aeturnis-db version, becomes the millisecond timestamp node-pg-migrate itself orders it by.
 * JavaScript and TypeScript migrations cannot be converted.
 *
 * @example
 * convertNodePgMigrate([{ path: '1700000000000_users.sql', text: '-- Up Migration\nCREATE TABLE users ();\n-- Down Migration\nDROP TABLE users;\n' }])
 * // migrations[0]: { versionDigits: '1700000000000', name: 'users', up: 'CREATE TABLE users ();\n', down: 'DROP TABLE users;\n', ... }
 */
export function convertNodePgMigrate(files: readonly SourceFile[]): ToolConversion {
  const result: ToolConversion = { migrations: [], problems: [], ignored: [] };
  const candidates: Candidate[] = [];
  for (const file of files) {
    if (file.path.startsWith('.')) continue; // node-pg-migrate's default ignorePattern
    const module = MODULE_EXTENSION.test(file.path);
    if (!module && !file.path.toLowerCase().endsWith('.sql')) {
      result.ignored.push(file.path);
      continue;
    }
    const prefix = /^\d+/.exec(file.path)?.[0];
    if (module)
      result.problems.push({
        file: file.path,
        reason: 'a node-pg-migrate JavaScript/TypeScript migration: only SQL migrations can be converted',
      });
    else if (prefix === undefined) result.problems.push({ file: file.path, reason: 'no numeric prefix (node-pg-migrate refuses it too)' });
    else {
      const order = orderOf(prefix);
      if (Number.isNaN(order)) result.problems.push({ file: file.path, reason: `prefix ${prefix} is not a valid UTC timestamp` });
      else candidates.push({ file, prefix, order, name: file.path.slice(prefix.length, -'.sql'.length).replace(/^[_-]/, '') });
    }
  }
  candidates.sort((a, b) => a.order - b.order || a.file.path.localeCompare(b.file.path, undefined, { numeric: true }));
  for (const candidate of candidates) convertText(result, candidate.file, (text) => convertFile(candidate, text));
  return result;
}

/**
 * The number node-pg-migrate orders a prefix by: the prefix itself, or for a 17-digit UTC
 * timestamp its milliseconds since 1970 (NaN for an impossible date).
 *
 * @example
 * orderOf('20200513070724505') // 1589353644505
 */
export function orderOf(prefix: string): number {
  const utc = prefix.length === 17 ? UTC_PREFIX.exec(prefix) : null;
  if (!utc) return Number(prefix);
  const [, year, month, day, hours, minutes, seconds, ms] = utc as unknown as string[];
  return new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}.${ms}Z`).valueOf();
}

function convertFile(candidate: Candidate, text: string): SourceMigration | ImportProblem {
  const { file, prefix } = candidate;
  const lookalike = markerLookalike(file.path, text, 1);
  if (lookalike) return lookalike;
  const sections = readSections(file.path, text);
  if ('reason' in sections) return sections;
  const notes = [...sections.notes];
  const utc = prefix.length === 17;
  if (utc) notes.push(`version ${prefix} (a UTC timestamp) becomes ${candidate.order}, the number node-pg-migrate orders it by`);
  return {
    sourceVersion: prefix,
    versionDigits: utc ? String(candidate.order) : prefix,
    name: nameOrDefault(candidate.name),
    sources: [file.path],
    header: sections.header,
    up: sections.up,
    down: sections.down,
    noTransaction: false, // node-pg-migrate runs every SQL migration in a transaction
    notes,
  };
}

function readSections(
  path: string,
  text: string,
): { header: string; up: string; down: string | undefined; notes: string[] } | ImportProblem {
  const lines = toLines(text);
  const up = lines.findIndex((line) => UP_MARKER.test(line));
  const down = lines.findIndex((line) => DOWN_MARKER.test(line));
  if (up === -1 && down !== -1) return { file: path, reason: 'no "-- Up Migration" line: the UP is missing' };
  if (up === -1)
    return {
      header: '',
      up: text,
      down: undefined,
      notes: ['no "-- Up Migration" line: the whole file is its UP, as node-pg-migrate runs it'],
    };
  const first = down === -1 ? up : Math.min(up, down);
  const stray = lines.slice(0, first).findIndex((line) => !isCommentOrBlank(line));
  if (stray !== -1) {
    return {
      file: path,
      reason: `line ${stray + 1}: SQL before the first marker, which node-pg-migrate never runs (delete it or move it below "-- Up Migration")`,
    };
  }
  return {
    header: joinLines(lines, 0, first),
    up: joinLines(lines, up + 1, down > up ? down : lines.length),
    down: down === -1 ? undefined : joinLines(lines, down + 1, up > down ? up : lines.length),
    notes: [],
  };
}
