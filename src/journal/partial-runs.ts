import type pg from 'pg';
import type { Migration } from '../migrations/parse.js';
import { appliedStatementsSha256 } from '../migrations/resume.js';
import type { SqlStatement } from '../migrations/split.js';
import type { Journal } from './journal.js';
import { journalError } from './journal.js';
import { createPartialSql, partialUpsertSql, type PartialRunRecord } from './sql.js';

/**
 * A migration that could not be rolled back as a whole (`-- aeturnis:no-transaction`, or a file
 * that ran COMMIT itself) and failed part way is recorded in the journal's companion table
 * `<journal>_partial`: which statements ran, when, and which INVALID indexes the failure left.
 * The journal itself keeps meaning "fully applied". `status` and `validate` show the row, and the
 * next `up` resumes at the first statement that did not run, so no statement runs twice.
 */

/** Where a migration stopped, as the runner knows it. */
export interface StoppedRun {
  migration: Migration;
  direction: 'up' | 'down';
  statements: readonly SqlStatement[];
  /** Statements that ran to completion. */
  applied: number;
  invalidIndexes: string[];
  error: string | undefined;
}

/**
 * Records where a migration stopped (creating the companion table on first use), after putting
 * the session back to its starting state. Never throws: the migration's own error is what the
 * user must see; a failure to record is returned as a sentence to add to it.
 */
export async function recordPartialRun(
  client: pg.ClientBase,
  journal: Journal,
  resetSession: () => Promise<void>,
  stopped: StoppedRun,
): Promise<string | undefined> {
  const { migration, statements, applied } = stopped;
  const run: PartialRunRecord = {
    version: migration.version,
    direction: stopped.direction,
    name: migration.name,
    checksum: migration.checksum,
    statementsApplied: applied,
    statementCount: statements.length,
    appliedSha256: appliedStatementsSha256(statements, applied),
    invalidIndexes: stopped.invalidIndexes,
    error: stopped.error,
  };
  try {
    // A message of its own first: a SET default_transaction_read_only in the file would
    // otherwise make the record's own implicit transaction read-only.
    await resetSession();
    await client.query(`${createPartialSql(journal)};\n${partialUpsertSql(journal, run)}`);
    journal.partialExists = true;
    return undefined;
  } catch (error) {
    const failure = journalError(`${journal.schema}.${journal.partialTable}`, 'could not record the partial run in', error);
    return failure instanceof Error ? failure.message : String(failure);
  }
}

/**
 * Schema-qualified names of every INVALID index (a failed CREATE INDEX CONCURRENTLY leaves one,
 * and `IF NOT EXISTS` would then silently keep it).
 */
export async function invalidIndexes(client: pg.ClientBase): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid
       JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid ORDER BY 1`,
  );
  return rows.map((row) => row.name);
}

/**
 * Drops the named indexes that are still INVALID (one statement each: DROP INDEX CONCURRENTLY
 * cannot run in a transaction). Returns the ones dropped.
 */
export async function dropInvalidIndexes(client: pg.ClientBase, names: readonly string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const stillInvalid = new Set(await invalidIndexes(client));
  const dropped: string[] = [];
  for (const name of names) {
    if (!stillInvalid.has(name)) continue;
    await client.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
    dropped.push(name);
  }
  return dropped;
}
