import type { MigrationSqlError } from '../errors.js';
import { partialRunOf, type Direction } from '../run/errors.js';
import type { Migration } from '../migrations/parse.js';
import { compareSnapshots, describeDownDifference, describeRerunDifference, withoutImpliedDifferences } from './compare.js';
import type { SchemaSnapshot } from './snapshot.js';

/** What verify found for one migration. */
export interface VerifiedMigration {
  version: number;
  name: string;
  fileName: string;
  /**
   * `verified`: UP, DOWN, UP again, and DOWN restored the schema exactly.
   * `mismatch`: DOWN did not restore the schema (or UP run again built a different one).
   * `failed`: an SQL statement of UP, DOWN or UP run again failed (reported so only with
   * `keepGoing`; without it verify throws the error).
   * `irreversible`: no DOWN section, or an empty one; UP was applied, nothing to check.
   */
  outcome: 'verified' | 'mismatch' | 'failed' | 'irreversible';
  /** With `irreversible`: the file has no `-- DOWN` line (`absent`), or one with no SQL under it (`empty`). */
  downSection?: 'absent' | 'empty' | undefined;
  /** One readable line per difference, e.g. "DOWN left index idx_audit_actor on audit_log". */
  problems: string[];
  /** Time of the whole round trip (UP, DOWN, UP), snapshots included. */
  elapsedMs: number;
}

/** How a round trip runs its steps and reads the schema. */
export interface RoundTripSteps {
  /** Runs UP or DOWN; resolves with the SQL error (naming `step`) instead of throwing it. */
  run(migration: Migration, direction: Direction, step: string): Promise<MigrationSqlError | undefined>;
  snapshot(): Promise<SchemaSnapshot>;
  /** Report a failed step as the migration's result instead of throwing it. */
  keepGoing: boolean;
}

/** A round trip's result and the state it left the scratch database in. */
export interface RoundTrip {
  result: VerifiedMigration;
  /** UP is part of the scratch state now: a rebuild must apply it. */
  applied: boolean;
  /** The schema the scratch database holds now, when known (otherwise read when needed). */
  state: SchemaSnapshot | undefined;
  /** The scratch database is not in the state the next migration expects: rebuild it to go on. */
  rebuild: boolean;
}

/**
 * One migration through UP, DOWN (compared with `before`), UP again (compared with the first
 * UP). Without `keepGoing` a failing step throws, except UP failing again after a DOWN that
 * already explains why (a mismatch that needs a rebuild: without `keepGoing` the caller stops there).
 */
export async function roundTrip(steps: RoundTripSteps, migration: Migration, before: SchemaSnapshot): Promise<RoundTrip> {
  const started = performance.now();
  const finish = (
    outcome: VerifiedMigration['outcome'],
    problems: string[],
    applied: boolean,
    state: SchemaSnapshot | undefined,
  ): RoundTrip => {
    const { version, name, fileName } = migration;
    const result = { version, name, fileName, outcome, problems, elapsedMs: performance.now() - started };
    return { result, applied, state, rebuild: state === undefined };
  };
  const failed = (error: MigrationSqlError, applied: boolean, state: SchemaSnapshot | undefined): RoundTrip => {
    if (!steps.keepGoing) throw error;
    return finish('failed', [error.message], applied, leftHalfApplied(migration, error) ? undefined : state);
  };

  const upFailure = await steps.run(migration, 'up', 'UP');
  if (upFailure) return failed(upFailure, false, before);
  const afterUp = await steps.snapshot();
  if (migration.irreversible) {
    const irreversible = finish('irreversible', [], true, afterUp);
    irreversible.result.downSection = migration.down === undefined ? 'absent' : 'empty';
    return irreversible;
  }

  const downFailure = await steps.run(migration, 'down', 'DOWN');
  if (downFailure) return failed(downFailure, true, afterUp);
  const afterDown = await steps.snapshot();
  const problems = withoutImpliedDifferences(compareSnapshots(before, afterDown)).map(describeDownDifference);

  const rerunFailure = await steps.run(migration, 'up', 'UP run again after DOWN');
  if (rerunFailure && problems.length === 0) return failed(rerunFailure, true, undefined);
  if (rerunFailure) {
    // DOWN already explains this failure: one mismatch, both reported; the state is DOWN's.
    return finish('mismatch', [...problems, `UP could not run again after DOWN: ${rerunFailure.message}`], true, undefined);
  }
  const afterRerun = await steps.snapshot();
  const rerunDifferences = compareSnapshots(afterUp, afterRerun);
  if (problems.length === 0) problems.push(...withoutImpliedDifferences(rerunDifferences).map(describeRerunDifference));
  // UP run again on what DOWN left need not build what UP built the first time (a column DOWN
  // dropped stays dropped): the next migration would then be judged on a state no database has.
  const known = rerunDifferences.length === 0 ? afterRerun : undefined;
  return finish(problems.length > 0 ? 'mismatch' : 'verified', problems, true, known);
}

/**
 * A transaction that failed left nothing behind; a `-- aeturnis:no-transaction` section that
 * failed after its first statement left those statements applied.
 */
export function leftHalfApplied(migration: Migration, error: MigrationSqlError): boolean {
  // Either section may be the one that failed: a per-section directive counts as well.
  return (migration.noTransaction || migration.noTransactionSection !== undefined) && (partialRunOf(error)?.statementsApplied ?? 1) > 0;
}
