import { DEFAULT_PARTITIONED_TABLE, DEFAULT_PARTITIONS_AHEAD } from '../config.js';
import { UsageError } from '../errors.js';
import { readJournal } from '../db/journal.js';
import { loadMigrations } from '../migrations/discover.js';
import type { Migration } from '../migrations/parse.js';
import { planUp } from '../migrations/plan.js';
import type { ClientBase } from 'pg';
import { MAX_PARTITIONS_AHEAD, maintainPartitions, type MaintainPartitionsOptions } from '../partitions/ensure.js';
import { runSettings } from '../partitions/options.js';
import { concludeReport, emptyReport } from '../partitions/report.js';
import type { PartitionReport } from '../partitions/types.js';
import type { PlannedMigration, RanMigration } from './events.js';
import { migrationsDir, type CommonOptions } from './options.js';
import { runAll } from './run.js';
import { withSession, type CommandScope } from './scope.js';

/** Result of {@link migrate}. */
export interface MigrateResult {
  /** Applied in this run, in order (empty on a dry run). */
  applied: RanMigration[];
  /** What would be (dry run) or was planned. */
  planned: PlannedMigration[];
  /** The audit_log partition step (undefined when skipped). */
  partitions: PartitionReport | undefined;
}

/** The partition step of `up`: which table, how many months ahead. */
export interface PartitionStep {
  table?: string;
  ahead?: number;
}

/** Options of {@link migrate}. */
export interface MigrateOptions extends CommonOptions {
  to?: number | undefined;
  dryRun?: boolean | undefined;
  allowOutOfOrder?: boolean | undefined;
  /** The partition step after migrating (default: audit_log, 3 months ahead); `false` skips it. */
  partitions?: PartitionStep | false | undefined;
}

/**
 * Applies every pending migration in order, each in its own transaction, under the runner
 * lock; then, as a step of its own, ensures the partitions of audit_log when that table is laid
 * out in months (`partitions: false` skips it).
 *
 * @example
 * import { migrate } from 'aeturnis-db';
 * const { applied } = await migrate({ databaseUrl: process.env.DATABASE_URL, dir: 'migrations' });
 * console.log(`applied ${applied.length} migrations`);
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  assertPartitionStep(options.partitions);
  const dir = migrationsDir(options);
  let migrations: Migration[] = [];
  return withSession(
    options,
    async (scope) => {
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
    },
    options.dryRun ? undefined : {},
    // Read, parsed and hashed while the server starts the connection's backend.
    () => {
      migrations = loadMigrations(dir);
    },
  );
}

/** Checked before anything runs, so a bad value cannot fail the run after migrations applied. */
function assertPartitionStep(step: PartitionStep | false | undefined): void {
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
  const options: MaintainPartitionsOptions = {
    table: step.table ?? DEFAULT_PARTITIONED_TABLE,
    ahead: step.ahead ?? DEFAULT_PARTITIONS_AHEAD,
    unmanaged: 'leave-alone',
    onEvent: (event) => scope.emit({ type: 'partition', event }),
  };
  if (await certainlyAbsent(scope.session.client, options.table ?? DEFAULT_PARTITIONED_TABLE)) {
    // What maintainPartitions reports for a missing table, without its transaction (BEGIN, two
    // SETs, the catalog read, ROLLBACK: five round trips for a project without audit_log).
    const settings = runSettings(options);
    return concludeReport(emptyReport(settings), options.onEvent, settings.strict);
  }
  return maintainPartitions(scope.session.client, options);
}

/** True only when `table` resolves to no relation; any doubt (an invalid name) is left to maintainPartitions. */
async function certainlyAbsent(client: ClientBase, table: string): Promise<boolean> {
  try {
    const { rows } = await client.query<{ absent: boolean }>('SELECT pg_catalog.to_regclass($1) IS NULL AS absent', [table]);
    return rows[0]?.absent === true;
  } catch {
    return false;
  }
}
