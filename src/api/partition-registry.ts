import {
  listRegistry,
  qualifiedName,
  registerTable,
  unregisterTable,
  type ListedTable,
  type RegisteredTable,
  type Registration,
} from '../partitions/registry.js';
import { parseRegisteredTable, parseRegistrationFlags, type RegistrationInput } from '../partitions/registration.js';
import { absentEmbeddedDatabase } from './embedded-state.js';
import type { CommonOptions } from './options.js';
import { resolveCommandConnection, withSession } from './scope.js';

export type { ListedTable, RegisteredTable, Registration };
export { describeSettings } from '../partitions/registration.js';
export { qualifiedName };
export type { PartitionInterval } from '../partitions/periods.js';
export type { RetainMode } from '../partitions/registration.js';

/**
 * The partition registry: which tables partition upkeep maintains, kept in the database
 * (`<journal>_partitions`, next to the journal). Register and unregister hold the runner lock;
 * listing is read-only and creates nothing.
 */

/** Options of {@link registerPartitionTable}: the table and its settings (`partitions register`'s flags). */
export interface RegisterPartitionTableOptions extends CommonOptions, RegistrationInput {
  /** The partitioned table, optionally schema-qualified, resolved like SQL resolves it. */
  partitionTable: string;
}

/**
 * Registers a table for partition upkeep, or replaces the settings of one registered before
 * (what changed is in `changes`). The table must exist and be RANGE-partitioned on one
 * timestamptz, timestamp or date column (`column`, when given); otherwise UsageError (exit 2)
 * naming it. Settings not given take their defaults: monthly, ahead 3, nothing removed.
 *
 * @example
 * const { outcome, entry } = await registerPartitionTable({ databaseUrl, partitionTable: 'events', interval: 'day', ahead: 7, retain: 30 });
 */
export async function registerPartitionTable(options: RegisterPartitionTableOptions): Promise<Registration> {
  const table = parseRegisteredTable(options.partitionTable);
  const settings = parseRegistrationFlags(options);
  return withSession(options, ({ session, journal }) => registerTable(session.client, journal, table, settings), {});
}

/** Options of {@link unregisterPartitionTable}. */
export interface UnregisterPartitionTableOptions extends CommonOptions {
  /** The registered table; unqualified: the one of that name in the first schema of search_path that has one. */
  partitionTable: string;
}

/**
 * Removes a table from the registry: upkeep leaves it alone from then on (its partitions stay).
 * A table that is not registered is UsageError (exit 2) naming the ones that are.
 *
 * @example
 * const removed = await unregisterPartitionTable({ databaseUrl, partitionTable: 'events' });
 */
export async function unregisterPartitionTable(options: UnregisterPartitionTableOptions): Promise<RegisteredTable> {
  const table = parseRegisteredTable(options.partitionTable);
  return withSession(options, ({ session, journal }) => unregisterTable(session.client, journal, table), { createJournal: false });
}

/**
 * The registered tables, sorted by schema and table, each with its name as seen from this
 * session and whether it exists. Read-only: takes no lock, creates nothing.
 *
 * @example
 * for (const entry of await listPartitionTables({ databaseUrl })) console.log(entry.shown, entry.interval);
 */
export async function listPartitionTables(options: CommonOptions = {}): Promise<ListedTable[]> {
  const connection = resolveCommandConnection(options);
  const absent = await absentEmbeddedDatabase(options, connection);
  if (absent !== undefined) {
    // Nothing configured and no embedded database yet: nothing is registered, and nothing is created.
    options.onEvent?.({ type: 'no-embedded-database', dir: absent });
    return [];
  }
  return withSession(options, ({ session, journal }) => listRegistry(session.client, journal), undefined, { connection });
}
