import type pg from 'pg';
import { quoteLiteral } from '../identifiers.js';
import { ensureJournal, journalError, type Journal } from '../journal/journal.js';
import type { Migration } from '../migrations/parse.js';

/**
 * Writes adopted (or baselined) migrations into aeturnis-db's journal, and notes in the
 * companion table `<journal>_adopted` where each came from. The journal keeps the contract's
 * columns and nothing else; `status` reads the companion to show such a row as adopted, for as
 * long as the journal row is the one written here (same applied_at). A placeholder
 * (`import --placeholders`) is noted with the code file it stands for and its checksum: the
 * other tool ran that code here, so the file rewritten in SQL later is not `modified` here
 * (see migrations/status.ts). Run inside the caller's transaction.
 */

/** One migration to record without running it. */
export interface RecordedMigration {
  migration: Pick<Migration, 'version' | 'name' | 'checksum' | 'placeholder'>;
  /** The source's name for it; undefined for `baseline`. */
  sourceVersion: string | undefined;
  /** ISO 8601; undefined: now (the transaction's time). */
  appliedAt: string | undefined;
  executionMs: number;
}

/** Where the records come from: a tool (and where its journal is now kept), or `baseline`. */
export interface RecordSource {
  source: string;
  sourceTable: string | undefined;
  /** The tool's table (by oid): it does not stop the journal from being created (see ensureJournal). */
  sourceOid?: number | undefined;
}

/** `CREATE TABLE` of the companion table of adopted rows. */
function createAdoptedSql(journal: Pick<Journal, 'adoptedQuoted'>): string {
  return `CREATE TABLE IF NOT EXISTS ${journal.adoptedQuoted} (
  version        bigint PRIMARY KEY,
  source         text NOT NULL,
  source_version text,
  source_table   text,
  applied_at     timestamptz NOT NULL,
  adopted_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
  placeholder_of       text,
  placeholder_checksum text
)`;
}

/**
 * The placeholder columns, added to a companion table an earlier aeturnis-db created without
 * them (readJournal reads them whether or not they exist).
 */
function addPlaceholderColumnsSql(journal: Pick<Journal, 'adoptedQuoted'>): string {
  return `DO $add$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute WHERE attrelid = ${quoteLiteral(journal.adoptedQuoted)}::regclass
                   AND attname = 'placeholder_checksum' AND NOT attisdropped) THEN
    ALTER TABLE ${journal.adoptedQuoted} ADD COLUMN IF NOT EXISTS placeholder_of text, ADD COLUMN IF NOT EXISTS placeholder_checksum text;
  END IF;
END $add$`;
}

/**
 * One statement: the journal rows and their companion rows, with the same applied_at (a
 * version recorded before and since rolled back leaves a companion row, which is replaced).
 */
function insertSql(journal: Pick<Journal, 'quoted' | 'adoptedQuoted'>): string {
  return `WITH rows AS (
  SELECT * FROM ROWS FROM (pg_catalog.unnest($1::bigint[]), pg_catalog.unnest($2::text[]), pg_catalog.unnest($3::text[]),
      pg_catalog.unnest($4::timestamptz[]), pg_catalog.unnest($5::integer[]), pg_catalog.unnest($6::text[]),
      pg_catalog.unnest($9::text[]))
    AS r(version, name, checksum, applied_at, execution_ms, source_version, placeholder_of)),
journal AS (
  INSERT INTO ${journal.quoted} (version, name, checksum, applied_at, execution_ms)
  SELECT version, name, checksum, COALESCE(applied_at, pg_catalog.now()), execution_ms FROM rows
  RETURNING version, applied_at)
INSERT INTO ${journal.adoptedQuoted} (version, source, source_version, source_table, applied_at, adopted_at, placeholder_of, placeholder_checksum)
SELECT j.version, $7, r.source_version, $8, j.applied_at, pg_catalog.now(), r.placeholder_of,
       CASE WHEN r.placeholder_of IS NOT NULL THEN r.checksum END
  FROM journal j JOIN rows r USING (version)
ON CONFLICT (version) DO UPDATE SET source = EXCLUDED.source, source_version = EXCLUDED.source_version,
  source_table = EXCLUDED.source_table, applied_at = EXCLUDED.applied_at, adopted_at = EXCLUDED.adopted_at,
  placeholder_of = EXCLUDED.placeholder_of, placeholder_checksum = EXCLUDED.placeholder_checksum`;
}

/**
 * Creates the journal (when it does not exist) and its companion table, and records `records`.
 */
export async function recordWithoutRunning(
  client: pg.ClientBase,
  journal: Journal,
  records: readonly RecordedMigration[],
  from: RecordSource,
): Promise<void> {
  await ensureJournal(client, journal, { inTransaction: true, allow: from.sourceOid === undefined ? [] : [from.sourceOid] });
  try {
    await client.query(createAdoptedSql(journal));
    await client.query(addPlaceholderColumnsSql(journal));
    journal.adoptedExists = true;
    if (records.length === 0) return;
    await client.query(insertSql(journal), [
      records.map((r) => String(r.migration.version)),
      records.map((r) => r.migration.name),
      records.map((r) => r.migration.checksum),
      records.map((r) => r.appliedAt ?? null),
      records.map((r) => Math.round(r.executionMs)),
      records.map((r) => r.sourceVersion ?? null),
      from.source,
      from.sourceTable ?? null,
      records.map((r) => r.migration.placeholder?.source ?? null),
    ]);
  } catch (error) {
    throw journalError(journal.display, 'cannot record adopted migrations in', error);
  }
}

/** What an earlier adopt from `source` recorded: how many rows, and when. */
export async function earlierAdoption(
  client: pg.ClientBase,
  journal: Journal,
  source: string,
): Promise<{ count: number; at: Date } | undefined> {
  if (!journal.adoptedExists) return undefined;
  const { rows } = await client.query<{ count: number; at: Date | null }>(
    `SELECT count(*)::integer AS count, max(adopted_at) AS at FROM ${journal.adoptedQuoted} WHERE source = $1`,
    [source],
  );
  const row = rows[0];
  return row && row.count > 0 && row.at ? { count: row.count, at: row.at } : undefined;
}
