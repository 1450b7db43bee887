import type pg from 'pg';
import { DatabaseError } from '../errors.js';
import type { JournalRow } from '../migrations/plan.js';
import type { Migration } from '../migrations/parse.js';
import { quoteIdentifier, quoteLiteral, type TableName } from './identifiers.js';

interface JournalDbRow {
  version: string;
  name: string;
  checksum: string;
  applied_at: Date;
  execution_ms: number;
}

/**
 * Creates the journal table (and its schema) when it does not exist. Call under the runner lock.
 *
 * @example
 * await ensureJournal(client, parseTableName('schema_migrations', '--table'));
 */
export async function ensureJournal(client: pg.ClientBase, table: TableName): Promise<void> {
  // Look first: CREATE ... IF NOT EXISTS checks the CREATE privilege before it looks, so it
  // fails for a role that may use a journal table (or schema) a DBA created but not create one.
  let present: { table: boolean; schema: boolean };
  try {
    const { rows } = await client.query<{ table: boolean; schema: boolean }>(
      `SELECT to_regclass($1) IS NOT NULL AS table,
              ($2::text IS NULL OR EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $2)) AS schema`,
      [table.quoted, table.schema ?? null],
    );
    present = rows[0] ?? { table: false, schema: false };
  } catch (error) {
    throw journalError(table, 'cannot look up', error);
  }
  if (present.table) return;
  const createSchema = table.schema && !present.schema ? `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)};\n` : '';
  try {
    await client.query(
      `${createSchema}CREATE TABLE IF NOT EXISTS ${table.quoted} (
  version      bigint PRIMARY KEY,
  name         text NOT NULL,
  checksum     text NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT now(),
  execution_ms integer NOT NULL
)`,
    );
  } catch (error) {
    throw journalError(table, 'cannot create', error);
  }
}

/** A failure on the journal table itself, naming it (and, for a missing privilege, the way out). */
function journalError(table: TableName, what: string, error: unknown): unknown {
  const pgError = error as { code?: unknown; message?: unknown };
  if (typeof pgError.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pgError.code) || typeof pgError.message !== 'string') return error;
  const hint =
    pgError.code === '42501'
      ? ' — create it as the database owner and grant this role SELECT, INSERT, DELETE on it, grant CREATE on the schema, or point --table at a schema this role may create in'
      : '';
  return Object.assign(new DatabaseError(`${what} the journal table ${table.display}: ${pgError.message}${hint}`, pgError.code), { cause: error });
}

/**
 * Reads every journal row, ordered by version, in one query. A journal table that does not
 * exist yet reads as empty (nothing was ever applied) and is not created.
 *
 * @example
 * const rows = await readJournal(client, table); // [{ version: 1, name: 'create_users', ... }]
 */
export async function readJournal(client: pg.ClientBase, table: TableName): Promise<JournalRow[]> {
  try {
    const result = await client.query<JournalDbRow>(
      `SELECT version::text AS version, name, checksum, applied_at, execution_ms FROM ${table.quoted} ORDER BY version`,
    );
    return result.rows.map((row) => ({
      version: Number(row.version),
      name: row.name,
      checksum: row.checksum,
      appliedAt: row.applied_at,
      executionMs: row.execution_ms,
    }));
  } catch (error) {
    if ((error as { code?: string }).code === '42P01' || (error as { code?: string }).code === '3F000') return [];
    throw error;
  }
}

/**
 * SQL that records a migration as applied. Literal values (no parameters) so that it can share
 * one simple-query round trip with COMMIT.
 */
export function journalInsertSql(table: TableName, migration: Migration, executionMs: number): string {
  return `INSERT INTO ${table.quoted} (version, name, checksum, applied_at, execution_ms) VALUES (${migration.version}, ${quoteLiteral(
    migration.name,
  )}, ${quoteLiteral(migration.checksum)}, now(), ${Math.round(executionMs)})`;
}

/** SQL that forgets a rolled-back migration. */
export function journalDeleteSql(table: TableName, migration: Migration): string {
  return `DELETE FROM ${table.quoted} WHERE version = ${migration.version}`;
}
