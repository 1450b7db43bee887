/**
 * The partition registry: the tables partition upkeep maintains, kept in the database in
 * `<journal>_partitions` in the journal's schema (like pg_partman's part_config), one row per
 * table, written by `partitions register` / `unregister` and by the `-- aeturnis:partitions`
 * directive of a migration. First its SQL, built as text (literals quoted here, no parameters)
 * so the directive's writes can travel in a migration's own message, next to its journal write;
 * every name is schema-qualified and every function comes from pg_catalog. Then the reads and
 * the command's writes, which run it.
 *
 * The table exists while something is registered: the first registration creates it, removing
 * the last one drops it (when this role may), so a migration's DOWN leaves the schema as its UP
 * found it (`verify` compares them) and read-only commands never create it.
 */
import type { ClientBase } from 'pg';
import { DatabaseError, UsageError } from '../errors.js';
import { derivedName, displayName, parseIdent, quoteIdentifier, quoteLiteral, type TableName } from '../identifiers.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { type PartitionDirective, type RegistrationSettings, type StoredSettings, settingChanges } from './registration.js';

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

/** The registry's columns, as `listRegistry` selects them (and `shown`: the table as PostgreSQL names it from here). */
function selectRegistrySql(registry: RegistryTable): string {
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
function checkTableSql(table: TableName, column: string | undefined): string {
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
function registerSql(
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
function selectOneSql(registry: RegistryTable, schema: string, table: string): string {
  return `SELECT partition_column::text AS "column", partition_interval AS "interval", ahead, retain, retain_mode AS "retainMode"
  FROM ${registry.quoted} WHERE table_schema = ${quoteLiteral(schema)} AND table_name = ${quoteLiteral(table)}`;
}

/**
 * The registrations named `table` (any schema), each with its place in search_path (null: not
 * on it), for resolving an unqualified name that may no longer exist as a table.
 */
function candidatesSql(registry: RegistryTable, table: string): string {
  return `SELECT r.table_schema::text AS schema, r.table_name::text AS "table", p.pos::integer AS position
  FROM ${registry.quoted} r
  LEFT JOIN pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS p(schema, pos) ON p.schema = r.table_schema::text
 WHERE r.table_name = ${quoteLiteral(table)}
 ORDER BY p.pos NULLS LAST, r.table_schema`;
}

/** `partitions unregister`: deletes one registration (by its resolved key) and drops the registry when it is left empty. */
function unregisterSql(registry: RegistryTable, schema: string, table: string): string {
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

/** One table registered for partition upkeep, with its settings (`column`: its partition key column). */
export interface RegisteredTable extends StoredSettings {
  schema: string;
  table: string;
}

/** A registration and how PostgreSQL names its table from this session (schema-qualified unless on search_path). */
export interface ListedTable extends RegisteredTable {
  /** `events`, `app.events`; `schema.table` when the table no longer exists. */
  shown: string;
  /** The table is there. */
  exists: boolean;
}

interface RegistryRow extends RegisteredTable {
  shown: string | null;
}

/**
 * The registered tables, sorted by schema, then table; [] when the registry table does not exist
 * (it is never created here). Throws DatabaseError naming the registry when it cannot be read.
 */
export async function readRegistry(client: ClientBase, journal: JournalQuoted): Promise<RegisteredTable[]> {
  return (await listRegistry(client, journal)).map(({ shown: _shown, exists: _exists, ...entry }) => entry);
}

/** {@link readRegistry} with each table's name as shown from this session and whether it exists. */
export async function listRegistry(client: ClientBase, journal: JournalQuoted): Promise<ListedTable[]> {
  const registry = registryOf(journal);
  let rows: RegistryRow[];
  try {
    const { rows: found } = await client.query<{ exists: boolean }>('SELECT pg_catalog.to_regclass($1) IS NOT NULL AS exists', [
      registry.quoted,
    ]);
    if (!found[0]?.exists) return [];
    rows = (await client.query<RegistryRow>(selectRegistrySql(registry))).rows;
  } catch (error) {
    // Dropped by an unregister that committed between the two reads: nothing is registered.
    if (pgErrorOf(error)?.code === '42P01') return [];
    throw registryError(registry, 'cannot read', error);
  }
  return rows.map(({ shown, ...entry }) => ({ ...entry, shown: shown ?? displayName(entry.schema, entry.table), exists: shown !== null }));
}

/** What `partitions register` did. */
export interface Registration {
  entry: RegisteredTable;
  /** `registered` (new), `updated` (settings changed), `unchanged`. */
  outcome: 'registered' | 'updated' | 'unchanged';
  /** For `updated`: one phrase per setting changed, e.g. `ahead 3 → 7`. */
  changes: string[];
  /** The registry table, for messages. */
  registry: string;
}

interface CheckRow {
  schema: string | null;
  relname: string | null;
  key_column: string | null;
  problem: string | null;
}

/**
 * Registers `table` (or replaces its settings) after checking it exists and is RANGE-partitioned
 * on one timestamp column (`settings.column`, when given); one transaction. Call under the
 * runner lock. A table upkeep cannot manage is a UsageError (exit 2) naming it.
 */
export async function registerTable(
  client: ClientBase,
  journal: JournalQuoted,
  table: TableName,
  settings: RegistrationSettings,
): Promise<Registration> {
  const registry = registryOf(journal);
  return inTransaction(client, registry, 'cannot write', async () => {
    const [checked] = (await client.query<CheckRow>(checkTableSql(table, settings.column))).rows;
    if (!checked || checked.problem !== null || checked.schema === null || checked.relname === null || checked.key_column === null) {
      throw new UsageError(checked?.problem ?? `${table.display}: cannot read its partition key`);
    }
    const entry: RegisteredTable = {
      schema: checked.schema,
      table: checked.relname,
      column: checked.key_column,
      interval: settings.interval,
      ahead: settings.ahead,
      retain: settings.retain,
      retainMode: settings.retainMode,
    };
    const before = await readOne(client, registry, entry.schema, entry.table);
    await client.query(registerSql(registry, entry, settings));
    const changes = before ? settingChanges(before, entry) : [];
    const outcome = !before ? 'registered' : changes.length > 0 ? 'updated' : 'unchanged';
    return { entry, outcome, changes, registry: registry.display };
  });
}

async function readOne(client: ClientBase, registry: RegistryTable, schema: string, table: string): Promise<RegisteredTable | undefined> {
  const { rows } = await client.query<{ exists: boolean }>('SELECT pg_catalog.to_regclass($1) IS NOT NULL AS exists', [registry.quoted]);
  if (!rows[0]?.exists) return undefined;
  const [row] = (await client.query<Omit<RegisteredTable, 'schema' | 'table'>>(selectOneSql(registry, schema, table))).rows;
  return row ? { schema, table, ...row } : undefined;
}

/**
 * Removes `table` from the registry (the registry table goes with its last row); one
 * transaction, under the runner lock. An unqualified name is the registration of that name in
 * the first schema of search_path that has one, else the only one of that name: the table
 * itself may be gone. Not registered: UsageError (exit 2) naming the tables that are.
 */
export async function unregisterTable(client: ClientBase, journal: JournalQuoted, table: TableName): Promise<RegisteredTable> {
  const registry = registryOf(journal);
  return inTransaction(client, registry, 'cannot write', async () => {
    const key = await resolveRegistered(client, journal, table);
    const entry = (await readOne(client, registry, key.schema, key.table)) as RegisteredTable;
    await client.query(unregisterSql(registry, key.schema, key.table));
    return entry;
  });
}

/** The registration `table` names, or the UsageError saying why there is none. */
async function resolveRegistered(client: ClientBase, journal: JournalQuoted, table: TableName): Promise<{ schema: string; table: string }> {
  const registered = await listRegistry(client, journal);
  const found = await findRegistration(client, journal, registered, table);
  if (found) return found;
  const names = registered.map((entry) => entry.shown);
  const known = names.length === 0 ? 'no table is registered' : `registered: ${names.join(', ')}`;
  throw new UsageError(`${table.display} is not registered for partition upkeep (${known})`);
}

/**
 * The registration among `registered` that `table` names: a qualified name exactly; an
 * unqualified one in the first schema of search_path that has one, else the only one of that
 * name — the table itself may be gone. Undefined when there is none; UsageError when the name
 * is ambiguous.
 */
export async function findRegistration(
  client: ClientBase,
  journal: JournalQuoted,
  registered: readonly RegisteredTable[],
  table: TableName,
): Promise<{ schema: string; table: string } | undefined> {
  if (table.schema !== undefined) {
    return registered.some((entry) => entry.schema === table.schema && entry.table === table.table)
      ? { schema: table.schema, table: table.table }
      : undefined;
  }
  if (registered.length === 0) return undefined;
  const { rows } = await client.query<{ schema: string; table: string; position: number | null }>(
    candidatesSql(registryOf(journal), table.table),
  );
  const [first] = rows;
  if (!first) return undefined;
  if (first.position === null && rows.length > 1) {
    const names = rows.map((row) => displayName(row.schema, row.table)).join(', ');
    throw new UsageError(`${table.display} is registered in several schemas, none on search_path (${names}): name the schema`);
  }
  return { schema: first.schema, table: first.table };
}

/** Runs `work` in a transaction; PostgreSQL errors other than ours become DatabaseError naming the registry. */
async function inTransaction<T>(client: ClientBase, registry: RegistryTable, what: string, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error instanceof UsageError ? error : registryError(registry, what, error);
  }
}

function registryError(registry: RegistryTable, what: string, error: unknown): unknown {
  const pgError = pgErrorOf(error);
  if (!pgError) return error;
  return Object.assign(new DatabaseError(`${what} the partition registry ${registry.display}: ${pgError.message}`, pgError.code), {
    cause: error,
  });
}

/**
 * The table of a registration as a user types it back: `schema.table`, parts quoted where needed.
 */
export function qualifiedName(entry: Pick<RegisteredTable, 'schema' | 'table'>): string {
  return displayName(entry.schema, entry.table);
}
