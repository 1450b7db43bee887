import type pg from 'pg';
import { quoteIdentifier } from '../identifiers.js';
import { readJournal, type Journal } from '../journal/journal.js';
import type { Migration } from '../migrations/parse.js';
import { computeStatus, findProblems, type MigrationStatus } from '../migrations/status.js';
import { describePartitions } from '../partitions/catalog.js';
import { describeSettings } from '../partitions/registration.js';
import { listRegistry, type ListedTable, type RegisteredTable } from '../partitions/registry.js';
import type { PartitionDescription } from '../partitions/types.js';
import { absentEmbeddedDatabase } from './embedded-state.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { resolveCommandConnection, withSession } from './scope.js';

export type { MigrationStatus, PartitionDescription, RegisteredTable };

/** Result of {@link status}. */
export interface StatusResult {
  migrations: MigrationStatus[];
  /** Problems `validate` would report. */
  problems: string[];
  /** The tables registered for partition upkeep, sorted by schema and table, each described. */
  partitionTables: PartitionTableStatus[];
}

/** A table registered for partition upkeep, as `status` describes it. */
export interface PartitionTableStatus {
  registration: RegisteredTable;
  /** The table as PostgreSQL names it from this session: schema-qualified unless on search_path. */
  name: string;
  /** Its partitions (`exists: false` for a registered table that is not there). */
  description: PartitionDescription;
  /** One line, e.g. `audit_log (monthly, ahead 3): 4 partitions, 2026-12..2027-03`. */
  summary: string;
}

/**
 * One row per known migration (applied, pending, modified, missing, partial), read-only: takes
 * no lock and creates nothing (with nothing configured and no embedded database yet, every
 * migration is pending and no database is created).
 *
 * @example
 * const { migrations } = await status({ databaseUrl });
 * const pending = migrations.filter((m) => m.state === 'pending');
 */
export async function status(options: CommonOptions = {}): Promise<StatusResult> {
  const connection = resolveCommandConnection(options);
  const absent = await absentEmbeddedDatabase(options, connection);
  if (absent !== undefined) {
    // Nothing configured and no embedded database yet: nothing is applied, and nothing is created.
    options.onEvent?.({ type: 'no-embedded-database', dir: absent });
    const statusRows = computeStatus(commandMigrations(options), []);
    return { migrations: statusRows, problems: findProblems(statusRows), partitionTables: [] };
  }
  let migrations: Migration[] = [];
  const whileConnecting = (): void => {
    migrations = commandMigrations(options);
  };
  return withSession(
    options,
    async ({ session, journal }) => {
      const { rows, partial } = await readJournal(session.client, journal);
      const statusRows = computeStatus(migrations, rows, partial);
      const partitionTables = await describeRegistered(session.client, journal);
      return { migrations: statusRows, problems: findProblems(statusRows), partitionTables };
    },
    undefined,
    { whileConnecting, connection },
  );
}

/** Each registered table with its partitions, read without changing anything (the registry is never created here). */
async function describeRegistered(client: pg.ClientBase, journal: Journal): Promise<PartitionTableStatus[]> {
  const described: PartitionTableStatus[] = [];
  for (const entry of await listRegistry(client, journal)) {
    const description = await describePartitions(
      client,
      `${quoteIdentifier(entry.schema)}.${quoteIdentifier(entry.table)}`,
      entry.interval,
    );
    const { shown: _shown, exists: _exists, ...registration } = entry;
    described.push({ registration, name: entry.shown, description, summary: partitionSummary(entry, description) });
  }
  return described;
}

/**
 * `audit_log (monthly, ahead 3): 4 partitions, 2026-12..2027-03`: the registration, then the
 * description without its own leading table name.
 */
function partitionSummary(entry: ListedTable, description: PartitionDescription): string {
  const head = `${entry.shown} (${describeSettings(entry)})`;
  if (!description.exists) return `${head}: registered, but the table does not exist`;
  const own = `${entry.table}: `;
  return `${head}: ${description.summary.startsWith(own) ? description.summary.slice(own.length) : description.summary}`;
}

/** Result of {@link validate}. */
export interface ValidateResult {
  ok: boolean;
  problems: string[];
}

/**
 * Checks every applied migration still has its file with the same checksum, no pending
 * migration is older than the newest applied one, and nothing is partially applied. Read-only.
 *
 * @example
 * const { ok, problems } = await validate({ databaseUrl });
 * if (!ok) throw new Error(problems.join('\n'));
 */
export async function validate(options: CommonOptions = {}): Promise<ValidateResult> {
  const migrations = commandMigrations(options);
  const connection = resolveCommandConnection(options);
  const absent = await absentEmbeddedDatabase(options, connection);
  if (absent !== undefined) {
    options.onEvent?.({ type: 'no-embedded-database', dir: absent });
    const problems = findProblems(computeStatus(migrations, []));
    return { ok: problems.length === 0, problems };
  }
  return withSession(
    options,
    async ({ session, journal }) => {
      const { rows, partial } = await readJournal(session.client, journal);
      const problems = findProblems(computeStatus(migrations, rows, partial));
      return { ok: problems.length === 0, problems };
    },
    undefined,
    { connection },
  );
}
