/**
 * The partition line of `status`: reads, without changing anything and without opening a
 * transaction, a table's partitions — their count, the months they cover (gaps shown), the rows
 * waiting in the default partition — or why this tool does not maintain the table.
 *
 * @example
 * const description = await describePartitions(client, 'audit_log');
 * if (description.exists && description.partitioned) console.log(description.summary);
 * // "audit_log: 3 partitions, 2026-11..2026-12, 2027-02 (2027-01 missing)"
 */
import type { ClientBase } from 'pg';
import { type CatalogPartition, type KeyInfo, type TableInfo, readKey, readPartitions, resolveTable } from './catalog.js';
import { type MonthSpan, formatSpans, monthCoverage } from './coverage.js';
import { PartitionSetupError } from './errors.js';
import { judgeLayout } from './layout.js';
import { formatMonth, monthOf } from './months.js';
import type { PartitionDescription } from './types.js';
import { plural } from '../plural.js';

const NOT_MAINTAINED = '(not maintained by aeturnis-db partitions)';

function emptyDescription(table: string): PartitionDescription {
  return {
    table,
    exists: false,
    partitioned: false,
    partitionKey: null,
    partitions: [],
    defaultPartition: null,
    defaultRows: 0,
    firstMonth: null,
    lastMonth: null,
    count: 0,
    problem: null,
    summary: `${table} does not exist`,
  };
}

/**
 * Describes `table` (default `audit_log`). Returns `exists: false` for a missing table and
 * `partitioned: false` for a plain one; for a partitioned table this tool does not maintain (not
 * RANGE on one timestamp column, an unreadable bound, partitions that are not UTC months) it
 * fills `problem` and says so in `summary` instead of throwing: `status` must still work. The row
 * count of the default partition is an exact `count(*)`, which scans it.
 */
export async function describePartitions(client: ClientBase, table = 'audit_log'): Promise<PartitionDescription> {
  const description = emptyDescription(table);
  const info = await resolveTable(client, table);
  if (!info) return description;
  description.exists = true;
  if (info.relkind !== 'p') {
    description.summary = `${table} is not partitioned`;
    return description;
  }
  description.partitioned = true;
  let read: { key: KeyInfo; partitions: CatalogPartition[] };
  try {
    const key = await readKey(client, table, info);
    read = { key, partitions: await readPartitions(client, table, info, key) };
  } catch (error) {
    if (!(error instanceof PartitionSetupError)) throw error;
    description.problem = error.message;
    description.summary = `${error.message} ${NOT_MAINTAINED}`;
    return description;
  }
  const { key, partitions } = read;
  description.partitionKey = key.column;
  const layout = judgeLayout(partitions);
  if (!layout.monthly) {
    description.problem = layout.problem;
    description.summary = `${info.relname}: ${layout.problem} ${NOT_MAINTAINED}`;
    return description;
  }
  await describeMonthly(client, info, partitions, description);
  return description;
}

/** Fills in the partitions, the months they cover and the default partition's rows. */
async function describeMonthly(
  client: ClientBase,
  info: TableInfo,
  partitions: CatalogPartition[],
  description: PartitionDescription,
): Promise<void> {
  description.partitions = partitions
    .filter((partition) => !partition.isDefault)
    .map(({ name, from, to }) => ({ name, from, to }))
    .sort((first, second) => (first.from?.getTime() ?? -Infinity) - (second.from?.getTime() ?? -Infinity));
  description.count = description.partitions.length;
  const froms = description.partitions.flatMap((partition) => (partition.from ? [partition.from.getTime()] : []));
  const tos = description.partitions.flatMap((partition) => (partition.to ? [partition.to.getTime()] : []));
  if (froms.length > 0) description.firstMonth = monthOf(new Date(Math.min(...froms)));
  if (tos.length > 0) description.lastMonth = monthOf(new Date(Math.max(...tos) - 1));
  const defaultPartition = partitions.find((partition) => partition.isDefault);
  if (defaultPartition) {
    description.defaultPartition = defaultPartition.name;
    const result = await client.query<{ count: string }>(`SELECT count(*)::text AS count FROM ${defaultPartition.sql}`);
    description.defaultRows = Number(result.rows[0]?.count ?? 0);
  }
  description.summary = statusLine(info.relname, description);
}

/** `2026-11..2027-02` for one run of months (as always printed); `2026-11..2026-12, 2027-02` for several. */
function formatCovered(covered: MonthSpan[]): string {
  const [only] = covered;
  if (covered.length === 1 && only) return `${formatMonth(only.first)}..${formatMonth(only.last)}`;
  return formatSpans(covered);
}

/** `audit_log: 3 partitions, 2026-11..2026-12, 2027-02 (2027-01 missing); 2 rows in audit_log_default`. */
function statusLine(relname: string, description: PartitionDescription): string {
  const { covered, missing } = monthCoverage(description.partitions);
  const gaps = missing.length > 0 ? ` (${formatSpans(missing)} missing)` : '';
  const span = covered.length > 0 ? `, ${formatCovered(covered)}${gaps}` : '';
  const rows = description.defaultRows > 0 ? `; ${plural(description.defaultRows, 'row')} in ${description.defaultPartition}` : '';
  const noDefault = description.defaultPartition ? '' : '; no default partition';
  return `${relname}: ${plural(description.count, 'partition')}${span}${rows}${noDefault}`;
}
