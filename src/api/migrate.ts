import type { Migration } from '../migrations/parse.js';
import { applyPending, assertPartitionStep, type ApplyResult, type PendingOptions } from './apply-pending.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { withSession } from './scope.js';

export type { PartitionStep } from './apply-pending.js';

/** Result of {@link migrate}. */
export type MigrateResult = ApplyResult;

/** Options of {@link migrate}. */
export interface MigrateOptions extends CommonOptions, PendingOptions {}

/**
 * Applies every pending migration in order, each in its own transaction, under the runner
 * lock; then, as a step of its own, ensures the partitions of audit_log when that table is laid
 * out in months (`partitions: false` skips it).
 *
 * @example
 * import { migrate } from 'aeturnis-db';
 * const { applied } = await migrate({ databaseUrl: process.env.DATABASE_URL, dir: 'migrations' });
 * console.log(`applied ${applied.length} migrations`);
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  assertPartitionStep(options.partitions);
  let migrations: Migration[] = [];
  return withSession(options, (scope) => applyPending(scope, migrations, options), options.dryRun ? undefined : {}, {
    // Read, parsed and hashed while the server starts the connection's backend.
    whileConnecting: () => {
      migrations = commandMigrations(options);
    },
  });
}
