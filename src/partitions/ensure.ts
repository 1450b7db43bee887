/**
 * Partition upkeep of one table range-partitioned by a timestamp column: make sure the current
 * period (UTC day, ISO week, UTC month or UTC year) and the next `ahead` have a partition, that a
 * default partition exists, move rows waiting in the default partition into the new periods, and
 * optionally remove partitions older than `retain` periods. See {@link maintainPartitions}.
 *
 * The catalog is read and the run planned without a transaction; each change is then a step of
 * its own (`steps.ts`), in its own short transaction on the lock-retry schedule
 * (`upkeep-transaction.ts`). Catalog reads: `catalog.ts`; the report and its events: `report.ts`;
 * the `status` line: `describe.ts`.
 */
import type { ClientBase } from 'pg';
import { BlockerWatch } from '../lock-retries/blockers.js';
import { type CatalogPartition, type CatalogState, countDefaultRows, inspectTable, resolveTable } from './catalog.js';
import { PartitionSetupError, PartitionSqlError } from './errors.js';
import { type RunSettings, runSettings } from './options.js';
import { periodsToEnsure } from './periods.js';
import { type PartitionPlan, planIsEmpty, planPartitions } from './plan.js';
import { concludeReport, emptyReport, recordPlan } from './report.js';
import { type Target, createDefault, createPeriod, removePartition } from './steps.js';
import type { MaintainPartitionsOptions, PartitionReport } from './types.js';
import { type UpkeepStep, inUpkeepTransaction } from './upkeep-transaction.js';
import { pgErrorInfo } from './sql.js';

/**
 * Ensures the partitions of `options.table` (default `audit_log`) for the current period of
 * `options.interval` (default month) and the next `ahead` (default 3), named `<table>_YYYY_MM`
 * (`_YYYY_MM_DD`, `_IYYY_wIW`, `_YYYY`), unless an existing partition (found by its bounds,
 * whatever its name) already covers the period; a period only partly covered is reported in
 * `conflicts` and never attempted. A missing default partition is created as `<table>_default`.
 * With `retain`, partitions whose upper bound is `<=` the start of (current period - retain) are
 * detached and dropped, or kept as plain tables with `retainMode: 'detach'`.
 *
 * Each change is one transaction of its own with the lock-retry schedule's lock_timeout
 * (`lockRetries`); the caller owns the connection and the runner lock. Idempotent: a second run
 * reports `changed: false`. A table it cannot manage is reported and left alone, or with
 * `unmanaged: 'fail'` throws {@link PartitionSetupError}; so does, after the rest is done, a
 * period left without a partition because another relation holds its name. A removal PostgreSQL
 * refuses (a view depends on the partition) is reported and, once the other steps are done,
 * thrown as {@link PartitionSqlError} (exit 1). A step that cannot get its locks before the
 * schedule runs out throws LockRetriesExhaustedError (exit 4); the steps before it stay done.
 */
export async function maintainPartitions(client: ClientBase, options: MaintainPartitionsOptions = {}): Promise<PartitionReport> {
  const settings = runSettings(options);
  const report = emptyReport(settings);
  const found = await findTarget(client, settings, report);
  if (found) {
    const plan = planFor(found.target, found.state, settings);
    const defaultPartition = found.state.partitions.find((partition) => partition.isDefault) ?? null;
    const movedRows =
      settings.dryRun && defaultPartition
        ? await countDefaultRows(client, settings.table, defaultPartition.sql, found.target.key, plan.create)
        : [];
    recordPlan(report, found.target, { plan, defaultPartition, movedRows });
    if (!settings.dryRun && !planIsEmpty(plan)) {
      try {
        await applyPlan(client, settings, found, { plan, defaultPartition }, report);
      } catch (error) {
        // Say what was done before the step that failed; then the failure.
        concludeReport(report, settings.onEvent, false);
        throw error;
      }
    }
  }
  return concludeReport(report, settings.onEvent, settings.strict);
}

function planFor(target: Target, state: CatalogState, settings: RunSettings): PartitionPlan {
  return planPartitions({
    table: target.info.relname,
    interval: settings.interval,
    existing: state.partitions,
    now: settings.now,
    ahead: settings.ahead,
    retain: settings.retain,
    takenNames: state.taken,
  });
}

/** The steps, oldest period first; a refused removal is kept for the end, a lock timeout says what stayed done. */
async function applyPlan(
  client: ClientBase,
  settings: RunSettings,
  found: { target: Target; state: CatalogState },
  plan: { plan: PartitionPlan; defaultPartition: CatalogPartition | null },
  report: PartitionReport,
): Promise<void> {
  const { target, state } = found;
  const watch = new BlockerWatch(client);
  const done: string[] = [];
  const step = (what: string) => ({
    where: `${settings.table}: ${what}`,
    outcome: `partition upkeep of ${settings.table} did not finish${done.length > 0 ? ` (done: ${done.join(', ')})` : ''}`,
  });
  try {
    try {
      await createMissing(client, settings, watch, target, plan, report, { step, done });
    } catch (error) {
      // The report tells what was done before the step that failed.
      if (report.defaultPartition?.created && !done.includes(report.defaultPartition.name)) report.defaultPartition = null;
      report.dropped = [];
      report.detached = [];
      throw error;
    } finally {
      // Only what this run made: a period another run made meanwhile, or one a failure stopped, is not reported created.
      report.created = report.created.filter((created) => done.includes(created.name));
    }
    await removeOld(client, settings, watch, target, state, plan.plan, report, step);
  } finally {
    await watch.close();
  }
}

/** The missing default partition, then each missing period with the rows waiting for it; `progress.done` names each made. */
async function createMissing(
  client: ClientBase,
  settings: RunSettings,
  watch: BlockerWatch,
  target: Target,
  { plan, defaultPartition: found }: { plan: PartitionPlan; defaultPartition: CatalogPartition | null },
  report: PartitionReport,
  progress: { step: (what: string) => UpkeepStep; done: string[] },
): Promise<void> {
  const { step, done } = progress;
  let defaultPartition = found;
  if (plan.createDefault) {
    defaultPartition = await inUpkeepTransaction(client, settings, watch, step('creating the default partition'), () =>
      createDefault(client, target),
    );
    done.push(defaultPartition.name);
    report.changed = true;
  }
  for (const created of report.created) {
    const partition = { period: created.period, name: created.name };
    const source = defaultPartition;
    const moved = await inUpkeepTransaction(client, settings, watch, step(`creating ${created.name}`), () =>
      createPeriod(client, target, partition, source),
    );
    if (moved === null) continue; // another run made it meanwhile
    created.movedRows = moved;
    done.push(created.name);
    report.changed = true;
  }
}

/**
 * Retention, oldest first, each partition in a step of its own. One PostgreSQL refuses to detach
 * or drop (a view depends on it: SQLSTATE 2BP01) is noted and the others go on; the run then fails.
 */
async function removeOld(
  client: ClientBase,
  settings: RunSettings,
  watch: BlockerWatch,
  target: Target,
  state: CatalogState,
  plan: PartitionPlan,
  report: PartitionReport,
  step: (what: string) => UpkeepStep,
): Promise<void> {
  const keep = settings.retainMode === 'detach';
  const removed = [];
  for (const drop of plan.drop) {
    const partition = state.partitions.find((candidate) => candidate.name === drop.name);
    if (!partition) continue;
    try {
      await inUpkeepTransaction(client, settings, watch, step(`${keep ? 'detaching' : 'dropping'} ${drop.name}`), () =>
        removePartition(client, target, partition, keep),
      );
      removed.push({ name: drop.name, from: drop.from, to: drop.to });
      report.changed = true;
    } catch (error) {
      if (!(error instanceof PartitionSqlError)) throw error;
      const { message, code } = pgErrorInfo(error);
      report.dropFailures.push({ name: drop.name, message: error.pgMessage ?? message, sqlState: error.sqlState ?? code });
    }
  }
  if (keep) report.detached = removed;
  else report.dropped = removed;
  if (report.dropFailures.length > 0) {
    const failures = report.dropFailures.map((failure) => `${failure.name}: ${failure.message}`).join('; ');
    throw new PartitionSqlError({
      table: settings.table,
      step: `${keep ? 'detaching' : 'dropping'} old partitions`,
      pgMessage: failures,
      sqlState: report.dropFailures[0]?.sqlState,
      outcome: 'the other partitions were created and removed as planned',
    });
  }
}

/**
 * The table with its catalog state; null — recorded in the report — when it does not exist or
 * cannot be managed and the run leaves such tables alone.
 */
async function findTarget(
  client: ClientBase,
  settings: RunSettings,
  report: PartitionReport,
): Promise<{ target: Target; state: CatalogState } | null> {
  const { table } = settings;
  const info = await resolveTable(client, table);
  if (!info && settings.strict) throw new PartitionSetupError(table, 'no such table (check the name, its schema and search_path)');
  if (!info) return null;
  Object.assign(report, { tableExists: true, schema: info.schema, relation: info.relname });
  try {
    const periods = periodsToEnsure(settings.now, settings.interval, settings.ahead);
    const { key, state } = await inspectTable(client, table, info, periods);
    Object.assign(report, { partitionKey: key.column, partitionKeyDef: key.definition });
    return { target: { table, info, key }, state };
  } catch (error) {
    if (settings.strict || !(error instanceof PartitionSetupError)) throw error;
    report.leftAlone = error.problem;
    return null;
  }
}
