import { FIRST_USER_OID, type CatalogModel, type CatalogType } from './model.js';

/**
 * PostgreSQL base type → TypeScript type, as node-pg (the driver Kysely's PostgresDialect uses)
 * returns the value by default. A type that is not here is declared `unknown`, with a comment.
 */
const BASE_TYPES: Readonly<Record<string, string>> = {
  text: 'string',
  varchar: 'string',
  bpchar: 'string',
  char: 'string',
  name: 'string',
  citext: 'string',
  uuid: 'string',
  inet: 'string',
  cidr: 'string',
  macaddr: 'string',
  macaddr8: 'string',
  time: 'string',
  timetz: 'string',
  xml: 'string',
  bit: 'string',
  varbit: 'string',
  tsvector: 'string',
  tsquery: 'string',
  int2: 'number',
  int4: 'number',
  float4: 'number',
  float8: 'number',
  oid: 'number',
  // A JavaScript number holds integers exactly only up to 2^53 and decimals only approximately:
  // node-pg returns these as text, and so they are typed.
  int8: 'string',
  numeric: 'string',
  money: 'string',
  bool: 'boolean',
  timestamptz: 'Date',
  timestamp: 'Date',
  date: 'Date',
  json: 'JsonValue',
  jsonb: 'JsonValue',
  bytea: 'Buffer',
};

/** Base types typed `string` to keep their precision (named in the generated file's header). */
const PRECISE_TYPES: ReadonlySet<string> = new Set(['int8', 'numeric', 'money']);

/** A column's TypeScript type, before nullability and Generated<> are applied. */
export interface ColumnTypeInfo {
  /** e.g. `string`, `Date`, `UserStatus[]`, `unknown`. */
  ts: string;
  /** A domain on the way is NOT NULL. */
  domainNotNull: boolean;
  /** A remark for the property's comment (a value node-pg does not return as typed). */
  note: string | undefined;
  /** A precise type (int8, numeric, money) was typed `string`. */
  precise: boolean;
  /** Uses the file's JsonValue type. */
  json: boolean;
}

/** How enum types are named in the file (by OID). */
export type EnumNames = ReadonlyMap<number, string>;

/**
 * The TypeScript type of a column of type `oid`: domains become their base type, arrays `T[]`,
 * enums the name of their exported union, base types as {@link BASE_TYPES} says. Pure.
 */
export function columnType(model: CatalogModel, enumNames: EnumNames, oid: number): ColumnTypeInfo {
  return resolve(model, enumNames, oid, 0);
}

/** Domains over domains over arrays...: bounded, a cycle cannot exist but a bug must not hang. */
const MAX_DEPTH = 32;

function resolve(model: CatalogModel, enumNames: EnumNames, oid: number, depth: number): ColumnTypeInfo {
  const type = model.types.get(oid);
  if (!type || depth > MAX_DEPTH) return unmapped(`type ${oid}`);
  if (type.kind === 'd' && type.baseOid !== undefined) {
    const base = resolve(model, enumNames, type.baseOid, depth + 1);
    return { ...base, domainNotNull: base.domainNotNull || type.notNull };
  }
  if (type.elementOid !== undefined) return arrayOf(model, enumNames, type, depth);
  const enumName = type.kind === 'e' ? enumNames.get(oid) : undefined;
  if (enumName) return plain(enumName);
  const mapped = type.kind === 'b' ? BASE_TYPES[type.name] : undefined;
  if (mapped === undefined) return unmapped(displayName(type));
  return { ...plain(mapped), precise: PRECISE_TYPES.has(type.name), json: mapped === 'JsonValue' };
}

function arrayOf(model: CatalogModel, enumNames: EnumNames, type: CatalogType, depth: number): ColumnTypeInfo {
  const element = resolve(model, enumNames, type.elementOid ?? 0, depth + 1);
  const ts = /^[\w.]+$/.test(element.ts) ? `${element.ts}[]` : `(${element.ts})[]`;
  // node-pg parses only the built-in array types; an array of an enum, a domain or an
  // extension's type (citext[]) arrives as its text form ('{a,b}') unless a parser is registered.
  const userArray = type.oid >= FIRST_USER_OID;
  const note = userArray
    ? `${displayName(model.types.get(type.elementOid ?? 0))}[]: node-pg returns this array as text ('{a,b}') unless a type parser is registered for it`
    : element.note;
  return { ts, domainNotNull: false, note, precise: element.precise, json: element.json };
}

function plain(ts: string): ColumnTypeInfo {
  return { ts, domainNotNull: false, note: undefined, precise: false, json: false };
}

function unmapped(what: string): ColumnTypeInfo {
  return { ts: 'unknown', domainNotNull: false, note: `${what}: no TypeScript mapping, declared unknown`, precise: false, json: false };
}

/** `interval`, `app.mood`: schema-qualified unless built in or in public. */
function displayName(type: CatalogType | undefined): string {
  if (!type) return 'unknown type';
  return type.schema === 'pg_catalog' || type.schema === 'public' ? type.name : `${type.schema}.${type.name}`;
}
