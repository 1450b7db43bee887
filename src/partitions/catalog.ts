/**
 * Catalog reads of partition upkeep: the table (resolved like SQL resolves a name), its
 * partition key, its partitions with their bounds, names other relations already hold, the rows
 * waiting in the default partition, and whether the table's layout fits its interval. Reads
 * only; the caller owns the transaction, if any.
 */
import type { ClientBase } from 'pg';
import { parsePartitionBound } from './bounds.js';
import { PartitionSetupError, PartitionSqlError } from './errors.js';
import { judgeLayout } from './layout.js';
import { type Period, INTERVAL_ADJECTIVE, defaultPartitionName, partitionNameOf, periodEnd, periodStart } from './periods.js';
import type { ExistingPartition } from './plan.js';
import { quoteIdentifier } from '../identifiers.js';
import { type KeyType, boundLiteral, pgErrorInfo } from './sql.js';

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
export async function inspectTable(
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
