import { seedsDirSetting } from '../settings.js';
import { loadSeeds } from '../migrations/seeds.js';
import { assertDatabaseEnvironment, assertDevelopmentEnvironment, type GuardedCommand } from './guards.js';
import type { CommonOptions } from './options.js';
import { runAll } from './run.js';
import { withSession } from './scope.js';

/** Options of {@link seed}. */
export interface SeedOptions extends CommonOptions {
  /** Seeds directory (default ./seeds). */
  seedsDir?: string | undefined;
  /**
   * Run although the environment (AETURNIS_ENV, else NODE_ENV), or the one the database recorded
   * when it was last migrated, is not a development one (`--allow-production`).
   */
  allowProduction?: boolean | undefined;
}

/**
 * Runs `seeds/*.sql` in name order, each in its own transaction, under the runner lock, through
 * the same runner as migrations (failures name the file, line and column). Refuses (exit 2)
 * unless both the current environment and the one the database recorded at its last `up` are
 * unset or development, dev, test, local (any case), or `allowProduction`.
 *
 * @example
 * await seed({ databaseUrl, seedsDir: 'seeds' });
 */
export async function seed(options: SeedOptions = {}): Promise<{ ran: { fileName: string; executionMs: number }[] }> {
  const env = options.env ?? process.env;
  const guarded: GuardedCommand = { command: 'seed', why: 'seeds are dev data', allowProduction: options.allowProduction };
  assertDevelopmentEnvironment(env, guarded);
  const seeds = loadSeeds(seedsDirSetting(options.seedsDir, env));
  return withSession(
    options,
    async (scope) => {
      await assertDatabaseEnvironment(scope.session.client, scope.journal, guarded);
      const ran = await runAll(scope, seeds, options, { direction: 'up', unrecorded: true });
      return { ran: ran.map(({ fileName, executionMs }) => ({ fileName, executionMs })) };
    },
    { createJournal: false },
  );
}
