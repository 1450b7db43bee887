import { UsageError } from '../errors.js';
import { journalError, readJournal } from '../journal/journal.js';
import { journalChecksumSql } from '../journal/sql.js';
import type { Migration } from '../migrations/parse.js';
import { planUp, type RewrittenPlaceholder } from '../migrations/plan.js';
import { MAX_AHEAD } from '../partitions/periods.js';
import { type PartitionReport, runSettings } from '../partitions/types.js';
import type { PlannedMigration, RanMigration } from './events.js';
import type { CommonOptions } from './options.js';
import { registeredTables, runUpkeep } from './partitions.js';
import { runAll } from './run.js';
import type { CommandScope } from './scope.js';

/**
 * The step `up` is made of, shared with `reset`: read the journal, plan what is pending, apply it
 * (each migration in its own transaction), then partition upkeep of the registered tables. Runs
 * inside a command's scope, under the runner lock its caller holds.
 */

/** The partition step of `up`: periods ahead for every registered table, instead of each one's registered value. */
export interface PartitionStep {
  ahead?: number;
}

/** What to apply, and whether to only say so. */
export interface PendingOptions {
  to?: number | undefined;
  dryRun?: boolean | undefined;
  allowOutOfOrder?: boolean | undefined;
  /** The partition step after migrating (default: every registered table, as registered); `false` skips it. */
  partitions?: PartitionStep | false | undefined;
}

/** Result of {@link applyPending}. */
export interface ApplyResult {
  /** Applied in this run, in order (empty on a dry run). */
  applied: RanMigration[];
  /** What would be (dry run) or was planned. */
  planned: PlannedMigration[];
  /** The partition step, one report per registered table (undefined when skipped). */
  partitions: PartitionReport[] | undefined;
}

/**
 * Applies every pending migration of `migrations` in order, then runs partition upkeep of the
 * registered tables. Refuses (exit 3, nothing run) what `up`
 * refuses: modified, missing, out of order.
 */
export async function applyPending(
  scope: CommandScope,
  migrations: readonly Migration[],
  options: CommonOptions & PendingOptions,
): Promise<ApplyResult> {
  const { rows, partial } = await readJournal(scope.session.client, scope.journal);
  const { pending, resume, rewritten } = planUp(migrations, rows, options, partial);
  const planned = pending.map(({ version, name, fileName }) => ({ version, name, fileName }));
  if (options.partitions) await checkUpkeepOverrides(scope, pending, options.partitions);
  await recordRewrittenPlaceholders(scope, rewritten, options.dryRun === true);
  if (options.dryRun) {
    scope.emit({ type: 'plan', direction: 'up', migrations: planned });
    return { applied: [], planned, partitions: undefined };
  }
  if (pending.length === 0) scope.emit({ type: 'nothing-to-do', direction: 'up' });
  const applied = await runAll(scope, pending, options, { direction: 'up', resume });
  const partitions = options.partitions === false ? undefined : await partitionStep(scope, options.partitions ?? {}, options);
  return { applied, planned, partitions };
}

/**
 * The new checksums of placeholders this database adopted (the other tool ran their code) and
 * that were rewritten in SQL since: recorded in the journal, under the runner lock, before
 * anything runs; their SQL never runs here. Afterwards `validate` is clean and any later edit
 * of those files is `modified`, as for every applied file.
 */
async function recordRewrittenPlaceholders(
  scope: CommandScope,
  rewritten: readonly RewrittenPlaceholder[],
  dryRun: boolean,
): Promise<void> {
  for (const { migration, recorded, of } of rewritten) {
    if (!dryRun) {
      try {
        await scope.session.client.query(journalChecksumSql(scope.journal, migration.version, recorded, migration.checksum));
      } catch (error) {
        throw journalError(scope.journal.display, `cannot record the checksum of ${migration.fileName} in`, error);
      }
    }
    scope.emit({ type: 'placeholder-rewritten', version: migration.version, fileName: migration.fileName, of, dryRun });
  }
}

/**
 * Checked before anything runs, so a bad value cannot fail the run after migrations applied.
 */
export function assertPartitionStep(step: PartitionStep | false | undefined): void {
  const ahead = step === false ? undefined : step?.ahead;
  if (ahead !== undefined && !(Number.isSafeInteger(ahead) && ahead >= 0 && ahead <= MAX_AHEAD.day)) {
    throw new UsageError(`partitions.ahead must be a whole number from 0 to ${MAX_AHEAD.day} (got ${ahead})`);
  }
}

/**
 * `up --ahead N` checked, before any migration runs, against every table the step will keep: the
 * registered ones and those the pending migrations register. `--ahead 150` is fine for a daily
 * table and exit 2 for a monthly one — refused then with nothing applied, not after the migrations.
 */
async function checkUpkeepOverrides(scope: CommandScope, pending: readonly Migration[], step: PartitionStep): Promise<void> {
  if (step.ahead === undefined) return;
  const registered = (await registeredTables(scope)).map(({ table, interval }) => ({ table, interval }));
  const registering = pending.flatMap((migration) =>
    (migration.partitions ?? []).map((directive) => ({ table: directive.table.display, interval: directive.settings.interval })),
  );
  for (const table of [...registered, ...registering]) runSettings({ ...table, ahead: step.ahead });
}

/**
 * The step after the migrations: a registered table that cannot be managed is reported and left
 * as it is — the migrations applied fine, so up succeeds; lock retries running out is exit 4,
 * saying the migrations stay applied.
 */
async function partitionStep(scope: CommandScope, step: PartitionStep, options: CommonOptions): Promise<PartitionReport[]> {
  const tables = await registeredTables(scope);
  return runUpkeep(scope, tables, { ...options, ahead: step.ahead }, { strict: false, outcome: 'the migrations stay applied; ' });
}
