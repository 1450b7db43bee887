/**
 * The partition registry: the tables partition upkeep maintains, kept in the database in
 * `<journal>_partitions` (like pg_partman's part_config), written by `partitions register` /
 * `unregister` and by the `-- aeturnis:partitions` directive of a migration. Reads and the
 * command's writes; the directive's SQL is in registry-sql.ts.
 */
import type { ClientBase } from 'pg';
import { DatabaseError, UsageError } from '../errors.js';
import type { JournalNames } from '../journal/sql.js';
import { displayName, type TableName } from '../identifiers.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { settingChanges, type PartitionInterval, type RegistrationSettings, type RetainMode } from './registry-options.js';
import {
  candidatesSql,
  checkTableSql,
  registerSql,
  registryOf,
  selectOneSql,
  selectRegistrySql,
  unregisterSql,
  type RegistryTable,
} from './registry-sql.js';

export type { PartitionInterval, RetainMode, RegistrationSettings, PartitionDirective } from './registry-options.js';
export { registryOf, type RegistryTable } from './registry-sql.js';

/** One table registered for partition upkeep. */
export interface RegisteredTable {
  schema: string;
  table: string;
  /** The partition key column. */
  column: string;
  interval: PartitionInterval;
  /** Partitions kept ahead of the current one. */
  ahead: number;
  /** Partitions kept behind the current one; null: nothing is removed. */
  retain: number | null;
  retainMode: RetainMode;
}

/** A registration and how PostgreSQL names its table from this session (schema-qualified unless on search_path). */
export interface ListedTable extends RegisteredTable {
  /** `events`, `app.events`; `schema.table` when the table no longer exists. */
  shown: string;
  /** The table is there. */
  exists: boolean;
}

interface RegistryRow extends RegisteredTable {
  shown: string | null;
}

/**
 * The registered tables, sorted by schema, then table; [] when the registry table does not exist
 * (it is never created here). Throws DatabaseError naming the registry when it cannot be read.
 */
export async function readRegistry(client: ClientBase, journal: JournalNames): Promise<RegisteredTable[]> {
  return (await listRegistry(client, journal)).map(({ shown: _shown, exists: _exists, ...entry }) => entry);
}

/** {@link readRegistry} with each table's name as shown from this session and whether it exists. */
export async function listRegistry(client: ClientBase, journal: JournalNames): Promise<ListedTable[]> {
  const registry = registryOf(journal);
  let rows: RegistryRow[];
  try {
    const { rows: found } = await client.query<{ exists: boolean }>('SELECT pg_catalog.to_regclass($1) IS NOT NULL AS exists', [
      registry.quoted,
    ]);
    if (!found[0]?.exists) return [];
    rows = (await client.query<RegistryRow>(selectRegistrySql(registry))).rows;
  } catch (error) {
    // Dropped by an unregister that committed between the two reads: nothing is registered.
    if (pgErrorOf(error)?.code === '42P01') return [];
    throw registryError(registry, 'cannot read', error);
  }
  return rows.map(({ shown, ...entry }) => ({ ...entry, shown: shown ?? displayName(entry.schema, entry.table), exists: shown !== null }));
}

/** What `partitions register` did. */
export interface Registration {
  entry: RegisteredTable;
  /** `registered` (new), `updated` (settings changed), `unchanged`. */
  outcome: 'registered' | 'updated' | 'unchanged';
  /** For `updated`: one phrase per setting changed, e.g. `ahead 3 → 7`. */
  changes: string[];
  /** The registry table, for messages. */
  registry: string;
}

interface CheckRow {
  schema: string | null;
  relname: string | null;
  key_column: string | null;
  problem: string | null;
}

/**
 * Registers `table` (or replaces its settings) after checking it exists and is RANGE-partitioned
 * on one timestamp column (`settings.column`, when given); one transaction. Call under the
 * runner lock. A table upkeep cannot manage is a UsageError (exit 2) naming it.
 */
export async function registerTable(
  client: ClientBase,
  journal: JournalNames,
  table: TableName,
  settings: RegistrationSettings,
): Promise<Registration> {
  const registry = registryOf(journal);
  return inTransaction(client, registry, 'cannot write', async () => {
    const [checked] = (await client.query<CheckRow>(checkTableSql(table, settings.column))).rows;
    if (!checked || checked.problem !== null || checked.schema === null || checked.relname === null || checked.key_column === null) {
      throw new UsageError(checked?.problem ?? `${table.display}: cannot read its partition key`);
    }
    const entry: RegisteredTable = {
      schema: checked.schema,
      table: checked.relname,
      column: checked.key_column,
      interval: settings.interval,
      ahead: settings.ahead,
      retain: settings.retain,
      retainMode: settings.retainMode,
    };
    const before = await readOne(client, registry, entry.schema, entry.table);
    await client.query(registerSql(registry, entry, settings));
    const changes = before ? settingChanges(before, entry) : [];
    const outcome = !before ? 'registered' : changes.length > 0 ? 'updated' : 'unchanged';
    return { entry, outcome, changes, registry: registry.display };
  });
}

async function readOne(client: ClientBase, registry: RegistryTable, schema: string, table: string): Promise<RegisteredTable | undefined> {
  const { rows } = await client.query<{ exists: boolean }>('SELECT pg_catalog.to_regclass($1) IS NOT NULL AS exists', [registry.quoted]);
  if (!rows[0]?.exists) return undefined;
  const [row] = (await client.query<Omit<RegisteredTable, 'schema' | 'table'>>(selectOneSql(registry, schema, table))).rows;
  return row ? { schema, table, ...row } : undefined;
}

/**
 * Removes `table` from the registry (the registry table goes with its last row); one
 * transaction, under the runner lock. An unqualified name is the registration of that name in
 * the first schema of search_path that has one, else the only one of that name: the table
 * itself may be gone. Not registered: UsageError (exit 2) naming the tables that are.
 */
export async function unregisterTable(client: ClientBase, journal: JournalNames, table: TableName): Promise<RegisteredTable> {
  const registry = registryOf(journal);
  return inTransaction(client, registry, 'cannot write', async () => {
    const key = await resolveRegistered(client, journal, table);
    const entry = (await readOne(client, registry, key.schema, key.table)) as RegisteredTable;
    await client.query(unregisterSql(registry, key.schema, key.table));
    return entry;
  });
}

/** The registration `table` names, or the UsageError saying why there is none. */
async function resolveRegistered(client: ClientBase, journal: JournalNames, table: TableName): Promise<{ schema: string; table: string }> {
  const registered = await listRegistry(client, journal);
  const found = await findRegistration(client, journal, registered, table);
  if (found) return found;
  const names = registered.map((entry) => entry.shown);
  const known = names.length === 0 ? 'no table is registered' : `registered: ${names.join(', ')}`;
  throw new UsageError(`${table.display} is not registered for partition upkeep (${known})`);
}

/**
 * The registration among `registered` that `table` names: a qualified name exactly; an
 * unqualified one in the first schema of search_path that has one, else the only one of that
 * name — the table itself may be gone. Undefined when there is none; UsageError when the name
 * is ambiguous.
 */
export async function findRegistration(
  client: ClientBase,
  journal: JournalNames,
  registered: readonly RegisteredTable[],
  table: TableName,
): Promise<{ schema: string; table: string } | undefined> {
  if (table.schema !== undefined) {
    return registered.some((entry) => entry.schema === table.schema && entry.table === table.table)
      ? { schema: table.schema, table: table.table }
      : undefined;
  }
  if (registered.length === 0) return undefined;
  const { rows } = await client.query<{ schema: string; table: string; position: number | null }>(
    candidatesSql(registryOf(journal), table.table),
  );
  const [first] = rows;
  if (!first) return undefined;
  if (first.position === null && rows.length > 1) {
    const names = rows.map((row) => displayName(row.schema, row.table)).join(', ');
    throw new UsageError(`${table.display} is registered in several schemas, none on search_path (${names}): name the schema`);
  }
  return { schema: first.schema, table: first.table };
}

/** Runs `work` in a transaction; PostgreSQL errors other than ours become DatabaseError naming the registry. */
async function inTransaction<T>(client: ClientBase, registry: RegistryTable, what: string, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error instanceof UsageError ? error : registryError(registry, what, error);
  }
}

function registryError(registry: RegistryTable, what: string, error: unknown): unknown {
  const pgError = pgErrorOf(error);
  if (!pgError) return error;
  return Object.assign(new DatabaseError(`${what} the partition registry ${registry.display}: ${pgError.message}`, pgError.code), {
    cause: error,
  });
}

/**
 * The table of a registration as a user types it back: `schema.table`, parts quoted where needed.
 */
export function qualifiedName(entry: Pick<RegisteredTable, 'schema' | 'table'>): string {
  return displayName(entry.schema, entry.table);
}
