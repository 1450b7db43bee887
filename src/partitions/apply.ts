/**
 * Applying a plan decided under the lock, inside the caller's transaction: create each missing
 * month (moving the rows waiting for it in the default partition, which is detached meanwhile
 * so that creating the month neither scans it nor fails with SQLSTATE 23514, then re-attached),
 * create a missing default partition, and detach and drop old partitions, each drop behind a
 * savepoint so that one PostgreSQL refuses (a view depends on it) does not undo the rest.
 *
 * @example
 * const outcome = await applyPlan(client, target, lockedPlan, report.created);
 * report.dropped = outcome.dropped;
 */
import type { ClientBase } from 'pg';
import { type CatalogPartition, readCopyableColumns } from './catalog.js';
import { PartitionSqlError } from './errors.js';
import type { LockedPlan, Target } from './locked-plan.js';
import { addMonths, defaultPartitionName, formatMonth } from './months.js';
import type { PlannedDrop } from './plan.js';
import { quoteIdentifier } from '../db/identifiers.js';
import { boundLiteral, pgErrorInfo, runStep } from './sql.js';
import type { CreatedPartition, DropFailure, DroppedPartition } from './types.js';

/** What retention did: partitions dropped, and those PostgreSQL refused to drop. */
export interface ApplyOutcome {
  dropped: DroppedPartition[];
  dropFailures: DropFailure[];
}

/** Applies `lockedPlan`; `created` lists the months to create with the rows each will take. */
export async function applyPlan(
  client: ClientBase,
  target: Target,
  lockedPlan: LockedPlan,
  created: CreatedPartition[],
): Promise<ApplyOutcome> {
  const { table, info } = target;
  const defaultPartition = lockedPlan.defaultPartition;
  const mustMove = defaultPartition !== null && created.some((partition) => partition.movedRows > 0);
  let columns: string[] = [];
  if (mustMove) {
    columns = await readCopyableColumns(client, info);
    await runStep(client, table, `detaching ${defaultPartition.name}`, `ALTER TABLE ${info.sql} DETACH PARTITION ${defaultPartition.sql}`);
  }
  for (const partition of created) {
    await createMonth(client, target, partition);
    if (partition.movedRows > 0 && defaultPartition) await moveRows(client, target, partition, defaultPartition, columns);
  }
  if (mustMove) {
    await runStep(
      client,
      table,
      `re-attaching ${defaultPartition.name}`,
      `ALTER TABLE ${info.sql} ATTACH PARTITION ${defaultPartition.sql} DEFAULT`,
    );
  }
  if (lockedPlan.plan.createDefault) {
    const name = defaultPartitionName(info.relname);
    await runStep(
      client,
      table,
      `creating ${name}`,
      `CREATE TABLE ${quoteIdentifier(info.schema)}.${quoteIdentifier(name)} PARTITION OF ${info.sql} DEFAULT`,
    );
  }
  return dropOld(client, target, lockedPlan);
}

const partitionSql = (target: Target, partition: CreatedPartition): string =>
  `${quoteIdentifier(target.info.schema)}.${quoteIdentifier(partition.name)}`;

async function createMonth(client: ClientBase, { table, info, key }: Target, partition: CreatedPartition): Promise<void> {
  const from = boundLiteral(partition.month, key.type);
  const to = boundLiteral(addMonths(partition.month, 1), key.type);
  const sql = partitionSql({ table, info, key }, partition);
  await runStep(
    client,
    table,
    `creating ${partition.name}`,
    `CREATE TABLE ${sql} PARTITION OF ${info.sql} FOR VALUES FROM (${from}) TO (${to})`,
  );
}

/** Moves the rows of the partition's month from the (detached) default partition into it. */
async function moveRows(
  client: ClientBase,
  target: Target,
  partition: CreatedPartition,
  defaultPartition: CatalogPartition,
  columns: string[],
): Promise<void> {
  const { table, key } = target;
  const column = quoteIdentifier(key.column);
  const list = columns.join(', ');
  const from = `${boundLiteral(partition.month, key.type)}::${key.type}`;
  const to = `${boundLiteral(addMonths(partition.month, 1), key.type)}::${key.type}`;
  const moved = await runStep(
    client,
    table,
    `moving rows of ${formatMonth(partition.month)} from ${defaultPartition.name} to ${partition.name}`,
    `WITH moved AS (
       DELETE FROM ${defaultPartition.sql} WHERE ${column} >= ${from} AND ${column} < ${to}
       RETURNING ${list})
     INSERT INTO ${partitionSql(target, partition)} (${list}) OVERRIDING SYSTEM VALUE SELECT ${list} FROM moved`,
  );
  if (moved.rowCount !== partition.movedRows) {
    // Cannot happen under the lock; refuse rather than report a wrong number.
    throw new PartitionSqlError({
      table,
      step: `moving rows to ${partition.name}`,
      pgMessage: `expected ${partition.movedRows} rows, moved ${moved.rowCount}`,
    });
  }
}

/** Detaches and drops each partition retention selected, each behind its own savepoint. */
async function dropOld(client: ClientBase, { info }: Target, { plan, state }: LockedPlan): Promise<ApplyOutcome> {
  const outcome: ApplyOutcome = { dropped: [], dropFailures: [] };
  for (const drop of plan.drop) {
    const partition = state.partitions.find((candidate) => candidate.name === drop.name);
    if (partition) await dropOne(client, info.sql, partition, drop, outcome);
  }
  return outcome;
}

async function dropOne(
  client: ClientBase,
  parentSql: string,
  partition: CatalogPartition,
  drop: PlannedDrop,
  outcome: ApplyOutcome,
): Promise<void> {
  await client.query('SAVEPOINT aeturnis_partition_drop');
  try {
    await client.query(`ALTER TABLE ${parentSql} DETACH PARTITION ${partition.sql}`);
    await client.query(`DROP TABLE ${partition.sql}`);
    await client.query('RELEASE SAVEPOINT aeturnis_partition_drop');
    outcome.dropped.push({ name: drop.name, from: drop.from, to: drop.to });
  } catch (error) {
    await client.query('ROLLBACK TO SAVEPOINT aeturnis_partition_drop');
    await client.query('RELEASE SAVEPOINT aeturnis_partition_drop');
    const { message, code } = pgErrorInfo(error);
    outcome.dropFailures.push({ name: drop.name, message, sqlState: code });
  }
}
