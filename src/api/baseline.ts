import { baselineJournal, baselineMigrations } from '../adopt/baseline.js';
import { inTransaction } from '../adopt/transaction.js';
import { UsageError } from '../errors.js';
import type { PlannedMigration } from './events.js';
import { commandMigrations, migrationsDir, type CommonOptions } from './options.js';
import { withSession } from './scope.js';

/** Options of {@link baseline}. */
export interface BaselineOptions extends CommonOptions {
  /** Every local migration up to and including this version is recorded; a local file must have it. */
  version: number;
  /** Check everything, record nothing. */
  dryRun?: boolean | undefined;
}

/** Result of {@link baseline}. */
export interface BaselineResult {
  dryRun: boolean;
  /** aeturnis-db's journal (`schema.table`). */
  journal: string;
  /** Recorded as applied (on a dry run: would be), without running them. */
  recorded: PlannedMigration[];
  /** What `up` applies next. */
  pending: PlannedMigration[];
}

/**
 * For a database built without any tool (restored from a dump, made by hand): records every
 * local migration up to `version` as applied without running it, in one transaction under the
 * runner lock. Rejects with `ValidationError` (exit 3) when the journal already has rows, with
 * `UsageError` (exit 2) when no local file has `version`.
 *
 * @example
 * const { recorded } = await baseline({ databaseUrl, version: 12 });
 */
export async function baseline(options: BaselineOptions): Promise<BaselineResult> {
  const { version } = options;
  if (!Number.isSafeInteger(version) || version < 1)
    throw new UsageError(`baseline VERSION must be a whole number of at least 1 (got ${version})`);
  const dir = migrationsDir(options);
  const migrations = commandMigrations(options);
  const recorded = baselineMigrations(migrations, version, dir);
  const dryRun = options.dryRun ?? false;
  return withSession(
    options,
    async ({ session, journal }) => {
      await inTransaction(session.client, dryRun, () => baselineJournal(session.client, journal, recorded, dryRun));
      const planned = ({ version: v, name, fileName }: PlannedMigration): PlannedMigration => ({ version: v, name, fileName });
      return {
        dryRun,
        journal: journal.display,
        recorded: recorded.map(planned),
        pending: migrations.filter((m) => m.version > version).map(planned),
      };
    },
    dryRun ? undefined : {},
  );
}
