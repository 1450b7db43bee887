import type pg from 'pg';
import { DatabaseError, UsageError } from '../errors.js';
import type { JournalRow, PartialRow } from '../migrations/status.js';
import { advisoryLockKey, derivedName, quoteIdentifier, type TableName } from './identifiers.js';
import { createJournalSql, type JournalNames } from './journal-sql.js';
import { pgErrorOf } from './pg-error.js';
import { recordStartingSchemas } from './reset-record.js';

/** The journal table as it is in this database, resolved once per run. */
export interface Journal extends JournalNames {
  schema: string;
  table: string;
  /** `schema.table`, for messages. */
  display: string;
  /** The partial-run companion table's name (in the same schema). */
  partialTable: string;
  /** The table exists (false until the first run that changes something creates it). */
  exists: boolean;
  partialExists: boolean;
  /** The companion table of adopted and baselined rows (`<table>_adopted`, same schema; see src/adopt/). */
  adoptedTable: string;
  adoptedQuoted: string;
  adoptedExists: boolean;
  /**
   * Another tool's table that holds the journal's name, when resolved with `acceptForeign`
   * (`adopt` renames it); `exists` is false then. Undefined otherwise.
   */
  foreign: ForeignTable | undefined;
  /** The runner lock of this journal, keyed on its resolved name. */
  lockKey: bigint;
}

/** Another tool's journal where aeturnis-db's should be. */
export interface ForeignTable {
  columns: string[];
  /** Whose it looks like (`dbmate`, `golang-migrate`, ...), from its columns; undefined when unsure. */
  tool: string | undefined;
}

/** How {@link resolveJournal} treats another tool's table of the journal's name. */
export interface ResolveOptions {
  /** Return it as `foreign` instead of refusing it (only `adopt`, which renames it, asks for this). */
  acceptForeign?: boolean | undefined;
}

/** The contract's columns: a table without them is another tool's journal. */
const JOURNAL_COLUMNS = ['version', 'name', 'checksum', 'applied_at', 'execution_ms'];
const PARTIAL_SUFFIX = '_partial';
const ADOPTED_SUFFIX = '_adopted';

interface ResolvedRow {
  current_schema: string | null;
  found_schema: string | null;
  relkind: string | null;
  columns: string[] | null;
  partial_exists: boolean;
  adopted_exists: boolean;
}

/**
 * Finds where the journal really is: an unqualified name resolves like PostgreSQL resolves it
 * (the first schema of `search_path` that has it, else `current_schema()`, where CREATE TABLE
 * would put it). Refuses (exit 2) another tool's table of that name, and a search_path with no
 * schema to create it in. One round trip.
 *
 * @example
 * const journal = await resolveJournal(client, parseTableName('schema_migrations', '--table'));
 * journal.quoted // '"app"."schema_migrations"' with search_path = app
 */
export async function resolveJournal(client: pg.ClientBase, requested: TableName, options: ResolveOptions = {}): Promise<Journal> {
  const partialTable = derivedName(requested.table, PARTIAL_SUFFIX);
  const adoptedTable = derivedName(requested.table, ADOPTED_SUFFIX);
  let row: ResolvedRow | undefined;
  try {
    ({
      rows: [row],
    } = await client.query<ResolvedRow>(RESOLVE_SQL, [requested.quoted, requested.schema ?? null, partialTable, adoptedTable]));
  } catch (error) {
    throw journalError(requested.display, 'cannot look up', error);
  }
  const schema = row?.found_schema ?? requested.schema ?? row?.current_schema ?? undefined;
  if (!row || schema === undefined) {
    throw new UsageError(
      `no schema to create the journal table ${requested.display} in: search_path names no existing schema; pass --table schema.${requested.table}`,
    );
  }
  const found = row.found_schema !== null;
  const display = `${schema}.${requested.table}`;
  const foreign = found ? foreignTableOf(display, row.relkind ?? '', row.columns ?? [], options) : undefined;
  const inSchema = (name: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
  return {
    schema,
    table: requested.table,
    display,
    quoted: inSchema(requested.table),
    partialTable,
    partialQuoted: inSchema(partialTable),
    exists: found && !foreign,
    partialExists: row.partial_exists,
    adoptedTable,
    adoptedQuoted: inSchema(adoptedTable),
    adoptedExists: row.adopted_exists,
    foreign,
    lockKey: advisoryLockKey(schema, requested.table),
  };
}

const RESOLVE_SQL = `
WITH found AS (
  SELECT c.oid, n.nspname::text AS schema, c.relkind::text AS relkind
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = pg_catalog.to_regclass($1))
SELECT pg_catalog.current_schema()::text AS current_schema, f.schema AS found_schema, f.relkind,
       (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = f.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
       pg_catalog.to_regclass(pg_catalog.quote_ident(COALESCE(f.schema, $2::text, pg_catalog.current_schema()))
         || '.' || pg_catalog.quote_ident($3::text)) IS NOT NULL AS partial_exists,
       pg_catalog.to_regclass(pg_catalog.quote_ident(COALESCE(f.schema, $2::text, pg_catalog.current_schema()))
         || '.' || pg_catalog.quote_ident($4::text)) IS NOT NULL AS adopted_exists
  FROM (SELECT 1) AS one LEFT JOIN found f ON true`;

/**
 * Undefined for aeturnis-db's journal; another tool's table when `acceptForeign` asks for it;
 * otherwise refuses it, saying whose it looks like and the ways out (`--table`, `adopt`).
 */
function foreignTableOf(display: string, relkind: string, columns: string[], options: ResolveOptions): ForeignTable | undefined {
  if (relkind !== 'r' && relkind !== 'p') {
    throw new UsageError(
      `${display} is not a table (it is a ${RELKINDS[relkind] ?? 'relation'}): pass --table NAME to use another journal table`,
    );
  }
  const missing = JOURNAL_COLUMNS.filter((column) => !columns.includes(column));
  if (missing.length === 0) return undefined;
  const tool = foreignToolOf(columns);
  if (options.acceptForeign) return { columns, tool };
  throw new UsageError(
    `${display} has columns ${columns.join(', ')}: another migration tool's journal${tool ? ` (${TOOL_GUESSES[tool]})` : ''}, not aeturnis-db's ` +
      `(it lacks ${missing.join(', ')}); it was not changed. Pass --table NAME to keep aeturnis-db's journal in another table, ` +
      `or adopt it: aeturnis-db adopt --from ${tool ?? 'TOOL'}`,
  );
}

const RELKINDS: Record<string, string> = { v: 'view', m: 'materialized view', f: 'foreign table', S: 'sequence', i: 'index' };

/** How the refusal names each guess (dbmate and Rails share one layout). */
const TOOL_GUESSES: Record<string, string> = {
  'golang-migrate': 'golang-migrate',
  goose: 'goose',
  flyway: 'Flyway',
  'node-pg-migrate': 'node-pg-migrate',
  dbmate: 'dbmate or Rails',
};

/** A guess at the owner of a foreign journal, from its columns: the name `adopt --from` takes. */
function foreignToolOf(columns: string[]): string | undefined {
  const has = (name: string): boolean => columns.includes(name);
  if (has('dirty') && has('version')) return 'golang-migrate';
  if (has('version_id') && has('is_applied')) return 'goose';
  if (has('installed_rank')) return 'flyway';
  if (has('run_on') && has('name')) return 'node-pg-migrate';
  if (columns.length === 1 && has('version')) return 'dbmate';
  return undefined;
}

/**
 * Creates the journal table (and its schema) when it does not exist. Call under the runner lock.
 * Looks before creating: CREATE ... IF NOT EXISTS checks the CREATE privilege first, so it would
 * fail for a role that may use a journal a DBA created but could not create one.
 */
export async function ensureJournal(client: pg.ClientBase, journal: Journal): Promise<void> {
  if (journal.exists) return;
  const createSchema = `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(journal.schema)};\n`;
  try {
    const { rows } = await client.query<{ schema: boolean; table: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1) AS schema,
              pg_catalog.to_regclass($2) IS NOT NULL AS table`,
      [journal.schema, journal.quoted],
    );
    if (rows[0]?.table) {
      journal.exists = true;
      return;
    }
    await client.query(`${rows[0]?.schema ? '' : createSchema}${createJournalSql(journal)}`);
    await recordStartingSchemas(client, journal, rows[0]?.schema === true);
    journal.exists = true;
  } catch (error) {
    throw journalError(journal.display, 'cannot create', error);
  }
}

/** A failure on the journal table itself, naming it (and, for a missing privilege, the way out). */
export function journalError(display: string, what: string, error: unknown): unknown {
  const pgError = pgErrorOf(error);
  if (!pgError) return error;
  const hint =
    pgError.code === '42501'
      ? ' — create it as the database owner and grant this role SELECT, INSERT, DELETE on it, grant CREATE on the schema, or point --table at a schema this role may create in'
      : '';
  return Object.assign(new DatabaseError(`${what} the journal table ${display}: ${pgError.message}${hint}`, pgError.code), {
    cause: error,
  });
}

interface JournalDbRow {
  version: string;
  name: string;
  checksum: string;
  applied_at: Date;
  execution_ms: number;
  adopted_from?: string | null;
}

interface PartialDbRow {
  version: string;
  direction: string;
  name: string;
  checksum: string;
  statements_applied: number;
  statement_count: number;
  applied_sha256: string;
  invalid_indexes: string[];
  error: string | null;
  failed_at: Date;
}

/**
 * Reads every journal row (and every recorded partial run), ordered by version, in one round
 * trip. A journal that does not exist yet reads as empty and is not created.
 *
 * @example
 * const { rows, partial } = await readJournal(client, journal);
 */
export async function readJournal(client: pg.ClientBase, journal: Journal): Promise<{ rows: JournalRow[]; partial: PartialRow[] }> {
  if (!journal.exists) return { rows: [], partial: [] };
  const journalSql = journal.adoptedExists
    ? // A row is adopted while it is the row adopt/baseline wrote (same applied_at): once rolled
      // back and applied again, it is a row like any other, though the companion row stays.
      `SELECT j.version::text AS version, j.name, j.checksum, j.applied_at, j.execution_ms, a.source AS adopted_from
         FROM ${journal.quoted} j LEFT JOIN ${journal.adoptedQuoted} a ON a.version = j.version AND a.applied_at = j.applied_at
        ORDER BY j.version`
    : `SELECT version::text AS version, name, checksum, applied_at, execution_ms FROM ${journal.quoted} ORDER BY version`;
  const partialSql = `SELECT version::text AS version, direction, name, checksum, statements_applied, statement_count, applied_sha256,
         invalid_indexes, error, failed_at FROM ${journal.partialQuoted} ORDER BY version`;
  let journalRows: JournalDbRow[];
  let partialRows: PartialDbRow[] = [];
  try {
    if (journal.partialExists) {
      const results = (await client.query(`${journalSql};\n${partialSql}`)) as unknown as [
        pg.QueryResult<JournalDbRow>,
        pg.QueryResult<PartialDbRow>,
      ];
      journalRows = results[0].rows;
      partialRows = results[1].rows;
    } else {
      journalRows = (await client.query<JournalDbRow>(journalSql)).rows;
    }
  } catch (error) {
    throw journalError(journal.display, 'cannot read', error);
  }
  return { rows: journalRows.map(toJournalRow), partial: partialRows.map(toPartialRow) };
}

function toJournalRow(row: JournalDbRow): JournalRow {
  return {
    version: Number(row.version),
    versionText: row.version,
    name: row.name,
    checksum: row.checksum,
    appliedAt: row.applied_at,
    executionMs: row.execution_ms,
    adoptedFrom: row.adopted_from ?? undefined,
  };
}

function toPartialRow(row: PartialDbRow): PartialRow {
  return {
    version: Number(row.version),
    direction: row.direction === 'down' ? 'down' : 'up',
    name: row.name,
    checksum: row.checksum,
    statementsApplied: row.statements_applied,
    statementCount: row.statement_count,
    appliedSha256: row.applied_sha256,
    invalidIndexes: row.invalid_indexes,
    error: row.error,
    failedAt: row.failed_at,
  };
}
