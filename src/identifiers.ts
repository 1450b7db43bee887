import { createHash } from 'node:crypto';
import { UsageError } from './errors.js';

/** A possibly schema-qualified table name, split and quoted. */
export interface TableName {
  schema: string | undefined;
  table: string;
  /** Safe to splice into SQL: `"schema"."table"` or `"table"`. */
  quoted: string;
  /** For messages, as `--table` reads it back: `schema.table` or `table` (parts quoted where needed). */
  display: string;
}

/** PostgreSQL's NAMEDATALEN - 1: identifiers are cut to this many bytes (not characters). */
const MAX_IDENTIFIER_BYTES = 63;

/**
 * Parses `--table` values as PostgreSQL reads a qualified name (its `parse_ident`): unquoted
 * parts fold to lower case, double-quoted parts keep their case (`""` is a quote, a dot is part
 * of the name); at most `schema.name`. Longer names are refused rather than cut as PostgreSQL
 * would cut them.
 */
export function parseTableName(value: string, setting: string): TableName {
  const parsed = parseIdent(value);
  if (typeof parsed === 'string' || parsed.length > 2) {
    const reason = typeof parsed === 'string' ? parsed : 'more than two parts';
    throw new UsageError(
      `${setting} "${value}" is not a valid table name: ${reason} (use name or schema.name; double-quote a part to keep its case)`,
    );
  }
  for (const part of parsed) {
    // PostgreSQL truncates longer names silently, so two "different" journals would be one table.
    if (Buffer.byteLength(part, 'utf8') > MAX_IDENTIFIER_BYTES) {
      throw new UsageError(
        `${setting} "${value}": "${part}" is ${Buffer.byteLength(part, 'utf8')} bytes long; PostgreSQL identifiers are limited to ${MAX_IDENTIFIER_BYTES} bytes`,
      );
    }
  }
  const [first, second] = parsed as [string, string | undefined];
  const schema = second === undefined ? undefined : first;
  const table = second ?? first;
  const quoted = schema === undefined ? quoteIdentifier(table) : `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  return { schema, table, quoted, display: displayName(schema, table) };
}

/**
 * The parts of a dotted name, read as PostgreSQL's `parse_ident` reads them, or why it is not
 * one. Pure.
 */
export function parseIdent(text: string): string[] | string {
  const parts: string[] = [];
  let i = skipSpace(text, 0);
  for (;;) {
    let part: string;
    if (text[i] === '"') {
      const end = closingQuote(text, i + 1);
      if (end < 0) return 'unclosed double quote';
      part = text.slice(i + 1, end).replace(/""/g, '"');
      if (part === '') return 'an empty quoted name ("")';
      i = end + 1;
    } else {
      const start = i;
      if (i < text.length && IDENT_START.test(text[i] as string)) while (i < text.length && IDENT_CONT.test(text[i] as string)) i++;
      if (i === start) return i < text.length ? `unexpected "${text[i]}" at position ${i + 1}` : 'a name is missing';
      // PostgreSQL folds ASCII letters only (in UTF-8 databases).
      part = text.slice(start, i).replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
    }
    parts.push(part);
    i = skipSpace(text, i);
    if (i === text.length) return parts;
    if (text[i] !== '.') return `unexpected "${text[i]}" at position ${i + 1}`;
    i = skipSpace(text, i + 1);
  }
}

const IDENT_START = /[A-Za-z_\u0080-\u{10FFFF}]/u;
const IDENT_CONT = /[A-Za-z0-9_$\u0080-\u{10FFFF}]/u;

function skipSpace(text: string, from: number): number {
  let i = from;
  while (i < text.length && ' \t\n\r\f'.includes(text[i] as string)) i++;
  return i;
}

/** The index of the quote that closes a quoted name starting at `from` (`""` inside is a quote), or -1. */
function closingQuote(text: string, from: number): number {
  for (let i = from; i < text.length; i++) {
    if (text[i] !== '"') continue;
    if (text[i + 1] !== '"') return i;
    i++;
  }
  return -1;
}

/**
 * `schema.table` as a user would pass it back to `--table`: a part that would not read back as
 * itself unquoted is double-quoted.
 */
export function displayName(schema: string | undefined, table: string): string {
  const show = (part: string): string => (/^[a-z_][a-z0-9_$]*$/.test(part) ? part : quoteIdentifier(part));
  return schema === undefined ? show(table) : `${show(schema)}.${show(table)}`;
}

/**
 * Double-quotes an SQL identifier.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Quotes an SQL string literal (standard_conforming_strings on; `E''` when backslashes occur).
 */
export function quoteLiteral(value: string): string {
  const body = value.replace(/'/g, "''");
  return value.includes('\\') ? `E'${body.replace(/\\/g, '\\\\')}'` : `'${body}'`;
}

/**
 * The runner's advisory-lock key: a signed 64-bit integer derived from the journal table's
 * schema-qualified name as it resolved in the database (never from how it was spelled), so every
 * runner of one journal takes the same lock and runners of another journal do not.
 */
export function advisoryLockKey(schema: string, table: string): bigint {
  const digest = createHash('sha256').update(`aeturnis-db:${schema}.${table}`).digest();
  return digest.readBigInt64BE(0);
}

/**
 * A companion name derived from `table`, cut (with a short hash, so two long names stay apart) to
 * fit PostgreSQL's 63-byte limit.
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
