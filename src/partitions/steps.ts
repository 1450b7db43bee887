/**
 * The steps of an upkeep run, each its own short transaction run through the lock-retry
 * schedule (`upkeep-transaction.ts`), so that no step queues other traffic behind it for longer
 * than one attempt's lock_timeout, and a killed run leaves whole steps done or not at all.
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
import { quoteIdentifier } from '../identifiers.js';
import { type CatalogPartition, type KeyInfo, type TableInfo, periodCondition, readCopyableColumns, readPartitions } from './catalog.js';
import { overlaps } from './plan.js';
import { type Period, defaultPartitionName, formatPeriod, periodEnd, periodStart } from './periods.js';
import { boundLiteral, runStep } from './sql.js';

/** The table a run maintains: the name as given, and what the catalog says of it. */
export interface Target {
  table: string;
  info: TableInfo;
  key: KeyInfo;
}

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
export async function createPeriod(
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
  const columns = (await readCopyableColumns(client, info)).join(', ');
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
export async function createDefault(client: ClientBase, target: Target): Promise<CatalogPartition> {
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
export async function removePartition(client: ClientBase, target: Target, partition: CatalogPartition, keep: boolean): Promise<void> {
  const { table, info } = target;
  await runStep(client, table, `detaching ${partition.name}`, `ALTER TABLE ${info.sql} DETACH PARTITION ${partition.sql}`);
  if (!keep) await runStep(client, table, `dropping ${partition.name}`, `DROP TABLE ${partition.sql}`);
}
