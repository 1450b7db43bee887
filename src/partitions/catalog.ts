/**
 * Catalog reads of partition upkeep: the table (resolved like SQL resolves a name), its
 * partition key, its partitions with their bounds, names other relations already hold, the rows
 * waiting in the default partition, and whether the table's layout fits its interval; then the
 * partition line of `status`, read without changing anything and without opening a transaction.
 * Reads only; the caller owns the transaction, if any.
 */
import type { ClientBase } from 'pg';
import { quoteIdentifier } from '../identifiers.js';
import { errorCode, pgErrorOf } from '../connection/pg-error.js';
import {
  INTERVAL_ADJECTIVE,
  type KeyType,
  type PartitionInterval,
  type Period,
  boundLiteral,
  defaultPartitionName,
  parsePartitionBound,
  partitionNameOf,
  periodEnd,
  periodOf,
  periodStart,
  periodsToEnsure,
} from './periods.js';
import { type ExistingPartition, judgeLayout } from './plan.js';
import { statusLine } from './report.js';
import { type PartitionDescription, type PartitionReport, PartitionSetupError, PartitionSqlError, type RunSettings } from './types.js';

const KEY_TYPES: Record<number, KeyType> = { 1184: 'timestamptz', 1114: 'timestamp', 1082: 'date' };

/** The partitioned table as found in the catalog. */
export interface TableInfo {
  oid: string;
  /** Oid of its schema. */
  namespaceOid: string;
  schema: string;
  relname: string;
  relkind: string;
  /** Quoted, schema-qualified. */
  sql: string;
}

/** Its partition key: one column of a timestamp type. */
export interface KeyInfo {
  column: string;
  type: KeyType;
  /** `pg_get_partkeydef`, e.g. `RANGE (created_at)`. */
  definition: string;
}

export interface CatalogPartition extends ExistingPartition {
  /** Quoted, schema-qualified. */
  sql: string;
}

export interface CatalogState {
  partitions: CatalogPartition[];
  /** Names this run wants that relations other than its partitions hold. */
  taken: string[];
}

/** The table `table` names (`to_regclass`: search_path, quoting rules), or null when there is none. */
export async function resolveTable(client: ClientBase, table: string): Promise<TableInfo | null> {
  let rows: Omit<TableInfo, 'sql'>[];
  try {
    rows = (
      await client.query<Omit<TableInfo, 'sql'>>(
        `SELECT c.oid::text AS oid, c.relnamespace::text AS "namespaceOid", n.nspname AS schema, c.relname, c.relkind::text AS relkind
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid = pg_catalog.to_regclass($1)`,
        [table],
      )
    ).rows;
  } catch (error) {
    throw new PartitionSetupError(table, `invalid table name: ${pgErrorInfo(error).message}`);
  }
  const [found] = rows;
  return found ? { ...found, sql: `${quoteIdentifier(found.schema)}.${quoteIdentifier(found.relname)}` } : null;
}

/** The partition key; PartitionSetupError when it is not RANGE on one timestamp column. */
export async function readKey(client: ClientBase, table: string, info: TableInfo): Promise<KeyInfo> {
  if (info.relkind !== 'p') {
    throw new PartitionSetupError(
      table,
      `${info.schema}.${info.relname} is not a partitioned table; upkeep needs PARTITION BY RANGE on one timestamptz, timestamp or date column`,
    );
  }
  const [key] = (
    await client.query<{ strategy: string; columns: number; definition: string; attname: string | null; typeOid: number | null }>(
      `SELECT pt.partstrat::text AS strategy, pt.partnatts::int AS columns, pg_catalog.pg_get_partkeydef(pt.partrelid) AS definition,
              a.attname, a.atttypid::int AS "typeOid"
         FROM pg_catalog.pg_partitioned_table pt
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
        WHERE pt.partrelid = $1::oid`,
      [info.oid],
    )
  ).rows;
  if (!key) throw new PartitionSetupError(table, 'partition key not found in pg_partitioned_table');
  const type = key.typeOid === null ? undefined : KEY_TYPES[key.typeOid];
  if (key.strategy !== 'r' || key.columns !== 1 || key.attname === null || type === undefined) {
    throw new PartitionSetupError(
      table,
      `partitioned by ${key.definition}; upkeep needs RANGE on one timestamptz, timestamp or date column`,
    );
  }
  const longest = Buffer.byteLength(partitionNameOf(info.relname, { interval: 'day', index: 0 }));
  if (longest > 63 || Buffer.byteLength(defaultPartitionName(info.relname)) > 63) {
    throw new PartitionSetupError(table, `table name too long: partition names would exceed 63 bytes`);
  }
  return { column: key.attname, type, definition: key.definition };
}

/** Seconds since the epoch as read back by PostgreSQL; MINVALUE / MAXVALUE ends become null. */
function epochToDate(epoch: number, side: 'from' | 'to'): Date | null {
  if (epoch === -Infinity && side === 'from') return null;
  if (epoch === Infinity && side === 'to') return null;
  if (!Number.isFinite(epoch)) return new Date(epoch > 0 ? 8.64e15 : -8.64e15);
  return new Date(Math.round(epoch * 1000));
}

/** The literals of the bounds, turned into instants by PostgreSQL as the key's type. */
async function castLiterals(client: ClientBase, literals: string[], type: KeyType): Promise<number[]> {
  if (literals.length === 0) return [];
  // pg_get_expr printed the literals under this session's TimeZone/DateStyle, and this cast
  // reads them back under the same settings, so the instants are right whatever those are.
  const result = await client.query<{ epoch: number }>(
    `SELECT pg_catalog.date_part('epoch', value::${type})::float8 AS epoch
       FROM unnest($1::text[]) WITH ORDINALITY AS t(value, position) ORDER BY position`,
    [literals],
  );
  return result.rows.map((row) => Number(row.epoch));
}

/** Every partition of the table with its range (the default partition flagged). */
export async function readPartitions(client: ClientBase, table: string, info: TableInfo, key: KeyInfo): Promise<CatalogPartition[]> {
  const children = (
    await client.query<{ schema: string; relname: string; bound: string }>(
      `SELECT n.nspname AS schema, c.relname, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_catalog.pg_inherits i
         JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = $1::oid
        ORDER BY n.nspname, c.relname`,
      [info.oid],
    )
  ).rows;
  const literals: string[] = [];
  /** The index in `literals` of a literal bound, null for MINVALUE / MAXVALUE. */
  const slot = (value: { kind: string; text?: string }): number | null =>
    value.kind === 'literal' ? literals.push(value.text ?? '') - 1 : null;
  const parsed = children.map((child) => {
    const bound = parsePartitionBound(child.bound);
    if (bound.kind === 'unsupported') {
      throw new PartitionSetupError(table, `cannot read the bound of partition ${child.relname}: ${child.bound}`);
    }
    return bound.kind === 'default'
      ? { child, isDefault: true, from: null, to: null }
      : { child, isDefault: false, from: slot(bound.from), to: slot(bound.to) };
  });
  const epochs = await castLiterals(client, literals, key.type);
  return parsed.map(({ child, isDefault, from, to }) => ({
    name: child.schema === info.schema ? child.relname : `${child.schema}.${child.relname}`,
    sql: `${quoteIdentifier(child.schema)}.${quoteIdentifier(child.relname)}`,
    isDefault,
    from: from === null ? null : epochToDate(epochs[from] ?? NaN, 'from'),
    to: to === null ? null : epochToDate(epochs[to] ?? NaN, 'to'),
  }));
}

/** Relations in the table's schema, not partitions of it, whose names we might want. */
async function readTakenNames(client: ClientBase, info: TableInfo, candidates: string[]): Promise<string[]> {
  const result = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_catalog.pg_class c
      WHERE c.relnamespace = $1::oid AND c.relname = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = $3::oid)`,
    [info.namespaceOid, candidates, info.oid],
  );
  return result.rows.map((row) => row.relname);
}

/** The partitions, and which of the names the periods (and the default partition) want are taken. */
async function readState(client: ClientBase, table: string, info: TableInfo, key: KeyInfo, periods: Period[]): Promise<CatalogState> {
  const partitions = await readPartitions(client, table, info, key);
  const candidates = [...periods.map((period) => partitionNameOf(info.relname, period)), defaultPartitionName(info.relname)];
  const taken = await readTakenNames(client, info, candidates);
  return { partitions, taken };
}

/**
 * The partition key and the catalog state of a table whose layout fits the periods' interval;
 * PartitionSetupError for any other (not RANGE on one timestamp column, partitions of another grain).
 */
async function inspectTable(
  client: ClientBase,
  table: string,
  info: TableInfo,
  periods: Period[],
): Promise<{ key: KeyInfo; state: CatalogState }> {
  const key = await readKey(client, table, info);
  const state = await readState(client, table, info, key, periods);
  const interval = periods[0]?.interval ?? 'month';
  const layout = judgeLayout(state.partitions, interval);
  if (!layout.fits) {
    const suggested = { day: 'day', week: 'week', year: 'year', 'utc-month': 'month' }[layout.grain as string];
    const fix = suggested ? `register it again with --interval ${suggested}, or unregister it` : 'unregister it';
    throw new PartitionSetupError(table, `${layout.problem}, but it is registered as ${INTERVAL_ADJECTIVE[interval]} (${fix})`);
  }
  return { key, state };
}

/** The table a run maintains: the name as given, and what the catalog says of it. */
export interface Target {
  table: string;
  info: TableInfo;
  key: KeyInfo;
  /** The columns a row copy carries, quoted; read on the run's first move, then kept for its other periods. */
  columns?: string[];
}

/**
 * The table with its catalog state; null — recorded in the report — when it does not exist or
 * cannot be managed and the run leaves such tables alone.
 */
export async function findTarget(
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

/** `col >= from AND col < to` for the period, cast to the key's type. */
export function periodCondition(key: KeyInfo, period: Period): string {
  const column = quoteIdentifier(key.column);
  const from = `${boundLiteral(periodStart(period), key.type)}::${key.type}`;
  const to = `${boundLiteral(periodEnd(period), key.type)}::${key.type}`;
  return `${column} >= ${from} AND ${column} < ${to}`;
}

/** Rows of the default partition inside each period (one scan). */
export async function countDefaultRows(
  client: ClientBase,
  table: string,
  defaultSql: string,
  key: KeyInfo,
  periods: Period[],
): Promise<number[]> {
  if (periods.length === 0) return [];
  const counts = periods.map((period, index) => `count(*) FILTER (WHERE ${periodCondition(key, period)})::int8::text AS period${index}`);
  let row: Record<string, string> | undefined;
  try {
    [row] = (await client.query<Record<string, string>>(`SELECT ${counts.join(', ')} FROM ${defaultSql}`)).rows;
  } catch (error) {
    const { message, code } = pgErrorInfo(error);
    throw new PartitionSqlError({ table, step: `counting rows in the default partition`, pgMessage: message, sqlState: code });
  }
  return periods.map((_, index) => Number(row?.[`period${index}`] ?? 0));
}

/** The table's columns a row copy must carry (generated ones are computed again), quoted. */
export async function readCopyableColumns(client: ClientBase, info: TableInfo): Promise<string[]> {
  const result = await client.query<{ attname: string }>(
    `SELECT attname FROM pg_catalog.pg_attribute
      WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
      ORDER BY attnum`,
    [info.oid],
  );
  return result.rows.map((row) => quoteIdentifier(row.attname));
}

/** The message and SQLSTATE of whatever `pg` threw. */
export function pgErrorInfo(error: unknown): { message: string; code: string | undefined } {
  const pgError = pgErrorOf(error);
  return { message: pgError?.message ?? (error instanceof Error ? error.message : String(error)), code: pgError?.code ?? errorCode(error) };
}

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
