/**
 * Partition upkeep of one table range-partitioned by a timestamp column: make sure the current
 * period (UTC day, ISO week, UTC month or UTC year) and the next `ahead` have a partition, that a
 * default partition exists, move rows waiting in the default partition into the new periods, and
 * optionally remove partitions older than `retain` periods. See {@link maintainPartitions}.
 *
 * The catalog is read and the run planned without a transaction; each change is then a step of
 * its own, in its own short transaction on the migrations' lock-retry schedule: each attempt runs
 * with that attempt's `lock_timeout` (SET LOCAL), so a lock it cannot get at once makes it give
 * up and roll back instead of queueing every later reader and writer of the table behind it, and
 * a killed run leaves whole steps done or not at all. When the schedule runs out the run stops
 * with exit 4 naming the session that blocked it (LockRetriesExhaustedError).
 *
 * A new partition is never made with `CREATE TABLE ... PARTITION OF`, which locks the parent
 * ACCESS EXCLUSIVE (every reader and writer of every partition would wait): it is built as a
 * plain table shaped like the parent, with a CHECK constraint matching its bound, and attached,
 * which locks the parent only SHARE UPDATE EXCLUSIVE (readers and writers go on) and, thanks to
 * the CHECK, does not scan it. Rows waiting in the default partition for its range are moved in
 * the same transaction while the default partition is locked SHARE — its readers go on, only
 * writes of rows that would land in it wait — and ATTACH takes ACCESS EXCLUSIVE on the default
 * partition only for its closing check that no row of the range is left there.
 */
import type { ClientBase } from 'pg';
import { BlockerWatch } from '../lock-retries/blockers.js';
import { quoteIdentifier } from '../identifiers.js';
import { LOCK_NOT_AVAILABLE, isMarkedLockRetryable, markLockRetryable, withLockRetries } from '../lock-retries/retry.js';
import { lockAttempts } from '../lock-retries/schedule.js';
import {
  type CatalogPartition,
  type CatalogState,
  type Target,
  countDefaultRows,
  findTarget,
  periodCondition,
  pgErrorInfo,
  readCopyableColumns,
  readPartitions,
} from './catalog.js';
import { type Period, boundLiteral, defaultPartitionName, formatPeriod, periodEnd, periodStart } from './periods.js';
import { type PartitionPlan, overlaps, planIsEmpty, planPartitions } from './plan.js';
import { concludeReport, emptyReport, recordPlan } from './report.js';
import { type MaintainPartitionsOptions, type PartitionReport, PartitionSqlError, type RunSettings, runSettings } from './types.js';

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
 * `unmanaged: 'fail'` throws PartitionSetupError; so does, after the rest is done, a
 * period left without a partition because another relation holds its name. A removal PostgreSQL
 * refuses (a view depends on the partition) is reported and, once the other steps are done,
 * thrown as PartitionSqlError (exit 1). A step that cannot get its locks before the
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
    recordPlan(report, found.target.info.relname, { plan, defaultPartition, movedRows });
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

// The steps, each run inside the transaction inUpkeepTransaction opens for it.

/** `LIKE` clauses that give a plain table what ATTACH PARTITION requires of it and what the parent's partitions get. */
const LIKE_PARENT =
  'INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED INCLUDING INDEXES INCLUDING STORAGE INCLUDING COMPRESSION';

const qualified = (target: Target, name: string): string => `${quoteIdentifier(target.info.schema)}.${quoteIdentifier(name)}`;

/** A bound CHECK's name: `<partition>_bound`, cut so it stays within 63 bytes. */
const boundConstraintName = (name: string): string => `${Buffer.from(name).subarray(0, 56).toString()}_bound`;

/**
 * Serializes the steps of every upkeep run on this table (a transaction-level advisory lock,
 * gone at commit), so two runs without the runner lock — API callers — cannot both build the
 * same period; then reads whether one already did.
 */
async function periodTaken(client: ClientBase, target: Target, period: Period): Promise<boolean> {
  const partitions = await lockedPartitions(client, target);
  const start = periodStart(period).getTime();
  const end = periodEnd(period).getTime();
  return partitions.some((partition) => !partition.isDefault && overlaps(partition, start, end));
}

/** The table's partitions, read once this transaction holds the table's upkeep lock. */
async function lockedPartitions(client: ClientBase, target: Target): Promise<CatalogPartition[]> {
  await runStep(
    client,
    target.table,
    `waiting for another upkeep run of ${target.info.relname}`,
    "SELECT pg_catalog.pg_advisory_xact_lock(('x' || pg_catalog.left(pg_catalog.md5('aeturnis-db partitions ' || $1), 16))::bit(64)::bigint)",
    [target.info.oid],
  );
  return readPartitions(client, target.table, target.info, target.key);
}

/**
 * Creates the partition of `period` and moves into it the rows the default partition holds for
 * its range. Runs inside the caller's transaction; returns the rows moved, or null when another
 * run created a partition for the period meanwhile.
 */
async function createPeriod(
  client: ClientBase,
  target: Target,
  partition: { period: Period; name: string },
  defaultPartition: CatalogPartition | null,
): Promise<number | null> {
  const { table, info, key } = target;
  const sql = qualified(target, partition.name);
  const label = `creating ${partition.name}`;
  if (await periodTaken(client, target, partition.period)) return null;
  if (defaultPartition) {
    // Readers of the default partition go on; writes of rows that would land in it wait, so
    // none can slip in behind the move and be left out of it.
    await runStep(client, table, `locking ${defaultPartition.name}`, `LOCK TABLE ONLY ${defaultPartition.sql} IN SHARE MODE`);
  }
  await runStep(client, table, label, `CREATE TABLE ${sql} (LIKE ${info.sql} ${LIKE_PARENT})`);
  const bound = quoteIdentifier(boundConstraintName(partition.name));
  const column = quoteIdentifier(key.column);
  await runStep(
    client,
    table,
    label,
    `ALTER TABLE ${sql} ADD CONSTRAINT ${bound} CHECK (${column} IS NOT NULL AND ${periodCondition(key, partition.period)})`,
  );
  const moved = defaultPartition ? await moveRows(client, target, partition, sql, defaultPartition) : 0;
  const from = boundLiteral(periodStart(partition.period), key.type);
  const to = boundLiteral(periodEnd(partition.period), key.type);
  await runStep(
    client,
    table,
    `attaching ${partition.name}`,
    `ALTER TABLE ${info.sql} ATTACH PARTITION ${sql} FOR VALUES FROM (${from}) TO (${to})`,
  );
  // The bound is the partition's own constraint from now on; the CHECK only spared ATTACH a scan.
  await runStep(client, table, label, `ALTER TABLE ${sql} DROP CONSTRAINT ${bound}`);
  return moved;
}

/** Copies the period's rows from the default partition into the new table, then deletes them there. */
async function moveRows(
  client: ClientBase,
  target: Target,
  partition: { period: Period; name: string },
  partitionSql: string,
  defaultPartition: CatalogPartition,
): Promise<number> {
  const { table, info, key } = target;
  target.columns ??= await readCopyableColumns(client, info);
  const columns = target.columns.join(', ');
  const where = periodCondition(key, partition.period);
  const step = `moving rows of ${formatPeriod(partition.period)} from ${defaultPartition.name} to ${partition.name}`;
  const moved = await runStep(
    client,
    table,
    step,
    `WITH moved AS (DELETE FROM ONLY ${defaultPartition.sql} WHERE ${where} RETURNING ${columns})
     INSERT INTO ${partitionSql} (${columns}) SELECT ${columns} FROM moved`,
  );
  return moved.rowCount;
}

/** Creates the missing default partition `<table>_default`, attached like the others. */
async function createDefault(client: ClientBase, target: Target): Promise<CatalogPartition> {
  const { table, info } = target;
  const existing = (await lockedPartitions(client, target)).find((partition) => partition.isDefault);
  if (existing) return existing;
  const name = defaultPartitionName(info.relname);
  const sql = qualified(target, name);
  await runStep(client, table, `creating ${name}`, `CREATE TABLE ${sql} (LIKE ${info.sql} ${LIKE_PARENT})`);
  await runStep(client, table, `attaching ${name}`, `ALTER TABLE ${info.sql} ATTACH PARTITION ${sql} DEFAULT`);
  return { name, sql, isDefault: true, from: null, to: null };
}

/**
 * Detaches an old partition and drops it, or keeps it as a plain table (`keep`). DETACH takes
 * ACCESS EXCLUSIVE on the parent (DETACH ... CONCURRENTLY is refused when a default partition
 * exists), so this is the one step that makes readers wait: for one attempt's lock_timeout at
 * most, and then only for a catalog change.
 */
async function removePartition(client: ClientBase, target: Target, partition: CatalogPartition, keep: boolean): Promise<void> {
  const { table, info } = target;
  await runStep(client, table, `detaching ${partition.name}`, `ALTER TABLE ${info.sql} DETACH PARTITION ${partition.sql}`);
  if (!keep) await runStep(client, table, `dropping ${partition.name}`, `DROP TABLE ${partition.sql}`);
}

// One step's transaction, on the lock-retry schedule.

/** SQLSTATE deadlock_detected: the server rolled us back to let the other session go on; trying again is safe. */
const DEADLOCK_DETECTED = '40P01';

/** Names the step for retry lines and for the error when retries run out. */
interface UpkeepStep {
  /** `audit_log: creating audit_log_2027_04`. */
  where: string;
  /** What stays done when the schedule runs out (appended to the error). */
  outcome: string;
}

/** Runs `work` in a transaction of its own, again on the schedule while it cannot get its locks in time. */
async function inUpkeepTransaction<T>(
  client: ClientBase,
  settings: RunSettings,
  watch: BlockerWatch,
  step: UpkeepStep,
  work: () => Promise<T>,
): Promise<T> {
  return withLockRetries(
    {
      migration: { version: 0, fileName: settings.table },
      direction: 'up',
      attempts: lockAttempts(settings.lockRetries, undefined),
      watch,
      retryable: isMarkedLockRetryable,
      whereOf: () => step.where,
      outcome: step.outcome,
      signal: settings.signal,
      onRetry: (retry) => {
        const wait = retry.lockTimeoutMs ? ` within ${retry.lockTimeoutMs} ms` : '';
        const message = `${step.where}: lock not available${wait}, blocked by ${retry.blocker}; rolled back, trying again in ${retry.sleepMs} ms`;
        settings.onEvent?.({ type: 'lock-retry', retry, message });
      },
    },
    (attempt) => attemptOnce(client, attempt.lockTimeoutMs, work),
  );
}

async function attemptOnce<T>(client: ClientBase, lockTimeoutMs: number | undefined, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    // pg_catalog.set_config, not SET: a search_path or a function named set_config cannot intercept it.
    if (lockTimeoutMs !== undefined) await client.query("SELECT pg_catalog.set_config('lock_timeout', $1, true)", [`${lockTimeoutMs}ms`]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof PartitionSqlError && (error.sqlState === LOCK_NOT_AVAILABLE || error.sqlState === DEADLOCK_DETECTED)) {
      throw markLockRetryable(error);
    }
    throw error;
  }
}

/** Runs one statement of the run; a failure becomes PartitionSqlError naming `table` and `step`. */
async function runStep(client: ClientBase, table: string, step: string, text: string, values?: unknown[]): Promise<{ rowCount: number }> {
  try {
    const result = await client.query(text, values);
    return { rowCount: result.rowCount ?? 0 };
  } catch (error) {
    const { message, code } = pgErrorInfo(error);
    throw new PartitionSqlError({ table, step, pgMessage: message, sqlState: code });
  }
}
