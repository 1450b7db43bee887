import { addOutcome, convertText, isCommentOrBlank, joinLines, markerLookalike, nameOrDefault, requireText, toLines } from './sql-text.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

/** node-pg-migrate's SQL markers (sqlMigration.ts): `-- Up Migration`, `-- Down Migration`, any case. */
const UP_MARKER = /^\s*--[\s-]*up\s+migration/i;
const DOWN_MARKER = /^\s*--[\s-]*down\s+migration/i;
/** Migrations node-pg-migrate loads as modules: they hold code, not SQL. */
const MODULE_EXTENSION = /\.(js|cjs|mjs|ts|cts|mts)$/i;
/** A 17-digit prefix is its `utc` format, `YYYYMMDDHHMMSSmmm` (fileNameUtils.ts). */
const UTC_PREFIX = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{3})$/;

/** Its `sql` loader's split layout (migrationLoader.ts): `<id>.up.sql` and `<id>.down.sql`. */
const SPLIT_FILE = /^(.*)\.(up|down)\.sql$/;

interface Candidate {
  /** The one `.sql` file; for the split layout, the `.up.sql` file. */
  file: SourceFile;
  /** The split layout's `.down.sql` file (undefined: none, or a single `.sql` file). */
  downFile?: SourceFile | undefined;
  /** `<id>.up.sql` / `.down.sql` rather than one file with markers. */
  split: boolean;
  prefix: string;
  /** The number node-pg-migrate orders by. */
  order: number;
  name: string;
}

/**
 * Converts a node-pg-migrate directory's SQL migrations: `1700000000000_create-users.sql` with
 * `-- Up Migration` / `-- Down Migration` (no down marker: irreversible; no marker at all: the
 * whole file is the UP, as node-pg-migrate runs it); or its `sql` loader's pairs
 * `1700000000000_create-users.up.sql` + `.down.sql`, one migration with its DOWN (a down file is
 * never a migration of its own). A 17-digit `utc` prefix, too large for an
 * aeturnis-db version, becomes the millisecond timestamp node-pg-migrate itself orders it by.
 * JavaScript and TypeScript migrations cannot be converted.
 */
export function convertNodePgMigrate(files: readonly SourceFile[]): ToolConversion {
  const result: ToolConversion = { migrations: [], problems: [], ignored: [] };
  const groups = new Map<string, Group>();
  for (const file of files) {
    if (file.path.startsWith('.')) continue; // node-pg-migrate's default ignorePattern
    if (MODULE_EXTENSION.test(file.path)) {
      result.problems.push({
        file: file.path,
        reason: 'a node-pg-migrate JavaScript/TypeScript migration: only SQL migrations can be converted',
      });
    } else if (!file.path.toLowerCase().endsWith('.sql')) result.ignored.push(file.path);
    else addToGroup(groups, file);
  }
  const candidates: Candidate[] = [];
  for (const [id, group] of groups) {
    const candidate = candidateOf(id, group);
    if ('reason' in candidate) result.problems.push(candidate);
    else candidates.push(candidate);
  }
  candidates.sort((a, b) => a.order - b.order || a.file.path.localeCompare(b.file.path, undefined, { numeric: true }));
  for (const candidate of candidates) {
    if (candidate.split) addOutcome(result, convertSplit(candidate));
    else convertText(result, candidate.file, (text) => convertFile(candidate, text));
  }
  return result;
}

/** The files of one migration id: one `.sql` file, or the split layout's up and down files. */
interface Group {
  single?: SourceFile;
  up?: SourceFile;
  down?: SourceFile;
}

function addToGroup(groups: Map<string, Group>, file: SourceFile): void {
  const split = SPLIT_FILE.exec(file.path);
  const id = split ? (split[1] as string) : file.path.slice(0, -'.sql'.length);
  const group = groups.get(id) ?? {};
  groups.set(id, group);
  const part = split ? (split[2] as 'up' | 'down') : 'single';
  group[part] = file; // one directory holds one file of each name: no duplicates to check
}

/** A group as a migration to convert, or the problem node-pg-migrate itself would have with it. */
function candidateOf(id: string, group: Group): Candidate | ImportProblem {
  const file = group.single ?? group.up ?? (group.down as SourceFile);
  if (group.single && (group.up || group.down)) {
    const other = (group.up ?? group.down) as SourceFile;
    return { file: file.path, reason: `${other.path} next to it: node-pg-migrate refuses to mix one .sql file with .up.sql/.down.sql` };
  }
  if (!group.single && !group.up) return { file: file.path, reason: `no ${id}.up.sql next to it: the UP is missing` };
  const prefix = /^\d+/.exec(id)?.[0];
  if (prefix === undefined) return { file: file.path, reason: 'no numeric prefix (node-pg-migrate refuses it too)' };
  const order = orderOf(prefix);
  if (Number.isNaN(order)) return { file: file.path, reason: `prefix ${prefix} is not a valid UTC timestamp` };
  return {
    file,
    downFile: group.down,
    split: group.single === undefined,
    prefix,
    order,
    name: id.slice(prefix.length).replace(/^[_-]/, ''),
  };
}

/**
 * The number node-pg-migrate orders a prefix by: the prefix itself, or for a 17-digit UTC
 * timestamp its milliseconds since 1970 (NaN for an impossible date).
 */
export function orderOf(prefix: string): number {
  const utc = prefix.length === 17 ? UTC_PREFIX.exec(prefix) : null;
  if (!utc) return Number(prefix);
  const [, year, month, day, hours, minutes, seconds, ms] = utc as unknown as string[];
  return new Date(`${year}-${month}-${day}T${hours}:${minutes}:${seconds}.${ms}Z`).valueOf();
}

function convertFile(candidate: Candidate, text: string): SourceMigration | ImportProblem {
  const lookalike = markerLookalike(candidate.file.path, text, 1);
  if (lookalike) return lookalike;
  const sections = readSections(candidate.file.path, text);
  if ('reason' in sections) return sections;
  return migrationOf(candidate, sections);
}

/**
 * `<id>.up.sql` + `<id>.down.sql`: each file is all SQL, run as it is (no markers). An empty
 * down file counts as none (node-pg-migrate tests it for truth), so the migration stays
 * irreversible; a down file with only comments is reversible with nothing to undo.
 */
function convertSplit(candidate: Candidate): SourceMigration | ImportProblem {
  const up = requireText(candidate.file);
  if (typeof up !== 'string') return up;
  const down = candidate.downFile ? requireText(candidate.downFile) : undefined;
  if (typeof down === 'object') return down;
  const lookalike =
    markerLookalike(candidate.file.path, up, 1) ?? (candidate.downFile && markerLookalike(candidate.downFile.path, down ?? '', 1));
  if (lookalike) return lookalike;
  const notes = down === '' ? [`${candidate.downFile?.path} is empty, which node-pg-migrate takes as no down`] : [];
  return migrationOf(candidate, { header: '', up, down: down === '' ? undefined : down, notes });
}

function migrationOf(
  candidate: Candidate,
  sections: { header: string; up: string; down: string | undefined; notes: string[] },
): SourceMigration {
  const { prefix } = candidate;
  const notes = [...sections.notes];
  const utc = prefix.length === 17;
  if (utc) notes.push(`version ${prefix} (a UTC timestamp) becomes ${candidate.order}, the number node-pg-migrate orders it by`);
  return {
    sourceVersion: prefix,
    versionDigits: utc ? String(candidate.order) : prefix,
    name: nameOrDefault(candidate.name),
    sources: candidate.downFile ? [candidate.file.path, candidate.downFile.path] : [candidate.file.path],
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
