import { UsageError, ValidationError } from '../errors.js';
import type { Migration } from './parse.js';

/** One row of the journal table (`schema_migrations`). */
export interface JournalRow {
  version: number;
  name: string;
  checksum: string;
  appliedAt: Date;
  executionMs: number;
}

/** State of a known migration: a file, a journal row, or both. */
export type MigrationState = 'applied' | 'pending' | 'modified' | 'missing';

/** One row of `status`. */
export interface MigrationStatus {
  version: number;
  name: string;
  state: MigrationState;
  /** `undefined` for pending migrations. */
  appliedAt: Date | undefined;
  executionMs: number | undefined;
  /** `undefined` for missing migrations (applied, but no file). */
  fileName: string | undefined;
  /** Pending, and older than the newest applied migration. */
  outOfOrder: boolean;
}

/**
 * Joins files and journal into one row per known migration, ordered by version. Pure.
 *
 * @example
 * const rows = computeStatus(loadMigrations('migrations'), journalRows);
 * rows.filter((r) => r.state === 'pending').length
 */
export function computeStatus(migrations: readonly Migration[], journal: readonly JournalRow[]): MigrationStatus[] {
  const applied = new Map(journal.map((row) => [row.version, row]));
  const newestApplied = journal.reduce((max, row) => Math.max(max, row.version), 0);
  const rows: MigrationStatus[] = [];
  for (const migration of migrations) {
    const row = applied.get(migration.version);
    applied.delete(migration.version);
    if (row) {
      rows.push({
        version: migration.version,
        name: migration.name,
        state: row.checksum === migration.checksum ? 'applied' : 'modified',
        appliedAt: row.appliedAt,
        executionMs: row.executionMs,
        fileName: migration.fileName,
        outOfOrder: false,
      });
    } else {
      rows.push({
        version: migration.version,
        name: migration.name,
        state: 'pending',
        appliedAt: undefined,
        executionMs: undefined,
        fileName: migration.fileName,
        outOfOrder: migration.version < newestApplied,
      });
    }
  }
  for (const row of applied.values()) {
    rows.push({
      version: row.version,
      name: row.name,
      state: 'missing',
      appliedAt: row.appliedAt,
      executionMs: row.executionMs,
      fileName: undefined,
      outOfOrder: false,
    });
  }
  return rows.sort((a, b) => a.version - b.version);
}

/**
 * Every problem `validate` (and `up`) reports, as human-readable lines. Empty when all is well.
 * With `allowOutOfOrder`, out-of-order pending migrations are not a problem.
 *
 * @example
 * findProblems(computeStatus(files, journal))
 * // ['0002_add_email.sql was modified after it was applied (checksum differs)']
 */
export function findProblems(rows: readonly MigrationStatus[], options: { allowOutOfOrder?: boolean } = {}): string[] {
  const problems: string[] = [];
  const newestApplied = rows.reduce((max, r) => (r.state === 'pending' ? max : Math.max(max, r.version)), 0);
  for (const row of rows) {
    if (row.state === 'modified') {
      problems.push(`${row.fileName} was modified after it was applied (checksum differs)`);
    } else if (row.state === 'missing') {
      problems.push(`version ${row.version} (${row.name}) is applied but its file is missing`);
    } else if (row.outOfOrder && !options.allowOutOfOrder) {
      problems.push(
        `${row.fileName} is pending but older than the newest applied version ${newestApplied} (out of order; use --allow-out-of-order to apply it)`,
      );
    }
  }
  return problems;
}

/** Options of {@link planUp}. */
export interface PlanUpOptions {
  /** Apply only pending migrations with version <= to. Must name a known version. */
  to?: number | undefined;
  allowOutOfOrder?: boolean | undefined;
}

/**
 * Decides which migrations `up` applies, in order. Throws {@link ValidationError} (exit 3) when
 * anything is modified, missing or out of order, before anything runs. Pure.
 *
 * @example
 * const { pending } = planUp(files, journal, { to: 3 });
 */
export function planUp(
  migrations: readonly Migration[],
  journal: readonly JournalRow[],
  options: PlanUpOptions = {},
): { pending: Migration[] } {
  if (options.to !== undefined && !migrations.some((m) => m.version === options.to) && !journal.some((r) => r.version === options.to)) {
    throw new UsageError(`--to ${options.to}: no migration has version ${options.to}`);
  }
  const rows = computeStatus(migrations, journal);
  const problems = findProblems(rows, options);
  if (problems.length > 0) {
    throw new ValidationError(`refusing to run up: ${problems.length === 1 ? problems[0] : `${problems.length} problems`}`, problems);
  }
  const applied = new Set(journal.map((r) => r.version));
  const pending = migrations.filter(
    (m) => !applied.has(m.version) && (options.to === undefined || m.version <= options.to),
  );
  return { pending };
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
 *
 * @example
 * planDown(files, journal, { count: 2 }).rollback.map((m) => m.version) // [5, 4]
 */
export function planDown(
  migrations: readonly Migration[],
  journal: readonly JournalRow[],
  options: PlanDownOptions = {},
): { rollback: Migration[] } {
  if (options.count !== undefined && options.to !== undefined) throw new UsageError('down: give either N or --to, not both');
  const { to } = options;
  if (to !== undefined && to !== 0 && !migrations.some((m) => m.version === to) && !journal.some((r) => r.version === to)) {
    throw new UsageError(`--to ${to}: no migration has version ${to} (use --to 0 to roll back everything)`);
  }
  const newestFirst = [...journal].sort((a, b) => b.version - a.version);
  const selected =
    to !== undefined ? newestFirst.filter((r) => r.version > to) : newestFirst.slice(0, options.count ?? 1);

  const files = new Map(migrations.map((m) => [m.version, m]));
  const rollback: Migration[] = [];
  for (const row of selected) {
    const migration = files.get(row.version);
    if (!migration) {
      throw new ValidationError(`refusing to run down: version ${row.version} (${row.name}) is applied but its file is missing`, [
        `version ${row.version} (${row.name}) is applied but its file is missing`,
      ]);
    }
    if (migration.checksum !== row.checksum) {
      const problem = `${migration.fileName} was modified after it was applied (checksum differs)`;
      throw new ValidationError(`refusing to run down: ${problem}`, [problem]);
    }
    if (migration.irreversible) {
      const problem = `${migration.fileName} is irreversible (no DOWN section, or an empty one)`;
      throw new ValidationError(`refusing to run down: ${problem}; nothing was rolled back`, [problem]);
    }
    rollback.push(migration);
  }
  return { rollback };
}

/**
 * Decides what `redo` rolls back and applies again: the newest applied migration. Its file may
 * have been edited since it was applied (that is the point of redo: the developer's edit loop;
 * its current DOWN section runs), but every other applied migration must be intact, and the
 * migration must have a file and a DOWN section. Throws {@link ValidationError} (exit 3) before
 * anything changes; `undefined` when nothing is applied. Pure.
 *
 * @example
 * const plan = planRedo(files, journal);
 * if (plan?.edited) console.log(`${plan.migration.fileName} changed since it was applied`);
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
    const problem = `${migration.fileName} is irreversible (no DOWN section, or an empty one)`;
    throw new ValidationError(`refusing to redo: ${problem}; nothing was rolled back`, [problem]);
  }
  return { migration, edited };
}
