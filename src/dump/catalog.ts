/**
 * Reads everything `dump` shows from the catalogs, in one read-only snapshot, with the session
 * settings that make PostgreSQL print the same text on every run: an empty search_path (names
 * schema-qualified), UTC and ISO dates (partition bounds, defaults), all float digits.
 */
import type { ClientBase } from 'pg';
import { DatabaseError } from '../errors.js';
import { journalOwnTables } from '../db/journal-sql.js';
import { quoteIdentifier } from '../db/identifiers.js';
import { pgErrorOf } from '../db/pg-error.js';
import { COMMENTS_SQL, GRANTS_SQL, REVOKES_SQL } from './catalog-sql-extra.js';
import { QUERIES } from './catalog-sql.js';
import { readManagedPartitions } from './managed.js';
import type { AppliedMigration, DumpCatalog, SequenceRow, SequenceSettings } from './model.js';

/** The journal as `dump` needs it (db/journal.ts's Journal fits). */
export interface DumpJournal {
  schema: string;
  table: string;
  quoted: string;
  partialQuoted: string;
  /** `schema.table`, for the closing comment. */
  display: string;
}

const SETTINGS = `SET LOCAL search_path = ''; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'`;

/** The relations left out, with their partitions: the journal's own tables and the managed partitions. */
async function excludedRelations(client: ClientBase, names: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ oids: string[] }>(
    `SELECT coalesce(array_agg(DISTINCT r.relid::oid::text), '{}') AS oids
       FROM unnest($1::text[]) AS x(name),
            LATERAL (SELECT to_regclass(x.name) AS relid UNION ALL SELECT t.relid FROM pg_partition_tree(to_regclass(x.name)) t) r
      WHERE r.relid IS NOT NULL`,
    [names],
  );
  return rows[0]?.oids ?? [];
}

async function rowsOf<T>(client: ClientBase, sql: string, excluded: readonly string[]): Promise<T[]> {
  return (await client.query(sql, sql.includes('$1') ? [excluded] : [])).rows as T[];
}

/** The dump's catalog rows, read in one REPEATABLE READ READ ONLY transaction. */
export async function readDumpCatalog(client: ClientBase, journal: DumpJournal): Promise<DumpCatalog> {
  await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${SETTINGS}`);
  try {
    const catalog = await readInTransaction(client, journal);
    await client.query('COMMIT');
    return catalog;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    const pg = pgErrorOf(error);
    if (pg) throw new DatabaseError(`dump cannot read the catalogs: ${pg.message}`, pg.code ?? 'XX000');
    throw error;
  }
}

async function readInTransaction(client: ClientBase, journal: DumpJournal): Promise<DumpCatalog> {
  const managed = await readManagedPartitions(client, journal);
  const own = journalOwnTables(journal.table).map((table) => `${quoteIdentifier(journal.schema)}.${quoteIdentifier(table)}`);
  const excluded = await excludedRelations(client, [...own, ...managed.partitions]);
  const rows = <T>(sql: string): Promise<T[]> => rowsOf<T>(client, sql, excluded);
  const sequences = await rows<Omit<SequenceRow, keyof SequenceSettings> & { settings: SequenceSettings }>(QUERIES.sequences);
  return {
    schemas: (await rows<{ name: string }>(QUERIES.schemas)).map((row) => row.name),
    extensions: await rows(QUERIES.extensions),
    enums: await rows(QUERIES.enums),
    domains: await rows(QUERIES.domains),
    composites: await rows(QUERIES.composites),
    ranges: await rows(QUERIES.ranges),
    sequences: sequences.map(({ settings, ...row }) => ({ ...row, ...settings })),
    functions: await rows(QUERIES.functions),
    tables: await rows(QUERIES.tables),
    views: await rows(QUERIES.views),
    constraints: await rows(QUERIES.constraints),
    indexes: await rows(QUERIES.indexes),
    triggers: await rows(QUERIES.triggers),
    rules: await rows(QUERIES.rules),
    policies: await rows(QUERIES.policies),
    comments: await rows(COMMENTS_SQL),
    grants: await rows(GRANTS_SQL),
    revokes: (await rows<{ target: string }>(REVOKES_SQL)).map((row) => row.target),
    managed: managed.tables,
    ...(await appliedMigrations(client, journal)),
  };
}

/** The journal's rows, names only (it is checked here: `up` may have created it after the scope resolved it). */
async function appliedMigrations(client: ClientBase, journal: DumpJournal): Promise<Pick<DumpCatalog, 'journal' | 'migrations'>> {
  const { rows: found } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [journal.quoted]);
  if (!found[0]?.exists) return { journal: null, migrations: [] };
  const { rows } = await client.query<AppliedMigration>(`SELECT version::text AS version, name FROM ${journal.quoted} ORDER BY version`);
  return { journal: journal.display, migrations: rows };
}
