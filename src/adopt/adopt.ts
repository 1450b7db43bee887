import type pg from 'pg';
import { UsageError, ValidationError } from '../errors.js';
import { derivedName, quoteIdentifier, type TableName } from '../identifiers.js';
import { readJournal, resolveJournal, type Journal } from '../journal/journal.js';
import { otherJournalsMessage } from '../journal/shape.js';
import { planAdoption, type AdoptionPlan, type LocalMigration } from './plan.js';
import { earlierAdoption, recordWithoutRunning } from './record.js';
import { assertToolTable, findTable, findToolTables, readSourceRows, type FoundTable } from './source-table.js';
import { SOURCE_TOOLS } from './tools/index.js';
import type { SourceTool } from './types.js';

/** The contract's journal columns: such a table is aeturnis-db's journal, never another tool's. */
const AETURNIS_COLUMNS = ['version', 'name', 'checksum', 'applied_at', 'execution_ms'];
import { plural } from '../plural.js';

/** What {@link adoptFromSource} is asked to do. */
export interface AdoptRequest {
  source: SourceTool;
  /** Where the tool's journal is (as the user named it, or the tool's default). */
  sourceTable: TableName;
  locals: readonly LocalMigration[];
  dryRun: boolean;
  /**
   * The tool's default name, not one the user gave: when it is not on this session's
   * search_path, look where the tool may have put it (other schemas; first the ones the
   * connection URL's `search_path` parameter names).
   */
  searchSchemas?: { urlSearchPath: readonly string[] } | undefined;
}

/** What it did (or, on a dry run, would do). */
export interface AdoptOutcome {
  /** The table read, `schema.table`; undefined when an earlier adopt already did the work. */
  sourceTable: string | undefined;
  /** The name the tool's table was given because aeturnis-db's journal takes its name. */
  keptAs: string | undefined;
  plan: AdoptionPlan;
  /** The versions aeturnis-db's journal recorded before. */
  recorded: number[];
  /** An earlier adopt from this tool: nothing is done again. */
  earlier: { count: number; at: Date } | undefined;
}

/**
 * Reads the tool's journal, matches it to the local migrations, refuses (exit 3) a dirty or
 * failed journal and entries with no local file, and records the rest; when the tool's table
 * holds the journal's name (dbmate, golang-migrate: `schema_migrations`) it is renamed to
 * `<name>_<tool>` first, never dropped. Once done, adopting from the same tool again does
 * nothing: the tool's journal is history, and reading it again would bring back migrations
 * rolled back since. Call inside one transaction, under the runner lock.
 */
export async function adoptFromSource(client: pg.ClientBase, resolved: Journal, request: AdoptRequest): Promise<AdoptOutcome> {
  const { source, dryRun } = request;
  // Resolved again now that the runner lock is held: another adopt may have renamed the tool's
  // table and created the journal while this one waited. At the place the lock is keyed on; the
  // other journals, where the name as given looks for them.
  const journal = await resolveJournal(client, { ...resolved.requested, quoted: resolved.quoted }, { acceptForeign: true });
  const earlier = await earlierAdoption(client, journal, source.tool);
  if (earlier) return { sourceTable: undefined, keptAs: undefined, plan: emptyPlan(), recorded: [], earlier };
  const table = await locateSource(client, journal, request);
  assertOnlyJournal(journal, table);
  const keptAs = collides(journal, table) ? await keptName(client, table, source) : undefined;
  const rows = await readSourceRows(client, source, table, !dryRun);
  const recorded = journal.exists ? (await readJournal(client, journal)).rows.map((row) => row.version) : [];
  const plan = planAdoption(source, source.interpret(rows), request.locals, new Set(recorded));
  assertAdoptable(source, table, plan);
  const keptDisplay = keptAs === undefined ? undefined : `${table.schema}.${keptAs}`;
  if (!dryRun) {
    if (keptAs !== undefined) {
      await client.query(`ALTER TABLE ${table.quoted} RENAME TO ${quoteIdentifier(keptAs)}`);
      journal.foreign = undefined;
    }
    await recordWithoutRunning(client, journal, plan.records, {
      source: source.tool,
      sourceTable: keptDisplay ?? table.display,
      sourceOid: table.oid,
    });
  }
  return { sourceTable: table.display, keptAs: keptDisplay, plan, recorded, earlier: undefined };
}

/**
 * The tool's table: the one named, or, where that is aeturnis-db's journal by now (adopted
 * before with nothing to record), the name an earlier adopt kept it under.
 */
async function locateSource(client: pg.ClientBase, journal: Journal, request: AdoptRequest): Promise<FoundTable> {
  const { source, sourceTable } = request;
  const found = (await findTable(client, sourceTable)) ?? (await elsewhere(client, request));
  if (!found) {
    throw new UsageError(
      `no ${source.title} journal: there is no table ${sourceTable.display} in this database; pass --source-table NAME to name the table ${source.title} used`,
    );
  }
  if (journal.foreign && !collides(journal, found)) {
    throw new UsageError(
      `${journal.display} is another tool's journal${journal.foreign.tool ? ` (${journal.foreign.tool})` : ''}, not ${source.title}'s ${found.display}: ` +
        `pass --table NAME to keep aeturnis-db's journal in another table`,
    );
  }
  if (journal.exists && found.schema === journal.schema && found.table === journal.table) {
    const kept = await findTable(client, { quoted: `${quoteIdentifier(found.schema)}.${quoteIdentifier(keptTableName(found, source))}` });
    if (!kept) {
      throw new UsageError(
        `${found.display} is aeturnis-db's journal, not ${source.title}'s: pass --source-table NAME to name the table ${source.title} used`,
      );
    }
    assertToolTable(source, kept);
    return kept;
  }
  assertToolTable(source, found);
  return found;
}

/**
 * The tool's journal outside this session's search_path, where the tool put it with a
 * search_path of its own: the one in the first schema the URL's `search_path` names that has
 * one, else the only table of that name and shape in the database; several: exit 2 naming each.
 */
async function elsewhere(client: pg.ClientBase, request: AdoptRequest): Promise<FoundTable | undefined> {
  const { source, sourceTable, searchSchemas } = request;
  if (!searchSchemas || sourceTable.schema !== undefined) return undefined;
  const candidates = (await findToolTables(client, source, sourceTable.table)).filter((c) => !otherShape(source, c));
  for (const schema of searchSchemas.urlSearchPath) {
    const named = candidates.find((candidate) => candidate.schema === schema);
    if (named) return named;
  }
  if (candidates.length <= 1) return candidates[0];
  throw new UsageError(
    `${source.title}'s journal is not on search_path, and ${candidates.length} tables could be it: ${candidates.map((c) => c.display).join(', ')}; ` +
      `pass --source-table SCHEMA.${sourceTable.display} to name the one ${source.title} used`,
  );
}

/** aeturnis-db's journal, or another tool's whose columns include this tool's (golang-migrate's `dirty` beside dbmate's `version`). */
function otherShape(source: SourceTool, table: FoundTable): boolean {
  if (AETURNIS_COLUMNS.every((column) => table.columns.includes(column))) return true;
  return Object.values(SOURCE_TOOLS).some(
    (other) =>
      other !== source && other.columns.length > source.columns.length && other.columns.every((column) => table.columns.includes(column)),
  );
}

/**
 * One journal per database: the tool's journal is the one adopt takes over; any other journal
 * (aeturnis-db's elsewhere, a third tool's) refuses it, as every command does (exit 2).
 */
function assertOnlyJournal(journal: Journal, table: FoundTable): void {
  const others = journal.exists ? [] : journal.others.filter((other) => other.oid !== table.oid);
  if (others.length > 0) throw new UsageError(otherJournalsMessage(journal.display, journal.requested.schema, others));
}

/** The tool's table holds the name aeturnis-db's journal needs. */
function collides(journal: Journal, table: FoundTable): boolean {
  return journal.foreign !== undefined && table.schema === journal.schema && table.table === journal.table;
}

/** `schema_migrations_dbmate`, `schema_migrations_golang_migrate`. */
function keptTableName(table: Pick<FoundTable, 'table'>, source: SourceTool): string {
  return derivedName(table.table, `_${source.tool.replace(/-/g, '_')}`);
}

async function keptName(client: pg.ClientBase, table: FoundTable, source: SourceTool): Promise<string> {
  const name = keptTableName(table, source);
  if (await findTable(client, { quoted: `${quoteIdentifier(table.schema)}.${quoteIdentifier(name)}` })) {
    throw new UsageError(
      `${table.display} must be renamed to make room for aeturnis-db's journal, but ${table.schema}.${name} exists already: ` +
        `rename or drop that table, or pass --table NAME to keep aeturnis-db's journal in another table`,
    );
  }
  return name;
}

/** Refuses (exit 3) a journal that cannot be trusted or that lists migrations with no file here. */
function assertAdoptable(source: SourceTool, table: FoundTable, plan: AdoptionPlan): void {
  // One problem that the message holds: the CLI prints it as one line.
  if (plan.blocked.length > 0) {
    const problem = `${source.title}'s journal ${table.display} cannot be adopted: ${plan.blocked.join('; ')}`;
    throw new ValidationError(`${problem}; then adopt again (nothing was recorded)`, [problem]);
  }
  if (plan.unknown.length > 0) {
    const problem = `${source.title}'s journal ${table.display} lists ${plural(plan.unknown.length, 'migration')} with no local file: ${plan.unknown.join(', ')}`;
    throw new ValidationError(
      `${problem}; import their files first (aeturnis-db import --from ${source.tool} DIR), then adopt again (nothing was recorded)`,
      [problem],
    );
  }
}

function emptyPlan(): AdoptionPlan {
  return { records: [], alreadyRecorded: [], unknown: [], blocked: [], notes: [] };
}
