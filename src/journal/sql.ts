import type { Migration } from '../migrations/parse.js';
import type { PartialRow } from '../migrations/status.js';
import { directivesRegisterSql, directivesUnregisterSql } from '../partitions/registry.js';
import { derivedName, quoteLiteral } from '../identifiers.js';

/**
 * The SQL of every journal statement, built as text (no parameters) so it can share one
 * simple-query message with a migration's SQL. Every name is schema-qualified and every function
 * comes from pg_catalog: a migration that changed `search_path` (pg_dump output begins with
 * `set_config('search_path', '', false)`) cannot redirect or break the journal write. Pure.
 */

/**
 * The journal's companion tables, as suffixes of its name: partial runs, adopted and baselined
 * rows, metadata (recorded environment, starting schemas), the partition registry.
 */
export const COMPANION_SUFFIXES = ['_partial', '_adopted', '_metadata', '_partitions'] as const;

/**
 * The journal's own tables — itself and its companions — which `types`, `reset` and the
 * other-journal scan leave out of what the migrations built.
 */
export function journalOwnTables(table: string): string[] {
  return [table, ...COMPANION_SUFFIXES.map((suffix) => derivedName(table, suffix))];
}

/** Where the journal lives, resolved in the database (see resolveJournal). */
export interface JournalNames {
  /** `"schema"."table"` */
  quoted: string;
  /** The companion table of partial runs, `"schema"."table_partial"`. */
  partialQuoted: string;
}

/** How long the transaction has run, in whole milliseconds, measured by the server. */
const SERVER_ELAPSED_MS =
  "(pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - pg_catalog.statement_timestamp()) * 1000)::integer";

/** `CREATE TABLE` of the journal (the contract's columns). */
export function createJournalSql(journal: JournalNames): string {
  return `CREATE TABLE IF NOT EXISTS ${journal.quoted} (
  version      bigint PRIMARY KEY,
  name         text NOT NULL,
  checksum     text NOT NULL,
  applied_at   timestamptz NOT NULL DEFAULT pg_catalog.now(),
  execution_ms integer NOT NULL
)`;
}

/**
 * `CREATE TABLE` of the partial-run table: a no-transaction migration that failed part way is
 * recorded here, never in the journal, so the journal keeps meaning "fully applied".
 */
export function createPartialSql(journal: JournalNames): string {
  return `CREATE TABLE IF NOT EXISTS ${journal.partialQuoted} (
  version            bigint PRIMARY KEY,
  direction          text NOT NULL,
  name               text NOT NULL,
  checksum           text NOT NULL,
  statements_applied integer NOT NULL,
  statement_count    integer NOT NULL,
  applied_sha256     text NOT NULL,
  invalid_indexes    text[] NOT NULL DEFAULT '{}',
  error              text,
  failed_at          timestamptz NOT NULL DEFAULT pg_catalog.now()
)`;
}

/**
 * Records `migration` as applied. `executionMs: 'server'` lets the server measure the time since
 * the message began (the migration travels in the same message); `guard` makes the insert a
 * no-op unless the session still runs the transaction that set `aeturnis.run` to that value, so a
 * file that ended the transaction itself (ROLLBACK) can never leave a journal row behind.
 */
export function journalInsertSql(
  journal: JournalNames,
  migration: Pick<Migration, 'version' | 'name' | 'checksum'>,
  executionMs: number | 'server',
  guard?: string,
): string {
  const elapsed = executionMs === 'server' ? SERVER_ELAPSED_MS : String(Math.round(executionMs));
  const values = `${migration.version}, ${quoteLiteral(migration.name)}, ${quoteLiteral(migration.checksum)}, pg_catalog.now(), ${elapsed}`;
  const where = guard === undefined ? '' : ` WHERE ${guardCondition(guard)}`;
  return `INSERT INTO ${journal.quoted} (version, name, checksum, applied_at, execution_ms) SELECT ${values}${where} RETURNING execution_ms`;
}

/**
 * Records the checksum of an applied placeholder rewritten in SQL (see
 * migrations/status.ts): only where the journal row still holds the placeholder's checksum, so
 * a concurrent change is never overwritten.
 */
export function journalChecksumSql(journal: JournalNames, version: number, recorded: string, checksum: string): string {
  return `UPDATE ${journal.quoted} SET checksum = ${quoteLiteral(checksum)} WHERE version = ${version} AND checksum = ${quoteLiteral(recorded)}`;
}

/** Forgets a rolled-back migration (guarded like {@link journalInsertSql}). */
export function journalDeleteSql(journal: JournalNames, version: number, guard?: string): string {
  const where = guard === undefined ? '' : ` AND ${guardCondition(guard)}`;
  return `DELETE FROM ${journal.quoted} WHERE version = ${version}${where}`;
}

/**
 * The partition registry writes of a migration's `-- aeturnis:partitions` directives (none for
 * most): after the UP, each table checked and registered (a check that fails raises an error,
 * failing the migration); after the DOWN, the registrations removed. Each runs only when the
 * journal write before it in the same transaction took effect (they test the journal row, not
 * the guard: they are sent after the session's settings are reset, so an unqualified table
 * resolves in the search_path the run started with, not one the file set).
 */
export function registryWriteSql(
  journal: JournalNames,
  migration: Pick<Migration, 'version' | 'partitions'>,
  direction: 'up' | 'down',
): string[] {
  const directives = migration.partitions ?? [];
  if (directives.length === 0) return [];
  return [
    direction === 'up'
      ? directivesRegisterSql(journal, migration.version, directives)
      : directivesUnregisterSql(journal, migration.version, directives),
  ];
}

/** Sets the guard that {@link journalInsertSql} checks; lives until the transaction ends. */
export function setGuardSql(guard: string): string {
  return `SET LOCAL aeturnis.run = ${quoteLiteral(guard)}`;
}

function guardCondition(guard: string): string {
  return `pg_catalog.current_setting('aeturnis.run', true) = ${quoteLiteral(guard)}`;
}

/** What a partial run left (a journal_partial row as it is written; the server sets failed_at). */
export type PartialRunRecord = Omit<PartialRow, 'failedAt' | 'error'> & { error: string | undefined };

/** Records (or updates) a partial run. */
export function partialUpsertSql(journal: JournalNames, run: PartialRunRecord): string {
  const indexes = `ARRAY[${run.invalidIndexes.map(quoteLiteral).join(', ')}]::text[]`;
  const error = run.error === undefined ? 'NULL' : quoteLiteral(run.error);
  return `INSERT INTO ${journal.partialQuoted}
  (version, direction, name, checksum, statements_applied, statement_count, applied_sha256, invalid_indexes, error, failed_at)
VALUES (${run.version}, ${quoteLiteral(run.direction)}, ${quoteLiteral(run.name)}, ${quoteLiteral(run.checksum)}, ${run.statementsApplied},
  ${run.statementCount}, ${quoteLiteral(run.appliedSha256)}, ${indexes}, ${error}, pg_catalog.now())
ON CONFLICT (version) DO UPDATE SET direction = EXCLUDED.direction, name = EXCLUDED.name, checksum = EXCLUDED.checksum,
  statements_applied = EXCLUDED.statements_applied, statement_count = EXCLUDED.statement_count,
  applied_sha256 = EXCLUDED.applied_sha256, invalid_indexes = EXCLUDED.invalid_indexes, error = EXCLUDED.error,
  failed_at = EXCLUDED.failed_at`;
}

/** Forgets a partial run once the migration completed. */
export function partialDeleteSql(journal: JournalNames, version: number): string {
  return `DELETE FROM ${journal.partialQuoted} WHERE version = ${version}`;
}
