import { UsageError, ValidationError } from '../errors.js';
import type { Migration } from './parse.js';
import { resumePoint, type ResumePoint } from './resume.js';
import { compareVersions, computeStatus, findProblems, isRewrittenPlaceholder, type JournalRow, type PartialRow } from './status.js';

export { computeStatus, findProblems };
export type { JournalRow, MigrationState, MigrationStatus, PartialRow } from './status.js';

/** Options of {@link planUp}. */
export interface PlanUpOptions {
  /** Apply only pending migrations with version <= to. Must name a known version. */
  to?: number | undefined;
  allowOutOfOrder?: boolean | undefined;
}

/** An applied placeholder rewritten in SQL: `up` records its new checksum (its SQL does not run). */
export interface RewrittenPlaceholder {
  migration: Migration;
  /** The placeholder's checksum, still in the journal. */
  recorded: string;
  /** The code file it stood for. */
  of: string;
}

/**
 * Decides which migrations `up` applies, in order, and which rewritten placeholders' checksums
 * it records. Throws {@link ValidationError} (exit 3) when anything is modified, missing or out
 * of order, before anything runs. Pure.
 */
export function planUp(
  migrations: readonly Migration[],
  journal: readonly JournalRow[],
  options: PlanUpOptions = {},
  partialRuns: readonly PartialRow[] = [],
): { pending: Migration[]; resume: Map<number, ResumePoint>; rewritten: RewrittenPlaceholder[] } {
  if (options.to !== undefined && !migrations.some((m) => m.version === options.to) && !journal.some((r) => r.version === options.to)) {
    throw new UsageError(`--to ${options.to}: no migration has version ${options.to}`);
  }
  const rows = computeStatus(migrations, journal, partialRuns);
  const problems = findProblems(rows, { ...options, resumingPartialUps: true });
  if (problems.length > 0) {
    throw new ValidationError(`refusing to run up: ${problems.length === 1 ? problems[0] : `${problems.length} problems`}`, problems);
  }
  const applied = new Set(journal.map((r) => r.version));
  const pending = migrations.filter((m) => !applied.has(m.version) && (options.to === undefined || m.version <= options.to));
  assertNoPlaceholder(pending);
  return { pending, resume: resumePoints(pending, partialRuns, 'up'), rewritten: rewrittenPlaceholders(migrations, journal) };
}

/** The applied placeholders rewritten in SQL whose new checksum the journal does not hold yet. */
function rewrittenPlaceholders(migrations: readonly Migration[], journal: readonly JournalRow[]): RewrittenPlaceholder[] {
  const rows = new Map(journal.map((row) => [row.version, row]));
  return migrations.flatMap((migration) => {
    const row = rows.get(migration.version);
    return row?.adoptedPlaceholder && isRewrittenPlaceholder(migration, row)
      ? [{ migration, recorded: row.checksum, of: row.adoptedPlaceholder.of }]
      : [];
  });
}

/**
 * A placeholder (`-- aeturnis:placeholder`, written by `import --placeholders`) stands for
 * another tool's code migration: where that tool never applied it, there is no SQL to run.
 * Refused before anything runs (exit 3, as out-of-order and irreversible are: the file is
 * valid, this database's state is what cannot go on), naming each file to rewrite in SQL.
 */
function assertNoPlaceholder(pending: readonly Migration[]): void {
  const problems = pending.flatMap(({ fileName, placeholder }) =>
    placeholder
      ? [
          `${fileName} is a placeholder for ${placeholder.tool}'s ${placeholder.source}, never applied here: rewrite it in SQL (keep its file name)`,
        ]
      : [],
  );
  if (problems.length === 0) return;
  throw new ValidationError(
    `refusing to run up: ${problems.length === 1 ? problems[0] : `${problems.length} placeholders to rewrite in SQL`}; nothing was applied`,
    problems,
  );
}

/** Resume points of the selected migrations that stopped part way in `direction`. */
function resumePoints(
  selected: readonly Migration[],
  partialRuns: readonly PartialRow[],
  direction: 'up' | 'down',
): Map<number, ResumePoint> {
  const stopped = new Map(partialRuns.filter((run) => run.direction === direction).map((run) => [run.version, run]));
  const points = new Map<number, ResumePoint>();
  for (const migration of selected) {
    const run = stopped.get(migration.version);
    if (run) points.set(migration.version, resumePoint(migration, run));
  }
  return points;
}

/** Options of {@link planDown}: at most one of `count` and `to`. */
export interface PlanDownOptions {
  /** Roll back the newest `count` applied migrations (default 1). */
  count?: number | undefined;
  /** Roll back every applied migration with version > to (0: all). */
  to?: number | undefined;
}

/**
 * Decides which applied migrations `down` rolls back, newest first. Throws
 * {@link ValidationError} (exit 3) before anything changes when one of them is irreversible,
 * modified or has no file. Pure.
 */
export function planDown(
  migrations: readonly Migration[],
  journal: readonly JournalRow[],
  options: PlanDownOptions = {},
  partialRuns: readonly PartialRow[] = [],
): { rollback: Migration[]; resume: Map<number, ResumePoint> } {
  if (options.count !== undefined && options.to !== undefined) throw new UsageError('down: give either N or --to, not both');
  const { to } = options;
  if (to !== undefined && to !== 0 && !migrations.some((m) => m.version === to) && !journal.some((r) => r.version === to)) {
    throw new UsageError(`--to ${to}: no migration has version ${to} (use --to 0 to roll back everything)`);
  }
  const newestFirst = [...journal].sort((a, b) => compareVersions(b.versionText ?? String(b.version), a.versionText ?? String(a.version)));
  const selected = to !== undefined ? newestFirst.filter((r) => r.version > to) : newestFirst.slice(0, options.count ?? 1);

  const files = new Map(migrations.map((m) => [m.version, m]));
  const rollback: Migration[] = [];
  for (const row of selected) {
    const migration = files.get(row.version);
    if (!migration) {
      const problem = `version ${row.versionText ?? row.version} (${row.name}) is applied but its file is missing`;
      throw new ValidationError(`refusing to run down: ${problem}`, [problem]);
    }
    // A DOWN that stopped part way is fixed by editing it: its resume point checks that the
    // statements that already ran are unchanged instead.
    const resumingDown = partialRuns.some((run) => run.version === migration.version && run.direction === 'down');
    if (migration.checksum !== row.checksum && !resumingDown && !isRewrittenPlaceholder(migration, row)) {
      const problem = `${migration.fileName} was modified after it was applied (checksum differs)`;
      throw new ValidationError(`refusing to run down: ${problem}`, [problem]);
    }
    if (migration.irreversible) {
      const problem = `${migration.fileName} is irreversible (no DOWN section, or an empty one; if there is truly nothing to undo, put -- aeturnis:nothing-to-undo in its DOWN section)`;
      throw new ValidationError(`refusing to run down: ${problem}; nothing was rolled back`, [problem]);
    }
    rollback.push(migration);
  }
  return { rollback, resume: resumePoints(rollback, partialRuns, 'down') };
}

/**
 * Decides what `redo` rolls back and applies again: the newest applied migration. Its file may
 * have been edited since it was applied (that is the point of redo: the developer's edit loop;
 * its current DOWN section runs), but every other applied migration must be intact, and the
 * migration must have a file and a DOWN section. Throws {@link ValidationError} (exit 3) before
 * anything changes; `undefined` when nothing is applied. Pure.
 */
export function planRedo(
  migrations: readonly Migration[],
  journal: readonly JournalRow[],
): { migration: Migration; edited: boolean } | undefined {
  const newest = journal.reduce<JournalRow | undefined>((max, row) => (!max || row.version > max.version ? row : max), undefined);
  if (!newest) return undefined;
  const migration = migrations.find((m) => m.version === newest.version);
  if (!migration) {
    const problem = `version ${newest.version} (${newest.name}) is applied but its file is missing`;
    throw new ValidationError(`refusing to redo: ${problem}`, [problem]);
  }
  const edited = migration.checksum !== newest.checksum;
  const others = computeStatus(migrations, journal).filter((row) => row.version !== newest.version);
  const problems = findProblems(others, { allowOutOfOrder: true });
  if (problems.length > 0) {
    throw new ValidationError(`refusing to redo: ${problems.length === 1 ? problems[0] : `${problems.length} problems`}`, problems);
  }
  if (migration.irreversible) {
    const problem = `${migration.fileName} is irreversible (no DOWN section, or an empty one; if there is truly nothing to undo, put -- aeturnis:nothing-to-undo in its DOWN section)`;
    throw new ValidationError(`refusing to redo: ${problem}; nothing was rolled back`, [problem]);
  }
  return { migration, edited };
}
