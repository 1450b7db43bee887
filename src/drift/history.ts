import { UsageError, ValidationError } from '../errors.js';
import type { Migration } from '../migrations/parse.js';
import { resumePoint } from '../migrations/resume.js';
import { splitSqlStatements } from '../migrations/split.js';
import { computeStatus, findProblems, type JournalRow, type PartialRow } from '../migrations/status.js';
import type { ComparableSchema } from './compare.js';

/**
 * The history `drift` rebuilds: what the live database's journal says was applied, in the order
 * it was applied, as steps to run on a scratch database from the local files (pure); its key;
 * and the expected schemas built so far, by that key.
 */

/** One section (or the first statements of one) to run on the scratch database. */
export interface BuildStep {
  migration: Migration;
  direction: 'up' | 'down';
  /** Only this many statements (a no-transaction migration that stopped part way); undefined: all. */
  statements?: number | undefined;
}

/** The steps, and a key equal for every database with the same applied history. */
export interface AppliedHistory {
  steps: BuildStep[];
  /** Ordered version, checksum and partial state of every step: the expected schema's cache key. */
  key: string;
  /** Migrations fully applied (journal rows). */
  applied: number;
}

interface TimedStep {
  at: number;
  version: number;
  step: BuildStep;
}

/**
 * Turns the journal's rows and partial runs into build steps. Refuses (exit 3, validate's
 * message) a modified or missing applied file, and (exit 2) an applied placeholder, whose code
 * cannot be rebuilt from SQL.
 */
export function appliedHistory(
  migrations: readonly Migration[],
  rows: readonly JournalRow[],
  partial: readonly PartialRow[],
): AppliedHistory {
  refuseChangedFiles(migrations, rows, partial);
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  const fileOf = (version: number): Migration => byVersion.get(version) as Migration;
  const timed: TimedStep[] = rows.map((row) => ({
    at: row.appliedAt.getTime(),
    version: row.version,
    step: { migration: fileOf(row.version), direction: 'up' },
  }));
  for (const run of partial) {
    const migration = fileOf(run.version);
    resumePoint(migration, run); // the statements that ran must read as they did (exit 3 otherwise)
    if (run.statementsApplied === 0) continue;
    timed.push({
      at: run.failedAt.getTime(),
      version: run.version,
      step: { migration, direction: run.direction, statements: run.statementsApplied },
    });
  }
  timed.sort((a, b) => a.at - b.at || a.version - b.version);
  const steps = timed.map((t) => t.step);
  const placeholder = steps.find((s) => s.migration.placeholder);
  if (placeholder) {
    const { tool, source } = placeholder.migration.placeholder as { tool: string; source: string };
    throw new UsageError(
      `${placeholder.migration.fileName} is applied but is a placeholder for ${tool}'s code migration ${source}: drift cannot rebuild what that code did; rewrite the file in SQL`,
    );
  }
  return { steps, key: historyKey(steps), applied: rows.length };
}

/** `version:checksum:direction:statements` of every step, in order. Pure. */
function historyKey(steps: readonly BuildStep[]): string {
  return steps.map((s) => `${s.migration.version}:${s.migration.checksum}:${s.direction}:${s.statements ?? 'all'}`).join(',');
}

/** Modified or missing applied files, and partial runs without their file: what validate says (exit 3). */
function refuseChangedFiles(migrations: readonly Migration[], rows: readonly JournalRow[], partial: readonly PartialRow[]): void {
  const status = computeStatus(migrations, rows, partial);
  const problems = findProblems(status.filter((row) => row.state === 'modified' || row.state === 'missing'));
  const known = new Set(migrations.map((m) => m.version));
  for (const run of partial) {
    if (!known.has(run.version))
      problems.push(
        `version ${run.version} (${run.name}) is partially ${run.direction === 'up' ? 'applied' : 'rolled back'} but its file is missing`,
      );
  }
  if (problems.length === 0) return;
  const summary = problems.length === 1 ? problems[0] : `${problems.length} problems`;
  throw new ValidationError(
    `validation failed: ${summary}; drift builds the expected schema from the applied files, so it built nothing`,
    problems,
  );
}

/**
 * The migration with only its first `count` statements in `direction`'s section (the rest cut
 * off, line numbers kept), for a run that stopped part way. Pure.
 */
export function truncatedMigration(migration: Migration, direction: 'up' | 'down', count: number): Migration {
  const section = direction === 'up' ? migration.up : migration.down;
  if (!section) return migration;
  const statements = splitSqlStatements(section.sql);
  const last = statements[Math.min(count, statements.length) - 1];
  if (!last || count >= statements.length) return migration;
  const cut = { ...section, sql: `${section.sql.slice(0, last.offset + last.text.length)};\n` };
  return direction === 'up' ? { ...migration, up: cut } : { ...migration, down: cut };
}

/** The schema a history builds, as read on the scratch database (its expected objects are left out at comparison). */
export interface ExpectedSchema extends ComparableSchema {
  /** The scratch database it was built on (dropped unless given with scratchUrl). */
  database: string;
  /** Steps run (sections, or their first statements for a partial run). */
  steps: number;
  ms: number;
}

/**
 * Expected schemas by applied history (see historyKey): a fleet run shares one, so databases
 * with the same history are compared with one build. Concurrent targets with the same history
 * wait for the same build; a build that failed is forgotten, so the next target tries again.
 */
export class ExpectedSchemaCache {
  private readonly schemas = new Map<string, Promise<ExpectedSchema>>();

  /** The schema of `key`, built by `build` only when no one has (or is building) it. */
  async get(key: string, build: () => Promise<ExpectedSchema>): Promise<{ schema: ExpectedSchema; built: boolean }> {
    const known = this.schemas.get(key);
    if (known) return { schema: await known, built: false };
    const building = build();
    this.schemas.set(key, building);
    building.catch(() => this.schemas.delete(key));
    return { schema: await building, built: true };
  }

  /** Distinct histories built or being built. */
  get size(): number {
    return this.schemas.size;
  }
}
