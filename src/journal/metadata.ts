import type pg from 'pg';
import { currentEnvironment, environmentVariable } from '../environment.js';
import { derivedName, quoteIdentifier, quoteLiteral } from '../identifiers.js';
import { journalOwnTables } from './sql.js';

/**
 * What the database remembers about itself, in `<journal table>_metadata` (same schema as the
 * journal): the environment it was last migrated under, as Rails keeps it in
 * ar_internal_metadata, so a destructive command run from a shell without NODE_ENV still knows a
 * production database; and what existed before the first migration (below), which `reset` keeps.
 */

/** Where the journal is (a Journal from journal.ts fits; named here so journal.ts can use this file). */
export interface JournalPlace {
  schema: string;
  table: string;
}

/** The companion table, `"schema"."<table>_metadata"`. */
function metadataQuoted(journal: JournalPlace): string {
  return `${quoteIdentifier(journal.schema)}.${quoteIdentifier(derivedName(journal.table, '_metadata'))}`;
}

/** `schema.<table>_metadata`, for messages. */
function metadataDisplay(journal: JournalPlace): string {
  return `${journal.schema}.${derivedName(journal.table, '_metadata')}`;
}

/** How {@link metadataWriteSql} writes. */
export interface MetadataWrite {
  /** Create the table when it is missing (default); false only updates one that is there. */
  createWhenMissing?: boolean;
  /** A role that may not create or write the table is not stopped (the record is a guard's input, not the migration's). */
  tolerateNoPrivilege?: boolean;
}

/**
 * One statement that upserts `values` (key -> value, null for unset) into the companion table.
 */
export function writeMetadataSql(journal: JournalPlace, values: Readonly<Record<string, string | null>>, how: MetadataWrite = {}): string {
  const expressions = Object.fromEntries(
    Object.entries(values).map(([key, value]) => [key, value === null ? 'NULL' : quoteLiteral(value)]),
  );
  return metadataWriteSql(journal, expressions, how);
}

/**
 * A plpgsql block that creates the table when it is missing and sets each key to its SQL
 * expression (a record computed by the server). One statement: one round trip.
 */
export function metadataWriteSql(journal: JournalPlace, expressions: Readonly<Record<string, string>>, how: MetadataWrite = {}): string {
  const table = metadataQuoted(journal);
  const rows = Object.entries(expressions)
    .map(([key, sql]) => `(${quoteLiteral(key)}, ${sql}, pg_catalog.now())`)
    .join(', ');
  const missing =
    (how.createWhenMissing ?? true)
      ? `CREATE TABLE ${table} (key text PRIMARY KEY, value text, updated_at timestamptz NOT NULL DEFAULT pg_catalog.now());`
      : 'RETURN;';
  const body = `BEGIN
  IF pg_catalog.to_regclass(${quoteLiteral(table)}) IS NULL THEN ${missing} END IF;
  INSERT INTO ${table} (key, value, updated_at) VALUES ${rows}
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at;${
      how.tolerateNoPrivilege ? '\nEXCEPTION WHEN insufficient_privilege THEN NULL;' : ''
    }
END`;
  const tag = dollarTagFor(body);
  return `DO ${tag}${body}${tag}`;
}

/** A dollar-quote tag the body does not contain (a value recorded may hold any text, `$aeturnis$` too). */
function dollarTagFor(body: string): string {
  let tag = '$aeturnis$';
  for (let n = 1; body.includes(tag); n++) tag = `$aeturnis${n}$`;
  return tag;
}

/**
 * The values of `keys` in the companion table (a key not there is absent from the map);
 * undefined when the table does not exist (no journal, or one older than the table).
 */
export async function readMetadata(
  client: pg.ClientBase,
  journal: JournalPlace,
  keys: readonly string[],
): Promise<Map<string, string | null> | undefined> {
  const table = metadataQuoted(journal);
  const { rows: found } = await client.query<{ exists: boolean }>('SELECT pg_catalog.to_regclass($1) IS NOT NULL AS exists', [table]);
  if (!found[0]?.exists) return undefined;
  const { rows } = await client.query<{ key: string; value: string | null }>(`SELECT key, value FROM ${table} WHERE key = ANY ($1)`, [
    keys,
  ]);
  return new Map(rows.map((row) => [row.key, row.value]));
}

/**
 * Records the environment a run of `up` (or `reset`) happens under: the value and the variable
 * it came from, unset as NULL. Call under the runner lock, in the run's session.
 */
export async function recordEnvironment(
  client: pg.ClientBase,
  journal: JournalPlace,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const value = currentEnvironment(env) ?? null;
  // An unset environment on a database that never recorded one has nothing to change.
  const values = { environment: value, environment_variable: environmentVariable(env) };
  await client.query(writeMetadataSql(journal, values, { createWhenMissing: value !== null, tolerateNoPrivilege: true }));
}

/** The environment recorded by the last `up`, and the variable it came from. */
export interface RecordedEnvironment {
  /** undefined: recorded as unset, or never recorded. */
  value: string | undefined;
  variable: string;
  /** Where it was read, for messages. */
  table: string;
}

/**
 * Reads the recorded environment; undefined when the database has no record (no journal, or a
 * journal older than the record).
 */
export async function readRecordedEnvironment(client: pg.ClientBase, journal: JournalPlace): Promise<RecordedEnvironment | undefined> {
  const recorded = await readMetadata(client, journal, ['environment', 'environment_variable']);
  if (!recorded?.has('environment')) return undefined;
  return {
    value: recorded.get('environment') ?? undefined,
    variable: recorded.get('environment_variable') ?? 'NODE_ENV',
    table: metadataDisplay(journal),
  };
}

/**
 * What existed before the first migration, so `reset` never drops it: when the journal is
 * created, every schema already there (PostgreSQL's own aside) with the objects in it, each as
 * `type identity` from pg_identify_object (names, not OIDs: they survive a dump and restore).
 * Kept in `<journal>_metadata` under the key `starting_schemas`, as JSON
 * `{"public": [], "extensions": ["extension pgcrypto"]}`. Extension members are left out: they
 * come and go with their extension.
 */

/** The journal and its companions' names (a Journal fits). */
interface JournalTables extends JournalPlace {
  partialTable: string;
  adoptedTable: string;
}

/** Schemas that existed before the first migration, with the objects each held then. */
export type StartingSchemas = ReadonlyMap<string, ReadonlySet<string>>;

const KEY = 'starting_schemas';

/**
 * `schema -> [type identity]` of the schemas as they are now, as JSON text, leaving out the
 * journal's own tables and, when it was created just now, the journal's schema.
 */
function snapshotSql(journal: JournalTables, journalSchemaExisted: boolean): string {
  const own = journalOwnTables(journal.table)
    .map((table) => `pg_catalog.to_regclass(${quoteLiteral(`${quoteIdentifier(journal.schema)}.${quoteIdentifier(table)}`)})`)
    .join(', ');
  return `(SELECT COALESCE(pg_catalog.json_object_agg(n.nspname, COALESCE(o.objects, '[]'::json)), '{}')::text
  FROM pg_catalog.pg_namespace n
  LEFT JOIN LATERAL (
    SELECT pg_catalog.json_agg(a.type || ' ' || a.identity ORDER BY a.type, a.identity) AS objects
      FROM pg_catalog.pg_depend d, LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, 0) a
     WHERE d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.refobjid = n.oid AND d.deptype = 'n'
       AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = d.classid AND e.objid = d.objid AND e.deptype = 'e')
       AND NOT (d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objid = ANY (pg_catalog.array_remove(ARRAY[${own}]::oid[], NULL)))) o ON true
 WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema'${journalSchemaExisted ? '' : ` AND n.nspname <> ${quoteLiteral(journal.schema)}`})`;
}

/**
 * Records the schemas there are now as the ones that existed before the first migration. Called
 * once, by ensureJournal, right after it created the journal (under the runner lock).
 */
export async function recordStartingSchemas(client: pg.ClientBase, journal: JournalTables, journalSchemaExisted: boolean): Promise<void> {
  await client.query(metadataWriteSql(journal, { [KEY]: snapshotSql(journal, journalSchemaExisted) }));
}

/**
 * The record, as JSON text, or undefined when the database has none (a journal created before
 * the record existed). For reset to read before it drops the journal, and write back after.
 */
export async function readStartingSchemasText(client: pg.ClientBase, journal: JournalTables): Promise<string | undefined> {
  return (await readMetadata(client, journal, [KEY]))?.get(KEY) ?? undefined;
}

/** Writes a record read before back (reset: the journal and its companions were created again). */
export async function writeStartingSchemasText(client: pg.ClientBase, journal: JournalTables, text: string): Promise<void> {
  await client.query(writeMetadataSql(journal, { [KEY]: text }));
}

/**
 * Parses the record; undefined for none. Pure.
 */
export function parseStartingSchemas(text: string | undefined): StartingSchemas | undefined {
  if (text === undefined) return undefined;
  const parsed = JSON.parse(text) as Record<string, string[]>;
  return new Map(Object.entries(parsed).map(([schema, objects]) => [schema, new Set(objects)]));
}
