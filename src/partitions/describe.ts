/**
 * The partition line of `status`: reads, without changing anything and without opening a
 * transaction, a table's partitions — their count, the periods they cover (gaps shown), the rows
 * waiting in the default partition and what to do about them — or why upkeep cannot manage it.
 */
import type { ClientBase } from 'pg';
import { type CatalogPartition, type KeyInfo, type TableInfo, readKey, readPartitions, resolveTable } from './catalog.js';
import { type PeriodSpan, formatSpans, periodCoverage } from './coverage.js';
import { PartitionSetupError } from './errors.js';
import { judgeLayout } from './layout.js';
import { type PartitionInterval, formatPeriod, periodOf, periodStart } from './periods.js';
import { boundLiteral } from './sql.js';
import type { PartitionDescription } from './types.js';
import { quoteIdentifier } from '../identifiers.js';
import { plural } from '../plural.js';

const NOT_MANAGED = '(partition upkeep cannot manage it)';

function emptyDescription(table: string, interval: PartitionInterval): PartitionDescription {
  return {
    table,
    exists: false,
    partitioned: false,
    partitionKey: null,
    partitions: [],
    defaultPartition: null,
    defaultRows: 0,
    defaultRowsPast: 0,
    interval,
    firstPeriod: null,
    lastPeriod: null,
    count: 0,
    problem: null,
    summary: `${table} does not exist`,
  };
}

/**
 * Describes `table` as a table of `interval` partitions. Returns `exists: false` for a missing
 * table and `partitioned: false` for a plain one; for one upkeep cannot manage (not RANGE on one
 * timestamp column, an unreadable bound, partitions of another grain) it fills `problem` and
 * says so in `summary` instead of throwing: `status` must still work. The default partition's
 * rows are counted exactly, which scans it.
 */
export async function describePartitions(
  client: ClientBase,
  table = 'audit_log',
  interval: PartitionInterval = 'month',
  now: Date = new Date(),
): Promise<PartitionDescription> {
  const description = emptyDescription(table, interval);
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
    description.summary = `${error.message} ${NOT_MANAGED}`;
    return description;
  }
  const { key, partitions } = read;
  description.partitionKey = key.column;
  const layout = judgeLayout(partitions, interval);
  if (!layout.fits) {
    description.problem = layout.problem;
    description.summary = `${info.relname}: ${layout.problem} ${NOT_MANAGED}`;
    return description;
  }
  await describeLayout(client, info, key, partitions, description, now);
  return description;
}

/** Fills in the partitions, the periods they cover and the default partition's rows. */
async function describeLayout(
  client: ClientBase,
  info: TableInfo,
  key: KeyInfo,
  partitions: CatalogPartition[],
  description: PartitionDescription,
  now: Date,
): Promise<void> {
  const { interval } = description;
  description.partitions = partitions
    .filter((partition) => !partition.isDefault)
    .map(({ name, from, to }) => ({ name, from, to }))
    .sort((first, second) => (first.from?.getTime() ?? -Infinity) - (second.from?.getTime() ?? -Infinity));
  description.count = description.partitions.length;
  const froms = description.partitions.flatMap((partition) => (partition.from ? [partition.from.getTime()] : []));
  const tos = description.partitions.flatMap((partition) => (partition.to ? [partition.to.getTime()] : []));
  if (froms.length > 0) description.firstPeriod = periodOf(new Date(Math.min(...froms)), interval);
  if (tos.length > 0) description.lastPeriod = periodOf(new Date(Math.max(...tos) - 1), interval);
  const defaultPartition = partitions.find((partition) => partition.isDefault);
  if (defaultPartition) {
    description.defaultPartition = defaultPartition.name;
    const current = `${boundLiteral(periodStart(periodOf(now, interval)), key.type)}::${key.type}`;
    const result = await client.query<{ total: string; past: string }>(
      `SELECT count(*)::text AS total, count(*) FILTER (WHERE ${quoteIdentifier(key.column)} < ${current})::text AS past
         FROM ${defaultPartition.sql}`,
    );
    description.defaultRows = Number(result.rows[0]?.total ?? 0);
    description.defaultRowsPast = Number(result.rows[0]?.past ?? 0);
  }
  description.summary = statusLine(info.relname, description, now);
}

/** `2026-11..2027-02` for one run of periods (as always printed); `2026-11..2026-12, 2027-02` for several. */
function formatCovered(covered: PeriodSpan[]): string {
  const [only] = covered;
  if (covered.length === 1 && only) return `${formatPeriod(only.first)}..${formatPeriod(only.last)}`;
  return formatSpans(covered);
}

/**
 * What the rows in the default partition mean: rows dated from the current period on are waiting
 * for a partition upkeep will create once `ahead` reaches them; rows dated before it never will be.
 */
function defaultRowsAdvice(description: PartitionDescription, now: Date): string {
  const { defaultRows, defaultRowsPast, interval } = description;
  const future = defaultRows - defaultRowsPast;
  const advice: string[] = [];
  if (future > 0) advice.push(`${plural(future, 'row')} dated after the last partition: is --ahead too small?`);
  if (defaultRowsPast > 0) {
    const current = formatPeriod(periodOf(now, interval));
    const them = defaultRowsPast === 1 ? 'it' : 'them';
    advice.push(
      `${plural(defaultRowsPast, 'row')} dated before ${current}, which upkeep never moves: create a partition for ${them} by hand, or delete ${them}`,
    );
  }
  return advice.length > 0 ? ` (${advice.join('; ')})` : '';
}

/** `audit_log: 3 partitions, 2026-11..2026-12, 2027-02 (2027-01 missing); 2 rows in audit_log_default (...)`. */
function statusLine(relname: string, description: PartitionDescription, now: Date): string {
  const { covered, missing } = periodCoverage(description.partitions, description.interval);
  const gaps = missing.length > 0 ? ` (${formatSpans(missing)} missing)` : '';
  const span = covered.length > 0 ? `, ${formatCovered(covered)}${gaps}` : '';
  const rows =
    description.defaultRows > 0
      ? `; ${plural(description.defaultRows, 'row')} in ${description.defaultPartition}${defaultRowsAdvice(description, now)}`
      : '';
  const noDefault = description.defaultPartition ? '' : '; no default partition';
  return `${relname}: ${plural(description.count, 'partition')}${span}${rows}${noDefault}`;
}
