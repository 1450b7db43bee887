import type pg from 'pg';
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
  const createSchema = table.schema ? `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(table.schema)};\n` : '';
  await client.query(
    `${createSchema}CREATE TABLE IF NOT EXISTS ${table.quoted} (
  version      bigint PRIMARY KEY,
  name         text NOT NULL,
  checksum     text NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT now(),
  execution_ms integer NOT NULL
)`,
  );
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
