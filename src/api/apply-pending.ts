import { DEFAULT_PARTITIONED_TABLE, DEFAULT_PARTITIONS_AHEAD } from '../config.js';
import { UsageError } from '../errors.js';
import { readJournal } from '../db/journal.js';
import type { Migration } from '../migrations/parse.js';
import { planUp } from '../migrations/plan.js';
import { MAX_PARTITIONS_AHEAD, maintainPartitions } from '../partitions/ensure.js';
import type { PartitionReport } from '../partitions/types.js';
import type { PlannedMigration, RanMigration } from './events.js';
import type { CommonOptions } from './options.js';
import { runAll } from './run.js';
import type { CommandScope } from './scope.js';

/**
 * The step `up` is made of, shared with `reset`: read the journal, plan what is pending, apply it
 * (each migration in its own transaction), then the audit_log partition step. Runs inside a
 * command's scope, under the runner lock its caller holds.
 */

/** The partition step of `up`: which table, how many months ahead. */
export interface PartitionStep {
  table?: string;
  ahead?: number;
}

/** What to apply, and whether to only say so. */
export interface PendingOptions {
  to?: number | undefined;
  dryRun?: boolean | undefined;
  allowOutOfOrder?: boolean | undefined;
  /** The partition step after migrating (default: audit_log, 3 months ahead); `false` skips it. */
  partitions?: PartitionStep | false | undefined;
}

/** Result of {@link applyPending}. */
export interface ApplyResult {
  /** Applied in this run, in order (empty on a dry run). */
  applied: RanMigration[];
  /** What would be (dry run) or was planned. */
  planned: PlannedMigration[];
  /** The audit_log partition step (undefined when skipped). */
  partitions: PartitionReport | undefined;
}

/**
 * Applies every pending migration of `migrations` in order, then ensures the partitions of
 * audit_log when that table is laid out in months. Refuses (exit 3, nothing run) what `up`
 * refuses: modified, missing, out of order.
 *
 * @example
 * return withSession(options, (scope) => applyPending(scope, migrations, options), {});
 */
export async function applyPending(
  scope: CommandScope,
  migrations: readonly Migration[],
  options: CommonOptions & PendingOptions,
): Promise<ApplyResult> {
  const { rows, partial } = await readJournal(scope.session.client, scope.journal);
  const { pending, resume } = planUp(migrations, rows, options, partial);
  const planned = pending.map(({ version, name, fileName }) => ({ version, name, fileName }));
  if (options.dryRun) {
    scope.emit({ type: 'plan', direction: 'up', migrations: planned });
    return { applied: [], planned, partitions: undefined };
  }
  if (pending.length === 0) scope.emit({ type: 'nothing-to-do', direction: 'up' });
  const applied = await runAll(scope, pending, options, { direction: 'up', resume });
  const partitions = options.partitions === false ? undefined : await partitionStep(scope, options.partitions ?? {});
  return { applied, planned, partitions };
}

/**
 * Checked before anything runs, so a bad value cannot fail the run after migrations applied.
 *
 * @example
 * assertPartitionStep({ ahead: -1 }) // throws UsageError
 */
export function assertPartitionStep(step: PartitionStep | false | undefined): void {
  const ahead = step === false ? undefined : step?.ahead;
  if (ahead !== undefined && !(Number.isSafeInteger(ahead) && ahead >= 0 && ahead <= MAX_PARTITIONS_AHEAD)) {
    throw new UsageError(`partitions.ahead must be a whole number from 0 to ${MAX_PARTITIONS_AHEAD} (got ${ahead})`);
  }
}

/**
 * The step after the migrations: an audit_log that is not ours (the user's own table, another
 * tool's layout) is reported and left as it is — the migrations applied fine, so up succeeds.
 */
async function partitionStep(scope: CommandScope, step: PartitionStep): Promise<PartitionReport> {
  return maintainPartitions(scope.session.client, {
    table: step.table ?? DEFAULT_PARTITIONED_TABLE,
    ahead: step.ahead ?? DEFAULT_PARTITIONS_AHEAD,
    unmanaged: 'leave-alone',
    onEvent: (event) => scope.emit({ type: 'partition', event }),
  });
}
