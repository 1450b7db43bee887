import { addOutcome, baseName, markerLookalike, nameOrDefault, nonTransactionalStatement, requireText } from './sql-text.js';
import type { ImportProblem, SourceFile, SourceMigration, ToolConversion } from './types.js';

/** Flyway's default names: `V1__desc.sql`, `U1__desc.sql`, `R__desc.sql`, `B1__desc.sql` (prefix, version, `__`, description). */
const MIGRATION_NAME = /^([VURB])([^_]*(?:_(?!_)[^_]*)*)__(.*)\.sql$/i;
/** Flyway's script migrations (`V2__load.sh`): not SQL. */
const SCRIPT_NAME = /^[VURB][0-9._]*__.*\.(sh|bash|cmd|bat|ps1|py)$/i;
/** A version: numbers separated by `.` or `_` (MigrationVersion: `1_1` is `1.1`). */
const VERSION = /^\d+([._]\d+)*$/;
/** Flyway's callback events; `<event>.sql` or `<event>__<desc>.sql` run around its commands. */
const CALLBACK_EVENTS = new Set(
  `beforeClean afterClean afterCleanError beforeMigrate beforeEachMigrate beforeEachMigrateStatement afterEachMigrateStatement
  afterEachMigrateStatementError afterEachMigrate afterEachMigrateError beforeRepeatables afterVersioned afterMigrateApplied
  afterMigrate afterMigrateError beforeUndo beforeEachUndo beforeEachUndoStatement afterEachUndoStatement
  afterEachUndoStatementError afterEachUndo afterEachUndoError afterUndo afterUndoError beforeValidate afterValidate
  afterValidateError beforeBaseline afterBaseline afterBaselineError beforeRepair afterRepair afterRepairError beforeInfo
  afterInfo afterInfoError afterMigrateOperationFinish afterInfoOperationFinish createSchema beforeCreateSchema
  beforeConnect afterConnect`.split(/\s+/),
);
/** `${name}`: Flyway replaces it from its configuration before running the SQL. */
const PLACEHOLDER = /\$\{([^}\n]+)\}/;
const COPY_FROM_STDIN = /^\s*COPY\b[^;]*\bFROM\s+STDIN\b/im;

interface Versioned {
  file: SourceFile;
  rawVersion: string;
  parts: bigint[];
  description: string;
}

/** What a repeatable migration becomes: applied once, after the versioned ones (see convertFlyway). */
const REPEATABLE_NOTE =
  'a Flyway repeatable migration (R__), converted to run once after every versioned one: Flyway re-applies it when it changes, ' +
  'aeturnis-db does not (to change it later, write a new migration with CREATE OR REPLACE; editing this file makes it modified)';

/**
 * Converts a Flyway location (subdirectories included): each `V<version>__<desc>.sql` with its
 * `U<version>__<desc>.sql` undo file as the DOWN (none: irreversible). What Flyway decides per
 * file maps to `-- aeturnis:no-transaction`: `executeInTransaction=false` in `<file>.conf`, or a
 * statement that cannot run in a transaction. Repeatable migrations (`R__<desc>.sql`) follow
 * the versioned ones, in Flyway's order (by description), each applied once, numbered after
 * the largest version. Baseline (`B`) migrations, callbacks, script migrations and placeholders
 * have no equivalent; a dotted version has no whole number (`--renumber` numbers them).
 */
export function convertFlyway(files: readonly SourceFile[]): ToolConversion {
  const result: ToolConversion = { migrations: [], problems: [], ignored: [] };
  const versioned: Versioned[] = [];
  const repeatable: Versioned[] = [];
  const undo = new Map<string, Versioned>();
  const configs = new Map<string, SourceFile>();
  for (const file of files) {
    const name = baseName(file.path);
    if (name.toLowerCase().endsWith('.sql.conf')) {
      configs.set(file.path.slice(0, -'.conf'.length), file);
      continue;
    }
    const classified = classify(file, name);
    if (classified === 'ignored') result.ignored.push(file.path);
    else if ('reason' in classified) result.problems.push(classified);
    else if (classified.prefix === 'U') addUnique(undo, classified.entry, result.problems);
    else if (classified.prefix === 'R') repeatable.push(classified.entry);
    else versioned.push(classified.entry);
  }
  const byVersion = new Map<string, Versioned>();
  for (const entry of versioned) addUnique(byVersion, entry, result.problems);
  for (const [key, entry] of undo) {
    if (!byVersion.has(key))
      result.problems.push({ file: entry.file.path, reason: `undo file for version ${displayVersion(entry)}, which no V file has` });
  }
  const ordered = [...byVersion.values()].sort((a, b) => comparePartLists(a.parts, b.parts));
  for (const entry of ordered) {
    const key = versionKey(entry.parts);
    addOutcome(result, convertMigration(entry, undo.get(key), configs.get(entry.file.path)));
  }
  addRepeatables(result, repeatable, ordered, configs);
  return result;
}

/**
 * Repeatable migrations, after the versioned ones as Flyway runs them, ordered by description
 * (a second file with the same description is a problem, as in Flyway); each takes the next
 * whole number after the largest version's first number (`--renumber` numbers them in turn).
 */
function addRepeatables(
  result: ToolConversion,
  repeatable: readonly Versioned[],
  versioned: readonly Versioned[],
  configs: Map<string, SourceFile>,
): void {
  let next = versioned.reduce((max, entry) => (entry.parts[0] !== undefined && entry.parts[0] > max ? entry.parts[0] : max), 0n) + 1n;
  const seen = new Map<string, Versioned>();
  const sorted = [...repeatable].sort((a, b) => (a.description < b.description ? -1 : a.description > b.description ? 1 : 0));
  for (const entry of sorted) {
    const clash = seen.get(entry.description);
    if (clash) {
      result.problems.push({
        file: entry.file.path,
        reason: `repeatable migration "${entry.description}" is also ${clash.file.path} (Flyway refuses it too)`,
      });
      continue;
    }
    seen.set(entry.description, entry);
    const outcome = convertMigration({ ...entry, rawVersion: String(next), parts: [next] }, undefined, configs.get(entry.file.path));
    if ('reason' in outcome) result.problems.push(outcome);
    else {
      result.migrations.push({ ...outcome, sourceVersion: `R__${entry.description}`, notes: [REPEATABLE_NOTE, ...outcome.notes] });
      next++;
    }
  }
}

function classify(file: SourceFile, name: string): 'ignored' | ImportProblem | { prefix: 'V' | 'U' | 'R'; entry: Versioned } {
  const stem = name.replace(/\.sql$/i, '');
  const event = stem.split('__')[0] ?? '';
  if (name.toLowerCase().endsWith('.sql') && CALLBACK_EVENTS.has(event)) {
    return { file: file.path, reason: `a Flyway callback (${event}): aeturnis-db has no callbacks (fold its SQL into a migration)` };
  }
  if (SCRIPT_NAME.test(name)) return { file: file.path, reason: 'a Flyway script migration: only SQL migrations can be converted' };
  const match = MIGRATION_NAME.exec(name);
  if (!match || !/^[VURB]$/.test(match[1] as string)) return 'ignored'; // Flyway's prefixes are case-sensitive
  const [, prefix, rawVersion, description] = match as unknown as [string, 'V' | 'U' | 'R' | 'B', string, string];
  if (prefix === 'R') {
    if (rawVersion !== '')
      return { file: file.path, reason: `a repeatable migration has no version (R__<description>.sql): "${rawVersion}"` };
    return { prefix, entry: { file, rawVersion: '', parts: [], description } };
  }
  if (prefix === 'B') {
    return {
      file: file.path,
      reason: 'a Flyway baseline migration (B): import the V migrations instead (aeturnis-db baseline records them)',
    };
  }
  if (!VERSION.test(rawVersion))
    return { file: file.path, reason: `could not recognise version "${rawVersion}" (Flyway would not either)` };
  const parts = rawVersion
    .replace(/_/g, '.')
    .split('.')
    .map((part) => BigInt(part));
  return { prefix, entry: { file, rawVersion, parts, description } };
}

function convertMigration(entry: Versioned, undo: Versioned | undefined, config: SourceFile | undefined): SourceMigration | ImportProblem {
  const up = requireText(entry.file);
  if (typeof up !== 'string') return up;
  const down = undo ? requireText(undo.file) : undefined;
  if (typeof down === 'object') return down;
  const settings = config ? readConfig(config) : new Map<string, string>();
  if ('reason' in settings) return settings;
  const refused = refusal(entry.file.path, up, settings) ?? (undo && refusal(undo.file.path, down ?? '', settings));
  if (refused) return refused;

  const notes: string[] = [];
  let noTransaction = false;
  if (settings.get('executeInTransaction')?.toLowerCase() === 'false') {
    noTransaction = true;
    notes.push(`executeInTransaction=false in ${baseName((config as SourceFile).path)}`);
  }
  const nonTransactional = nonTransactionalStatement(up) ?? (down === undefined ? undefined : nonTransactionalStatement(down));
  if (nonTransactional && !noTransaction) {
    noTransaction = true;
    notes.push(`${nonTransactional} cannot run inside a transaction (Flyway runs it outside one too)`);
  }
  const integer = entry.parts.length === 1;
  return {
    sourceVersion: displayVersion(entry),
    versionDigits: integer ? entry.rawVersion : undefined,
    name: nameOrDefault(entry.description),
    sources: undo ? [entry.file.path, undo.file.path] : [entry.file.path],
    header: '',
    up,
    down,
    noTransaction,
    notes,
  };
}

/** Why a V or U file's text cannot be converted, if it cannot. */
function refusal(path: string, text: string, settings: Map<string, string>): ImportProblem | undefined {
  const lookalike = markerLookalike(path, text, 1);
  if (lookalike) return lookalike;
  const placeholder = PLACEHOLDER.exec(text);
  if (placeholder && settings.get('placeholderReplacement')?.toLowerCase() !== 'false') {
    return {
      file: path,
      reason: `uses the Flyway placeholder ${placeholder[0]}, which Flyway fills in from its configuration: write the value in, then import`,
    };
  }
  if (COPY_FROM_STDIN.test(text))
    return { file: path, reason: 'COPY ... FROM STDIN with inline data: aeturnis-db sends no COPY data (use INSERT)' };
  return undefined;
}

/** A `<migration>.sql.conf` script configuration: `key=value` lines. */
function readConfig(file: SourceFile): Map<string, string> | ImportProblem {
  const text = requireText(file);
  if (typeof text !== 'string') return text;
  const settings = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const equals = trimmed.indexOf('=');
    if (equals === -1) continue;
    settings.set(trimmed.slice(0, equals).trim(), trimmed.slice(equals + 1).trim());
  }
  if (settings.has('shouldExecute')) {
    return { file: file.path, reason: 'shouldExecute: aeturnis-db has no conditional migrations' };
  }
  return settings;
}

/** Adds a V or U entry under its version; a second file with the same version is a problem. */
function addUnique(map: Map<string, Versioned>, entry: Versioned, problems: ImportProblem[]): void {
  const key = versionKey(entry.parts);
  const clash = map.get(key);
  if (clash) {
    problems.push({ file: entry.file.path, reason: `version ${displayVersion(entry)} is also the version of ${clash.file.path}` });
    return;
  }
  map.set(key, entry);
}

/** Flyway's identity of a version: its numbers without trailing zeros (`1.0` is `1`). */
function versionKey(parts: readonly bigint[]): string {
  const trimmed = [...parts];
  while (trimmed.length > 1 && trimmed[trimmed.length - 1] === 0n) trimmed.pop();
  return trimmed.join('.');
}

function displayVersion(entry: Versioned): string {
  return entry.rawVersion.replace(/_/g, '.');
}

/**
 * Flyway's version order: number by number, a missing number counting as 0.
 */
function comparePartLists(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
