import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';

/** A possibly schema-qualified table name, split and quoted. */
export interface TableName {
  schema: string | undefined;
  table: string;
  /** Safe to splice into SQL: `"schema"."table"` or `"table"`. */
  quoted: string;
  /** For messages and lock keys: `schema.table` or `table`. */
  display: string;
}

const PART = /^[^\s".;]+$/;

/**
 * Parses `--table` values: `schema_migrations` or `ops.schema_migrations`. Identifiers are
 * always quoted, so any case and most characters are kept literally.
 *
 * @example
 * parseTableName('ops.schema_migrations', '--table').quoted // '"ops"."schema_migrations"'
 */
export function parseTableName(value: string, setting: string): TableName {
  const parts = value.split('.');
  if (parts.length > 2 || parts.some((p) => !PART.test(p))) {
    throw new UsageError(`${setting} "${value}" is not a valid table name (use name or schema.name)`);
  }
  const [first, second] = parts as [string, string | undefined];
  const schema = second === undefined ? undefined : first;
  const table = second === undefined ? first : second;
  if (table.length > 63 || (schema?.length ?? 0) > 63) {
    throw new UsageError(`${setting} "${value}": identifiers are limited to 63 characters`);
  }
  const quoted = schema === undefined ? quoteIdentifier(table) : `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  return { schema, table, quoted, display: value };
}

/**
 * Double-quotes an SQL identifier.
 *
 * @example
 * quoteIdentifier('weird"name') // '"weird""name"'
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Quotes an SQL string literal (standard_conforming_strings on; `E''` when backslashes occur).
 *
 * @example
 * quoteLiteral("it's") // "'it''s'"
 */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/**
 * The runner's advisory-lock key: a signed 64-bit integer derived from the journal table's
 * qualified name, so runners of one journal serialise and those of another do not.
 *
 * @example
 * advisoryLockKey(parseTableName('schema_migrations', '--table')) // '-5811…' (a bigint as text)
 */
export function advisoryLockKey(table: TableName): bigint {
  const digest = createHash('sha256').update(`aeturnis-db:${table.schema ?? 'public'}.${table.table}`).digest();
  return digest.readBigInt64BE(0);
}
