import type pg from 'pg';
import { currentEnvironment, environmentVariable } from '../environment.js';
import { derivedName, quoteIdentifier, quoteLiteral } from './identifiers.js';

/**
 * What the database remembers about itself, in `<journal table>_metadata` (same schema as the
 * journal): the environment it was last migrated under, as Rails keeps it in
 * ar_internal_metadata, so a destructive command run from a shell without NODE_ENV still knows a
 * production database; and what existed before the first migration (db/reset-record.ts).
 */

/** Where the journal is (a Journal from db/journal.ts fits; named here so journal.ts can use this file). */
export interface JournalPlace {
  schema: string;
  table: string;
}

/** The companion table, `"schema"."<table>_metadata"`. */
export function metadataQuoted(journal: JournalPlace): string {
  return `${quoteIdentifier(journal.schema)}.${quoteIdentifier(derivedName(journal.table, '_metadata'))}`;
}

/** `schema.<table>_metadata`, for messages. */
export function metadataDisplay(journal: JournalPlace): string {
  return `${journal.schema}.${derivedName(journal.table, '_metadata')}`;
}

/**
 * A plpgsql block that creates the table when it is missing and sets `values` (key -> value,
 * null for unset). `createWhenMissing: false` only updates a table that is already there. One
 * statement, so it costs `up` one round trip; a role that may not create or write the table
 * (a DBA's journal) is not stopped by it: the record is a guard's input, not the migration's.
 */
export function writeMetadataSql(journal: JournalPlace, values: Readonly<Record<string, string | null>>, createWhenMissing = true): string {
  const table = metadataQuoted(journal);
  const rows = Object.entries(values)
    .map(([key, value]) => `(${quoteLiteral(key)}, ${value === null ? 'NULL' : quoteLiteral(value)}, pg_catalog.now())`)
    .join(', ');
  const missing = createWhenMissing
    ? `CREATE TABLE ${table} (key text PRIMARY KEY, value text, updated_at timestamptz NOT NULL DEFAULT pg_catalog.now());`
    : 'RETURN;';
  return `DO $aeturnis$ BEGIN
  IF pg_catalog.to_regclass(${quoteLiteral(table)}) IS NULL THEN ${missing} END IF;
  INSERT INTO ${table} (key, value, updated_at) VALUES ${rows}
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at;
EXCEPTION WHEN insufficient_privilege THEN NULL;
END $aeturnis$`;
}

/**
 * Records the environment a run of `up` (or `reset`) happens under: the value and the variable
 * it came from, unset as NULL. Call under the runner lock, in the run's session.
 *
 * @example
 * await recordEnvironment(client, journal, process.env); // environment = production, variable = NODE_ENV
 */
export async function recordEnvironment(
  client: pg.ClientBase,
  journal: JournalPlace,
  env: Readonly<Record<string, string | undefined>>,
): Promise<void> {
  const value = currentEnvironment(env) ?? null;
  // An unset environment on a database that never recorded one has nothing to change.
  const sql = writeMetadataSql(journal, { environment: value, environment_variable: environmentVariable(env) }, value !== null);
  await client.query(sql);
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
 *
 * @example
 * (await readRecordedEnvironment(client, journal))?.value // 'production'
 */
export async function readRecordedEnvironment(client: pg.ClientBase, journal: JournalPlace): Promise<RecordedEnvironment | undefined> {
  const table = metadataQuoted(journal);
  const { rows: found } = await client.query<{ exists: boolean }>('SELECT pg_catalog.to_regclass($1) IS NOT NULL AS exists', [table]);
  if (!found[0]?.exists) return undefined;
  const { rows } = await client.query<{ key: string; value: string | null }>(
    `SELECT key, value FROM ${table} WHERE key IN ('environment', 'environment_variable')`,
  );
  const value = (key: string): string | undefined => rows.find((row) => row.key === key)?.value ?? undefined;
  if (!rows.some((row) => row.key === 'environment')) return undefined;
  return { value: value('environment'), variable: value('environment_variable') ?? 'NODE_ENV', table: metadataDisplay(journal) };
}
