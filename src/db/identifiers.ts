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

/** PostgreSQL's NAMEDATALEN - 1: identifiers are cut to this many bytes (not characters). */
export const MAX_IDENTIFIER_BYTES = 63;

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
  for (const part of parts) {
    // PostgreSQL truncates longer names silently, so two "different" journals would be one table.
    if (Buffer.byteLength(part, 'utf8') > MAX_IDENTIFIER_BYTES) {
      throw new UsageError(
        `${setting} "${value}": "${part}" is ${Buffer.byteLength(part, 'utf8')} bytes long; PostgreSQL identifiers are limited to ${MAX_IDENTIFIER_BYTES} bytes`,
      );
    }
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
 * schema-qualified name as it resolved in the database (never from how it was spelled), so every
 * runner of one journal takes the same lock and runners of another journal do not.
 *
 * @example
 * advisoryLockKey('public', 'schema_migrations') // -5811… (a bigint)
 */
export function advisoryLockKey(schema: string, table: string): bigint {
  const digest = createHash('sha256').update(`aeturnis-db:${schema}.${table}`).digest();
  return digest.readBigInt64BE(0);
}

/**
 * A companion name derived from `table`, cut (with a short hash, so two long names stay apart) to
 * fit PostgreSQL's 63-byte limit.
 *
 * @example
 * derivedName('schema_migrations', '_partial') // 'schema_migrations_partial'
 */
export function derivedName(table: string, suffix: string): string {
  const full = `${table}${suffix}`;
  if (Buffer.byteLength(full, 'utf8') <= MAX_IDENTIFIER_BYTES) return full;
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 8);
  const room = MAX_IDENTIFIER_BYTES - Buffer.byteLength(`_${hash}${suffix}`, 'utf8');
  let head = '';
  for (const char of table) {
    if (Buffer.byteLength(head + char, 'utf8') > room) break;
    head += char;
  }
  return `${head}_${hash}${suffix}`;
}
