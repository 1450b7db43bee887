/**
 * One object's SQL block each: the CREATE statements `dump` writes for types, sequences, tables
 * and views. Pure: catalog rows in, text out; every name arrives quoted by PostgreSQL.
 */
import type { ColumnRow, CompositeRow, DomainRow, EnumRow, RangeRow, SequenceRow, SequenceSettings, TableRow, ViewRow } from './model.js';

import { quoteLiteral } from '../db/identifiers.js';

/** An SQL string literal that reads the same whatever standard_conforming_strings is. */
export const literal = quoteLiteral;

export function renderEnum(row: EnumRow): string {
  const labels = row.labels.map((label) => `    ${literal(label)}`).join(',\n');
  return `CREATE TYPE ${row.name} AS ENUM (\n${labels}\n);`;
}

export function renderDomain(row: DomainRow): string {
  const parts = [`CREATE DOMAIN ${row.name} AS ${row.base}`];
  if (row.collation) parts.push(`COLLATE ${row.collation}`);
  if (row.default !== null) parts.push(`DEFAULT ${row.default}`);
  if (row.notNull) parts.push('NOT NULL');
  for (const check of row.checks) parts.push(`CONSTRAINT ${check.name} ${check.definition}`);
  return `${parts.join('\n    ')};`;
}

export function renderComposite(row: CompositeRow): string {
  const attributes = row.attributes.map((a) => `    ${a.name} ${a.type}${a.collation ? ` COLLATE ${a.collation}` : ''}`);
  return `CREATE TYPE ${row.name} AS (\n${attributes.join(',\n')}\n);`;
}

export function renderRange(row: RangeRow): string {
  const options = [`subtype = ${row.subtype}`];
  if (row.opclass) options.push(`subtype_opclass = ${row.opclass}`);
  if (row.collation) options.push(`collation = ${row.collation}`);
  if (row.canonical) options.push(`canonical = ${row.canonical}`);
  if (row.diff) options.push(`subtype_diff = ${row.diff}`);
  options.push(`multirange_type_name = ${row.multirange}`);
  return `CREATE TYPE ${row.name} AS RANGE (\n    ${options.join(',\n    ')}\n);`;
}

/** The largest value of each sequence type (the smallest is its negation minus one). */
const TYPE_MAX: Record<string, bigint> = { smallint: 32767n, integer: 2147483647n, bigint: 9223372036854775807n };

/**
 * The sequence options that differ from what PostgreSQL picks by itself for the type and the
 * increment's sign, e.g. `START WITH 100 CACHE 20`; '' when all are the defaults.
 */
export function sequenceOptions(seq: SequenceSettings, withType: boolean): string {
  const max = TYPE_MAX[seq.type] ?? TYPE_MAX.bigint ?? 0n;
  const ascending = BigInt(seq.increment) > 0n;
  const defaultMin = ascending ? 1n : -max - 1n;
  const defaultMax = ascending ? max : -1n;
  const parts: string[] = [];
  if (withType && seq.type !== 'bigint') parts.push(`AS ${seq.type}`);
  if (BigInt(seq.start) !== (ascending ? BigInt(seq.min) : BigInt(seq.max))) parts.push(`START WITH ${seq.start}`);
  if (seq.increment !== '1') parts.push(`INCREMENT BY ${seq.increment}`);
  if (BigInt(seq.min) !== defaultMin) parts.push(`MINVALUE ${seq.min}`);
  if (BigInt(seq.max) !== defaultMax) parts.push(`MAXVALUE ${seq.max}`);
  if (seq.cache !== '1') parts.push(`CACHE ${seq.cache}`);
  if (seq.cycle) parts.push('CYCLE');
  return parts.join(' ');
}

export function renderSequence(row: SequenceRow): string {
  const options = sequenceOptions(row, true);
  return `CREATE SEQUENCE ${row.name}${options ? ` ${options}` : ''};`;
}

/** `ALTER SEQUENCE ... OWNED BY`, after its table exists. */
export function renderSequenceOwner(row: SequenceRow): string | undefined {
  return row.ownedBy === null ? undefined : `ALTER SEQUENCE ${row.name} OWNED BY ${row.ownedBy};`;
}

function renderColumn(column: ColumnRow): string {
  const parts = [column.name, column.type];
  if (column.collation) parts.push(`COLLATE ${column.collation}`);
  if (column.identity !== '') {
    const options = column.sequence ? sequenceOptions(column.sequence, false) : '';
    const kind = column.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT';
    parts.push(`GENERATED ${kind} AS IDENTITY${options ? ` (${options})` : ''}`);
  }
  if (column.generated !== null) parts.push(`GENERATED ALWAYS AS (${column.generated}) STORED`);
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return `    ${parts.join(' ')}`;
}

/** `CREATE TABLE` with its columns, or `CREATE TABLE ... PARTITION OF` for a partition. */
export function renderTable(row: TableRow): string {
  const unlogged = row.unlogged ? 'UNLOGGED ' : '';
  const columns = row.columns.map(renderColumn);
  let head: string;
  if (row.partitionOf !== null) {
    // A partition's columns are its parent's; only local defaults and NOT NULLs would differ.
    head = `CREATE ${unlogged}TABLE ${row.name} PARTITION OF ${row.partitionOf} ${row.bound ?? 'DEFAULT'}`;
  } else {
    const inherits = row.inherits.length > 0 ? `\nINHERITS (${row.inherits.join(', ')})` : '';
    head = `CREATE ${unlogged}TABLE ${row.name} (${columns.length > 0 ? `\n${columns.join(',\n')}\n` : ''})${inherits}`;
  }
  const partitioned = row.partitionKey !== null ? `\nPARTITION BY ${row.partitionKey}` : '';
  const options = row.options.length > 0 ? `\nWITH (${row.options.join(', ')})` : '';
  return `${head}${partitioned}${options};`;
}

/** `CREATE [MATERIALIZED] VIEW`; a materialized view is created empty-and-filled from its (empty) tables. */
export function renderView(row: ViewRow): string {
  const options = row.options.length > 0 ? ` WITH (${row.options.join(', ')})` : '';
  const kind = row.materialized ? 'MATERIALIZED VIEW' : 'VIEW';
  const query = row.definition.trim().replace(/;$/, '');
  return `CREATE ${kind} ${row.name}${options} AS\n${query};`;
}
