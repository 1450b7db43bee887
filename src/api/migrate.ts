import { UsageError } from '../errors.js';
import { recordEnvironment } from '../journal/metadata.js';
import type { Migration } from '../migrations/parse.js';
import { applyPending, assertPartitionStep, type ApplyResult, type PendingOptions } from './apply-pending.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { withSession, type CommandScope } from './scope.js';

export type { PartitionStep } from './apply-pending.js';

/** Result of {@link migrate}. */
export interface MigrateResult extends ApplyResult {
  /** With `dump`: the schema as `dumpSchema` writes it, read after the run, still under the runner lock. */
  dump?: string | undefined;
}

/** Options of {@link migrate}. */
export interface MigrateOptions extends CommonOptions, PendingOptions {
  /** Read the schema dump at the end of a successful run (also when nothing was pending); not with `dryRun`. */
  dump?: boolean | undefined;
}

/**
 * Applies every pending migration in order, each in its own transaction, under the runner
 * lock, after recording the environment it runs under in the database (`<journal>_metadata`);
 * then, as a step of its own, ensures the partitions of audit_log when that table is laid
 * out in months (`partitions: false` skips it).
 *
 * @example
 * import { migrate } from 'aeturnis-db';
 * const { applied } = await migrate({ databaseUrl: process.env.DATABASE_URL, dir: 'migrations' });
 * console.log(`applied ${applied.length} migrations`);
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  assertPartitionStep(options.partitions);
  if (options.dump && options.dryRun) throw new UsageError('--dump cannot be used with --dry-run: a dry run changes nothing to dump');
  let migrations: Migration[] = [];
  const work = async (scope: CommandScope): Promise<MigrateResult> => {
    // Before anything is applied, so a run that fails part way is remembered too (reset and seed read it).
    if (!options.dryRun) await recordEnvironment(scope.session.client, scope.journal, options.env ?? process.env);
    const result: MigrateResult = await applyPending(scope, migrations, options);
    if (options.dump) {
      const { readDump } = await import('./dump.js'); // loaded on use: plain `up` stays fast
      result.dump = (await readDump(scope.session.client, scope.journal)).sql;
    }
    return result;
  };
  return withSession(options, work, options.dryRun ? undefined : {}, {
    // Read, parsed and hashed while the server starts the connection's backend.
    whileConnecting: () => {
      migrations = commandMigrations(options);
    },
  });
}
