import type pg from 'pg';
import { DatabaseError, UsageError } from '../errors.js';
import type { JournalRow, PartialRow } from '../migrations/status.js';
import { advisoryLockKey, derivedName, displayName, quoteIdentifier, type TableName } from '../identifiers.js';
import { COMPANION_SUFFIXES, createJournalSql, journalOwnTables, type JournalNames } from './sql.js';
import {
  foreignToolOf,
  hasJournalColumns,
  JOURNAL_COLUMNS,
  type OtherJournal,
  otherJournalsMessage,
  RESOLVE_SQL,
  shapeProblems,
  TOOL_JOURNAL_NAMES,
  toolTitle,
} from './shape.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { recordStartingSchemas } from './metadata.js';

/** The journal table as it is in this database, resolved once per run. */
export interface Journal extends JournalNames {
  /** The name as `--table` gave it (an unqualified one is resolved again before the journal is created). */
  requested: TableName;
  schema: string;
  table: string;
  /** `schema.table`, for messages. */
  display: string;
  /** The partial-run companion table's name (in the same schema). */
  partialTable: string;
  /** The table exists (false until the first run that changes something creates it). */
  exists: boolean;
  /** It existed when the run began: creating it again (after `reset` dropped it) is not a second journal. */
  existedAtStart: boolean;
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
  /**
   * While the journal does not exist: the other journals in the database (in its schema, when
   * `--table` names one), which forbid creating it. Only `acceptForeign` resolutions see them;
   * every other one refuses them.
   */
  others: OtherJournal[];
  /** The runner lock of this journal, keyed on its resolved name. */
  lockKey: bigint;
}

/** Another tool's journal where aeturnis-db's should be. */
export interface ForeignTable {
  columns: string[];
  /** Whose it looks like (`dbmate`, `golang-migrate`, ...), from its columns; undefined when unsure. */
  tool: string | undefined;
}

/** How {@link resolveJournal} treats what it finds. */
export interface ResolveOptions {
  /**
   * Return another tool's table of the journal's name as `foreign`, and other journals as
   * `others`, instead of refusing them (`adopt`, which takes them over, and fleet's read of
   * applied versions ask for this).
   */
  acceptForeign?: boolean | undefined;
  /** The command creates nothing: a schema named by `--table` that does not exist is refused. */
  readOnly?: boolean | undefined;
}

const [PARTIAL_SUFFIX, ADOPTED_SUFFIX] = COMPANION_SUFFIXES;

/**
 * The advisory lock every creation of a journal takes, whatever its name resolved to: two
 * runners whose names resolved to different tables (roles with different search_paths) still
 * decide one after the other. 'aeturnis' in ASCII.
 */
const CREATION_LOCK_KEY = 0x61657475726e6973n;

interface ResolvedRow {
  current_schema: string | null;
  schema_exists: boolean;
  found_schema: string | null;
  relkind: string | null;
  columns: string[] | null;
  types: string[] | null;
  primary_key: string[] | null;
  partial_exists: boolean;
  adopted_exists: boolean;
  others: OtherJournal[] | null;
}

/**
 * Finds where the journal really is: an unqualified name resolves like PostgreSQL resolves it
 * (the first schema of `search_path` that has it, else `current_schema()`, where CREATE TABLE
 * would put it). Refuses (exit 2) another tool's table of that name, a table of that name with
 * other column types or key, a search_path with no schema to create it in, and — while the
 * journal does not exist — any other journal in the database (one journal per database; only
 * in its schema when `--table` names one). One round trip.
 */
export async function resolveJournal(client: pg.ClientBase, requested: TableName, options: ResolveOptions = {}): Promise<Journal> {
  return journalOf(requested, await queryResolution(client, requested), options);
}

async function queryResolution(client: pg.ClientBase, requested: TableName): Promise<ResolvedRow> {
  const companions = journalOwnTables(requested.table).slice(1);
  try {
    // One row, always (the catalog lookups are LEFT JOINed to a single row).
    const { rows } = await client.query<ResolvedRow>(RESOLVE_SQL, [
      requested.quoted,
      requested.schema ?? null,
      companions[0],
      companions[1],
      requested.table,
      JOURNAL_COLUMNS,
      companions,
      TOOL_JOURNAL_NAMES,
    ]);
    return rows[0] as ResolvedRow;
  } catch (error) {
    throw journalError(requested.display, 'cannot look up', error);
  }
}

/** The journal that `row` describes, or the refusal of what it found. */
function journalOf(requested: TableName, row: ResolvedRow, options: ResolveOptions): Journal {
  const schema = row.found_schema ?? requested.schema ?? row.current_schema ?? undefined;
  if (schema === undefined) {
    throw new UsageError(
      `no schema to create the journal table ${requested.display} in: search_path names no existing schema; pass --table schema.${requested.display}`,
    );
  }
  if (!row.schema_exists && options.readOnly) {
    throw new UsageError(
      `--table ${requested.display}: schema ${displayName(undefined, schema)} does not exist in this database (nothing was created)`,
    );
  }
  const found = row.found_schema !== null;
  const display = displayName(schema, requested.table);
  const foreign = found ? foreignTableOf(display, row, options) : undefined;
  const others = row.others ?? [];
  if ((!found || foreign) && others.length > 0 && !options.acceptForeign) {
    throw new UsageError(otherJournalsMessage(display, requested.schema, others));
  }
  const partialTable = derivedName(requested.table, PARTIAL_SUFFIX);
  const adoptedTable = derivedName(requested.table, ADOPTED_SUFFIX);
  const inSchema = (name: string): string => `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
  return {
    requested,
    schema,
    table: requested.table,
    display,
    quoted: inSchema(requested.table),
    partialTable,
    partialQuoted: inSchema(partialTable),
    exists: found && !foreign,
    existedAtStart: found && !foreign,
    partialExists: row.partial_exists,
    adoptedTable,
    adoptedQuoted: inSchema(adoptedTable),
    adoptedExists: row.adopted_exists,
    foreign,
    others,
    lockKey: advisoryLockKey(schema, requested.table),
  };
}

/**
 * Undefined for aeturnis-db's journal; another tool's table when `acceptForeign` asks for it;
 * otherwise refuses it, saying whose it looks like and the ways out (`--table`, `adopt`). A
 * table with the journal's columns but other types or key is refused by every command.
 */
function foreignTableOf(display: string, row: ResolvedRow, options: ResolveOptions): ForeignTable | undefined {
  const relkind = row.relkind ?? '';
  if (relkind !== 'r' && relkind !== 'p') {
    throw new UsageError(
      `${display} is not a table (it is a ${RELKINDS[relkind] ?? 'relation'}): pass --table NAME to use another journal table`,
    );
  }
  const columns = row.columns ?? [];
  if (hasJournalColumns(columns)) {
    const problems = shapeProblems({ columns, types: row.types ?? [], primaryKey: row.primary_key ?? [] });
    if (problems.length === 0) return undefined;
    throw new UsageError(
      `${display} has the journal's columns but not the types or key aeturnis-db creates (${problems.join('; ')}); ` +
        `it was not changed. Pass --table NAME to keep aeturnis-db's journal in another table`,
    );
  }
  const missing = JOURNAL_COLUMNS.filter((column) => !columns.includes(column));
  const tool = foreignToolOf(columns);
  if (options.acceptForeign) return { columns, tool };
  throw new UsageError(
    `${display} has columns ${columns.join(', ')}: another migration tool's journal${tool ? ` (${toolTitle(tool)})` : ''}, not aeturnis-db's ` +
      `(it lacks ${missing.join(', ')}); it was not changed. Pass --table NAME to keep aeturnis-db's journal in another table, ` +
      `or adopt it: aeturnis-db adopt --from ${tool ?? 'TOOL'}`,
  );
}

const RELKINDS: Record<string, string> = { v: 'view', m: 'materialized view', f: 'foreign table', S: 'sequence', i: 'index' };

/** How {@link ensureJournal} is called. */
export interface EnsureOptions {
  /** The caller's transaction is open: decide in it, and leave the commit to the caller (`adopt`). */
  inTransaction?: boolean | undefined;
  /** Tables (by oid) that do not count as other journals: the tool's journal `adopt` takes over. */
  allow?: readonly number[] | undefined;
}

/**
 * Creates the journal table (and its schema) when it does not exist. Call under the runner lock.
 * The decision is taken under one advisory lock for the whole database, after looking again: a
 * runner whose name resolved elsewhere may have created a journal meanwhile, and then this one
 * refuses (one journal per database). Looks before creating: CREATE ... IF NOT EXISTS checks the
 * CREATE privilege first, so it would fail for a role that may use a journal a DBA created but
 * could not create one.
 */
export async function ensureJournal(client: pg.ClientBase, journal: Journal, options: EnsureOptions = {}): Promise<void> {
  if (journal.exists) return;
  const own = !options.inTransaction;
  try {
    if (own) await client.query('BEGIN');
    await client.query('SELECT pg_catalog.pg_advisory_xact_lock($1)', [CREATION_LOCK_KEY.toString()]);
    const row = await queryResolution(client, journal.requested);
    if (mustCreate(journal, row, options.allow ?? [])) {
      const createSchema = row.schema_exists ? '' : `CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(journal.schema)};\n`;
      await client.query(`${createSchema}${createJournalSql(journal)}`);
      await recordStartingSchemas(client, journal, row.schema_exists === true);
    }
    if (own) await client.query('COMMIT');
    journal.exists = true;
  } catch (error) {
    if (own) await client.query('ROLLBACK').catch(() => {});
    throw journalError(journal.display, 'cannot create', error);
  }
}

/**
 * Looked at again under the creation lock: false when the journal is there now (a runner of the
 * same journal created it), true when it is to be created; refuses when another journal is there.
 */
function mustCreate(journal: Journal, row: ResolvedRow, allow: readonly number[]): boolean {
  if (row.found_schema !== null && row.found_schema !== journal.schema) {
    throw new UsageError(
      `the journal table ${journal.requested.display} resolves to ${displayName(row.found_schema, journal.table)} now: another run created it ` +
        "while this one waited (its lock is not this run's); nothing was done here, run again to use it",
    );
  }
  if (row.found_schema !== null) {
    journalOf(journal.requested, row, {});
    return false;
  }
  const others = (row.others ?? []).filter((other) => !allow.includes(other.oid));
  if (others.length > 0 && !journal.existedAtStart) {
    throw new UsageError(otherJournalsMessage(journal.display, journal.requested.schema, others));
  }
  return true;
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
  placeholder_of?: string | null;
  placeholder_checksum?: string | null;
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
 */
export async function readJournal(client: pg.ClientBase, journal: Journal): Promise<{ rows: JournalRow[]; partial: PartialRow[] }> {
  if (!journal.exists) return { rows: [], partial: [] };
  const journalSql = journal.adoptedExists
    ? // A row is adopted while it is the row adopt/baseline wrote (same applied_at): once rolled
      // back and applied again, it is a row like any other, though the companion row stays. The
      // placeholder columns through to_jsonb: a companion an older aeturnis-db created lacks them.
      `SELECT j.version::text AS version, j.name, j.checksum, j.applied_at, j.execution_ms, a.source AS adopted_from,
              pg_catalog.to_jsonb(a) ->> 'placeholder_of' AS placeholder_of,
              pg_catalog.to_jsonb(a) ->> 'placeholder_checksum' AS placeholder_checksum
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
    ...(row.placeholder_of && row.placeholder_checksum
      ? { adoptedPlaceholder: { of: row.placeholder_of, checksum: row.placeholder_checksum } }
      : {}),
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
