import type pg from 'pg';
import { metadataWriteSql, readMetadata, writeMetadataSql, type JournalPlace } from './environment-record.js';
import { quoteIdentifier, quoteLiteral } from '../identifiers.js';
import { journalOwnTables } from './journal-sql.js';

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
