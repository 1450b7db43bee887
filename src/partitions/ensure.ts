/**
 * Monthly range partitions of a table partitioned by a timestamp column (`audit_log` by
 * `created_at`): make sure the current UTC month and the next `ahead` months have a partition,
 * that a default partition exists, move rows out of the default partition into the new months,
 * and optionally drop partitions older than `retain` months. See {@link maintainPartitions}.
 *
 * Transaction strategy: one transaction per run, opened, committed and rolled back here and
 * nowhere else (dry runs: one READ ONLY transaction, rolled back). The catalog is read and the run
 * planned without locks; when there is something to do, the table is locked and planned again
 * (`locked-plan.ts`), the plan applied (`apply.ts`) and committed. So a run either applies its
 * whole plan or nothing, rows moved out of the default partition are never visible twice or not
 * at all, and a second run racing with the first (if the caller's advisory lock were missing)
 * finds the partitions already there instead of failing. Catalog reads: `catalog.ts`; the report
 * and its events: `report.ts`; the `status` line: `describe.ts`.
 */
import type { ClientBase } from 'pg';
import { applyPlan } from './apply.js';
import { type CatalogState, inspectTable, resolveTable } from './catalog.js';
import { PartitionSetupError } from './errors.js';
import { planUnderLock, type Target } from './locked-plan.js';
import { monthsToEnsure } from './months.js';
import { type RunSettings, runSettings } from './options.js';
import { planIsEmpty } from './plan.js';
import { concludeReport, emptyReport, recordPlan } from './report.js';
import { runStep } from './sql.js';
import type { MaintainPartitionsOptions, PartitionReport } from './types.js';

// The public shapes stay importable from here (src/index.ts reads them from this module).
export type {
  CreatedPartition,
  DroppedPartition,
  DropFailure,
  MaintainPartitionsOptions,
  PartitionDescription,
  PartitionEvent,
  PartitionInfo,
  PartitionReport,
} from './types.js';
export { describePartitions } from './describe.js';
export { MAX_PARTITIONS_AHEAD } from './options.js';

/** How the run's transaction ends when nothing went wrong. */
type Ending = 'commit' | 'rollback';

/**
 * Ensures the monthly partitions of `options.table` (default `audit_log`): the current UTC month
 * and the next `ahead` (default 3) months get a partition `<table>_YYYY_MM` covering
 * `[YYYY-MM-01 00:00:00+00, first of next month)`, unless an existing partition (found by its
 * bounds in the catalog, whatever its name) already covers the month; a month only partly covered
 * by an existing partition is reported in `conflicts` and never attempted. A missing default
 * partition is created as `<table>_default`. Rows of the default partition that belong to a
 * month being created are moved into the new partition in the same transaction. With `retain`,
 * partitions whose upper bound is `<=` the start of (current month - retain) are detached and
 * dropped (never the default partition).
 *
 * Runs in ONE transaction that it opens and commits itself (call it outside a transaction); the
 * caller owns the connection and any advisory lock, and may set `lock_timeout` to bound the wait
 * for the `ACCESS EXCLUSIVE` lock taken on the table when there is something to change. A run with
 * nothing to change takes no lock stronger than catalog reads. Idempotent: a second run reports
 * `changed: false` and a summary saying so.
 *
 * A table it does not maintain — missing, not RANGE-partitioned on one timestamptz/timestamp/date
 * column, or whose partitions are not UTC calendar months (see `layout.ts`) — is reported and left
 * alone (`tableExists: false` / `leftAlone`), or with `unmanaged: 'fail'` throws
 * {@link PartitionSetupError}; so does, after the commit, a month left without a partition
 * because another relation holds its name (`PartitionMonthsMissingError`). Throws
 * `PartitionSqlError` (after rolling back everything) when a statement fails. A failed retention
 * drop (e.g. a view depends on the partition) is rolled back to a savepoint and reported in
 * `dropFailures`; the rest of the run is kept.
 *
 * @example
 * const client = new pg.Client({ connectionString });
 * await client.connect();
 * const report = await maintainPartitions(client, { table: 'audit_log', ahead: 3, retain: 12,
 *   onEvent: (event) => console.log(event.message) });
 * if (!report.tableExists) console.log('no audit_log table yet');
 * console.log(report.summary); // e.g. "audit_log: created 1 partition (audit_log_2027_03)"
 */
export async function maintainPartitions(client: ClientBase, options: MaintainPartitionsOptions = {}): Promise<PartitionReport> {
  const settings = runSettings(options);
  const report = emptyReport(settings);
  // `up` in a project without the table: one catalog query instead of the transaction (BEGIN,
  // two SETs, the catalog read, ROLLBACK), with the same report. The strict command's error
  // for a missing table stays findTarget's.
  const skip = !settings.strict && (await certainlyAbsent(client, settings.table));
  if (!skip) await inTransaction(client, settings, () => maintainInTransaction(client, settings, report));
  return concludeReport(report, options.onEvent, settings.strict);
}

/** True only when `table` resolves to no relation; any doubt (an invalid name) is left to the full run. */
async function certainlyAbsent(client: ClientBase, table: string): Promise<boolean> {
  try {
    const { rows } = await client.query<{ absent: boolean }>('SELECT pg_catalog.to_regclass($1) IS NULL AS absent', [table]);
    return rows[0]?.absent === true;
  } catch {
    return false;
  }
}

/** The one place the run's transaction is opened, committed and rolled back. */
async function inTransaction(client: ClientBase, settings: RunSettings, work: () => Promise<Ending>): Promise<void> {
  await runStep(client, settings.table, 'BEGIN', settings.dryRun ? 'BEGIN READ ONLY' : 'BEGIN');
  let transactionOpen = true;
  try {
    const ending = await work();
    if (ending === 'commit') await runStep(client, settings.table, 'COMMIT', 'COMMIT');
    else await client.query('ROLLBACK');
    transactionOpen = false;
  } catch (error) {
    if (transactionOpen) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // the connection is gone; the server rolls back by itself
      }
    }
    throw error;
  }
}

/** Plans the run and, unless there is nothing (or only a dry run) to do, applies it. */
async function maintainInTransaction(client: ClientBase, settings: RunSettings, report: PartitionReport): Promise<Ending> {
  // Not needed for correctness (literals are cast back in-session, ours carry +00), but keeps
  // every text this transaction prints in one canonical form.
  await client.query(`SET LOCAL TimeZone = 'UTC'`);
  await client.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
  const found = await findTarget(client, settings, report);
  if (!found) return 'rollback';
  const lockedPlan = await planUnderLock(client, found.target, settings, found.state);
  recordPlan(report, found.target, lockedPlan);
  if (settings.dryRun || planIsEmpty(lockedPlan.plan)) return 'rollback';
  const outcome = await applyPlan(client, found.target, lockedPlan, report.created);
  report.dropped = outcome.dropped;
  report.dropFailures = outcome.dropFailures;
  report.changed = report.created.length > 0 || report.dropped.length > 0 || lockedPlan.plan.createDefault;
  return 'commit';
}

/**
 * The table to maintain with its first (unlocked) catalog read; null — recorded in the report —
 * when it does not exist or is not one this tool maintains and the run leaves such tables alone.
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
    const { key, state } = await inspectTable(client, table, info, monthsToEnsure(settings.now, settings.ahead));
    Object.assign(report, { partitionKey: key.column, partitionKeyDef: key.definition });
    const target: Target = { table, info, key };
    return { target, state };
  } catch (error) {
    if (settings.strict || !(error instanceof PartitionSetupError)) throw error;
    report.leftAlone = error.problem;
    return null;
  }
}
