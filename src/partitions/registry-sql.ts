/**
 * The SQL of the partition registry, `<journal>_partitions` in the journal's schema: one row per
 * table partition upkeep maintains. Built as text (literals quoted here, no parameters) so the
 * `-- aeturnis:partitions` directive's writes can travel in a migration's own message, next to
 * its journal write. Every name is schema-qualified and every function comes from pg_catalog.
 * Pure.
 *
 * The table exists while something is registered: the first registration creates it, removing
 * the last one drops it (when this role may), so a migration's DOWN leaves the schema as its UP
 * found it (`verify` compares them) and read-only commands never create it.
 */
import { derivedName, displayName, parseIdent, quoteIdentifier, quoteLiteral, type TableName } from '../identifiers.js';
import type { PartitionDirective, RegistrationSettings } from './registry-options.js';

/** The journal the registry belongs to (db/journal-sql.ts's JournalNames fits; declared here, as that file imports this one). */
export interface JournalQuoted {
  /** `"schema"."table"` */
  quoted: string;
}

/** Where the registry is. */
export interface RegistryTable {
  /** `"schema"."<journal>_partitions"` */
  quoted: string;
  /** `schema.<journal>_partitions`, for messages. */
  display: string;
}

/**
 * The registry of a journal: `<journal table>_partitions` in the journal's schema.
 */
export function registryOf(journal: JournalQuoted): RegistryTable {
  const parts = parseIdent(journal.quoted);
  if (typeof parts === 'string' || parts.length !== 2) throw new Error(`journal name ${journal.quoted} is not "schema"."table"`);
  const [schema, table] = parts as [string, string];
  const name = derivedName(table, '_partitions');
  return { quoted: `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`, display: displayName(schema, name) };
}

/** The registry's columns, as `readRegistry` selects them (and `shown`: the table as PostgreSQL names it from here). */
export function selectRegistrySql(registry: RegistryTable): string {
  return `SELECT table_schema::text AS schema, table_name::text AS "table", partition_column::text AS "column",
       partition_interval AS "interval", ahead, retain, retain_mode AS "retainMode",
       pg_catalog.to_regclass(pg_catalog.quote_ident(table_schema) || '.' || pg_catalog.quote_ident(table_name))::text AS shown
  FROM ${registry.quoted} ORDER BY table_schema, table_name`;
}

/** plpgsql: creates the registry when it is missing (looking first: IF NOT EXISTS checks the CREATE privilege anyway). */
function createIfMissing(registry: RegistryTable): string {
  return `IF pg_catalog.to_regclass(${quoteLiteral(registry.quoted)}) IS NULL THEN
    CREATE TABLE ${registry.quoted} (
      table_schema       name NOT NULL,
      table_name         name NOT NULL,
      partition_column   name NOT NULL,
      partition_interval text NOT NULL CHECK (partition_interval IN ('day', 'week', 'month', 'year')),
      ahead              integer NOT NULL CHECK (ahead >= 0),
      retain             integer CHECK (retain >= 0),
      retain_mode        text NOT NULL DEFAULT 'drop' CHECK (retain_mode IN ('drop', 'detach')),
      registered_at      timestamptz NOT NULL DEFAULT pg_catalog.now(),
      PRIMARY KEY (table_schema, table_name)
    );
  END IF;`;
}

/** plpgsql: drops the registry when nothing is left in it and this role may (a DBA's table with its grants stays). */
function dropIfEmpty(registry: RegistryTable): string {
  return `IF pg_catalog.to_regclass(${quoteLiteral(registry.quoted)}) IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${registry.quoted}) THEN
    BEGIN
      DROP TABLE ${registry.quoted};
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
  END IF;`;
}

/**
 * One row: the table TABLE names (`to_regclass`: search_path, quoting), its key column, and
 * `problem` — why upkeep cannot manage it, with `code` its SQLSTATE — or null.
 */
export function checkTableSql(table: TableName, column: string | undefined): string {
  const qualified = `pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)`;
  const needs = 'partition upkeep needs PARTITION BY RANGE on one timestamptz, timestamp or date column';
  const columnCheck =
    column === undefined
      ? ''
      : `\n    WHEN a.attname::text <> ${quoteLiteral(column)} THEN ${qualified} || ' is partitioned by ' || pg_catalog.pg_get_partkeydef(c.oid) || ${quoteLiteral(`, not by --column ${displayName(undefined, column)}`)}`;
  return `SELECT n.nspname::text AS schema, c.relname::text AS relname, a.attname::text AS key_column,
  CASE
    WHEN c.oid IS NULL THEN ${quoteLiteral(`${table.display}: no such table (check the name, its schema and search_path)`)}
    WHEN c.relkind <> 'p' THEN ${qualified} || CASE c.relkind WHEN 'r' THEN ' is not partitioned' WHEN 'v' THEN ' is a view'
      WHEN 'm' THEN ' is a materialized view' WHEN 'f' THEN ' is a foreign table' ELSE ' is not a table' END || ${quoteLiteral(`; ${needs}`)}
    WHEN pt.partstrat <> 'r' OR pt.partnatts <> 1 OR a.attname IS NULL OR a.atttypid NOT IN (1184, 1114, 1082)
      THEN ${qualified} || ' is partitioned by ' || pg_catalog.pg_get_partkeydef(c.oid) || ${quoteLiteral(`; ${needs}`)}${columnCheck}
  END AS problem,
  CASE WHEN c.oid IS NULL THEN '42P01' ELSE '42809' END AS code
FROM (SELECT pg_catalog.to_regclass(${quoteLiteral(table.quoted)}) AS oid) AS given
LEFT JOIN pg_catalog.pg_class c ON c.oid = given.oid
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_partitioned_table pt ON pt.partrelid = c.oid
LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = pt.partattrs[0]`;
}

/** The registry row's values, as SQL expressions. */
interface RowValues {
  schema: string;
  table: string;
  column: string;
}

/** Inserts or replaces one registration (the settings written as given: a second registration replaces, it does not merge). */
function upsertSql(registry: RegistryTable, values: RowValues, settings: RegistrationSettings): string {
  const retain = settings.retain === null ? 'NULL' : String(settings.retain);
  return `INSERT INTO ${registry.quoted} AS r (table_schema, table_name, partition_column, partition_interval, ahead, retain, retain_mode, registered_at)
    VALUES (${values.schema}, ${values.table}, ${values.column}, ${quoteLiteral(settings.interval)}, ${settings.ahead}, ${retain}, ${quoteLiteral(settings.retainMode)}, pg_catalog.now())
    ON CONFLICT (table_schema, table_name) DO UPDATE SET partition_column = EXCLUDED.partition_column,
      partition_interval = EXCLUDED.partition_interval, ahead = EXCLUDED.ahead, retain = EXCLUDED.retain,
      retain_mode = EXCLUDED.retain_mode, registered_at = EXCLUDED.registered_at`;
}

/**
 * `partitions register`, once the table is checked: creates the registry when missing and
 * writes the row, in one statement.
 */
export function registerSql(
  registry: RegistryTable,
  row: { schema: string; table: string; column: string },
  settings: RegistrationSettings,
): string {
  const values = { schema: quoteLiteral(row.schema), table: quoteLiteral(row.table), column: quoteLiteral(row.column) };
  return doBlock(`BEGIN
  ${createIfMissing(registry)}
  ${upsertSql(registry, values, settings)};
END`);
}

/** The registration of (schema, table), or none: its stored settings. */
export function selectOneSql(registry: RegistryTable, schema: string, table: string): string {
  return `SELECT partition_column::text AS "column", partition_interval AS "interval", ahead, retain, retain_mode AS "retainMode"
  FROM ${registry.quoted} WHERE table_schema = ${quoteLiteral(schema)} AND table_name = ${quoteLiteral(table)}`;
}

/**
 * The registrations named `table` (any schema), each with its place in search_path (null: not
 * on it), for resolving an unqualified name that may no longer exist as a table.
 */
export function candidatesSql(registry: RegistryTable, table: string): string {
  return `SELECT r.table_schema::text AS schema, r.table_name::text AS "table", p.pos::integer AS position
  FROM ${registry.quoted} r
  LEFT JOIN pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS p(schema, pos) ON p.schema = r.table_schema::text
 WHERE r.table_name = ${quoteLiteral(table)}
 ORDER BY p.pos NULLS LAST, r.table_schema`;
}

/** `partitions unregister`: deletes one registration (by its resolved key) and drops the registry when it is left empty. */
export function unregisterSql(registry: RegistryTable, schema: string, table: string): string {
  return doBlock(`BEGIN
  DELETE FROM ${registry.quoted} WHERE table_schema = ${quoteLiteral(schema)} AND table_name = ${quoteLiteral(table)};
  ${dropIfEmpty(registry)}
END`);
}

/** `-- aeturnis:partitions TABLE (line N): `, the start of a directive's error. */
function directivePrefix(directive: PartitionDirective): string {
  return `-- aeturnis:partitions ${directive.table.display} (line ${directive.line}): `;
}

/**
 * A migration's registrations, written after its UP: each table checked (a problem raises an
 * error that fails the migration), then registered. Runs only when `version` is in the journal
 * now — written by this transaction (a pending migration has no row before): a file that ended
 * the transaction itself left no row, and then nothing is registered either.
 */
export function directivesRegisterSql(journal: JournalQuoted, version: number, directives: readonly PartitionDirective[]): string {
  const registry = registryOf(journal);
  const checks = directives.map(
    (directive, index) => `SELECT * INTO t${index} FROM (${checkTableSql(directive.table, directive.settings.column)}) AS checked;
  IF t${index}.problem IS NOT NULL THEN
    RAISE EXCEPTION USING ERRCODE = t${index}.code, MESSAGE = ${quoteLiteral(directivePrefix(directive))} || t${index}.problem;
  END IF;`,
  );
  const writes = directives.map(
    (directive, index) =>
      `${upsertSql(registry, { schema: `t${index}.schema`, table: `t${index}.relname`, column: `t${index}.key_column` }, directive.settings)};`,
  );
  return doBlock(`DECLARE
  ${directives.map((_, index) => `t${index} record;`).join(' ')}
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${journal.quoted} WHERE version = ${version}) THEN RETURN; END IF;
  ${checks.join('\n  ')}
  ${createIfMissing(registry)}
  ${writes.join('\n  ')}
END`);
}

/**
 * A migration's registrations, removed after its DOWN (which may have dropped the tables): a
 * qualified TABLE by its name; an unqualified one is the registration of that name in the first
 * schema of search_path that has one, else the only one of that name. Runs only when `version`
 * left the journal in this transaction.
 */
export function directivesUnregisterSql(journal: JournalQuoted, version: number, directives: readonly PartitionDirective[]): string {
  const registry = registryOf(journal);
  const deletes = directives.map((directive) => {
    const { schema, table } = directive.table;
    if (schema !== undefined) {
      return `DELETE FROM ${registry.quoted} WHERE table_schema = ${quoteLiteral(schema)} AND table_name = ${quoteLiteral(table)};`;
    }
    return `DELETE FROM ${registry.quoted} WHERE (table_schema, table_name) IN (
      SELECT c.schema, c.table FROM (SELECT c.*, pg_catalog.count(*) OVER () AS n FROM (${candidatesSql(registry, table)}) AS c) AS c
       WHERE c.position IS NOT NULL OR c.n = 1 ORDER BY c.position NULLS LAST LIMIT 1);`;
  });
  return doBlock(`BEGIN
  IF EXISTS (SELECT 1 FROM ${journal.quoted} WHERE version = ${version}) OR pg_catalog.to_regclass(${quoteLiteral(registry.quoted)}) IS NULL THEN RETURN; END IF;
  ${deletes.join('\n  ')}
  ${dropIfEmpty(registry)}
END`);
}

/** `DO $tag$body$tag$` with a tag the body does not hold (a quoted name may hold any text). */
function doBlock(body: string): string {
  let tag = '$aeturnis$';
  for (let n = 1; body.includes(tag); n++) tag = `$aeturnis${n}$`;
  return `DO ${tag}\n${body}\n${tag}`;
}
