import { DEFAULT_PARTITIONED_TABLE } from '../config.js';
import { readJournal } from '../db/journal.js';
import type { Migration } from '../migrations/parse.js';
import { computeStatus, findProblems, type MigrationStatus } from '../migrations/status.js';
import { describePartitions } from '../partitions/describe.js';
import type { PartitionDescription } from '../partitions/types.js';
import { absentEmbeddedDatabase } from './embedded-state.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { withSession } from './scope.js';

export type { MigrationStatus, PartitionDescription };

/** Result of {@link status}. */
export interface StatusResult {
  migrations: MigrationStatus[];
  /** Problems `validate` would report. */
  problems: string[];
  /** Partition summary of audit_log (undefined when it does not exist). */
  partitions: PartitionDescription | undefined;
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
export async function status(options: CommonOptions & { partitionTable?: string } = {}): Promise<StatusResult> {
  const absent = await absentEmbeddedDatabase(options);
  if (absent !== undefined) {
    // Nothing configured and no embedded database yet: nothing is applied, and nothing is created.
    options.onEvent?.({ type: 'no-embedded-database', dir: absent });
    const statusRows = computeStatus(commandMigrations(options), []);
    return { migrations: statusRows, problems: findProblems(statusRows), partitions: undefined };
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
      const summary = await describePartitions(session.client, options.partitionTable ?? DEFAULT_PARTITIONED_TABLE);
      return { migrations: statusRows, problems: findProblems(statusRows), partitions: summary.exists ? summary : undefined };
    },
    undefined,
    { whileConnecting },
  );
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
  const absent = await absentEmbeddedDatabase(options);
  if (absent !== undefined) {
    options.onEvent?.({ type: 'no-embedded-database', dir: absent });
    const problems = findProblems(computeStatus(migrations, []));
    return { ok: problems.length === 0, problems };
  }
  return withSession(options, async ({ session, journal }) => {
    const { rows, partial } = await readJournal(session.client, journal);
    const problems = findProblems(computeStatus(migrations, rows, partial));
    return { ok: problems.length === 0, problems };
  });
}
