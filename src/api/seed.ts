import { DEFAULT_SEEDS_DIR } from '../config.js';
import { loadSeeds } from '../migrations/seeds.js';
import { assertDevelopmentEnvironment } from './guards.js';
import type { CommonOptions } from './options.js';
import { runAll } from './run.js';
import { withSession } from './scope.js';

/** Options of {@link seed}. */
export interface SeedOptions extends CommonOptions {
  /** Seeds directory (default ./seeds). */
  seedsDir?: string | undefined;
  /** Run outside a development environment (NODE_ENV not unset/development/dev/test/local). */
  force?: boolean | undefined;
}

/**
 * Runs `seeds/*.sql` in name order, each in its own transaction, under the runner lock, through
 * the same runner as migrations (failures name the file, line and column). Refuses unless
 * NODE_ENV is unset or development, dev, test, local (any case), or `force`.
 *
 * @example
 * await seed({ databaseUrl, seedsDir: 'seeds' });
 */
export async function seed(options: SeedOptions = {}): Promise<{ ran: { fileName: string; executionMs: number }[] }> {
  const env = options.env ?? process.env;
  assertDevelopmentEnvironment(env, options.force, 'seed', 'seeds are dev data');
  const seeds = loadSeeds(options.seedsDir ?? env.AETURNIS_SEEDS_DIR ?? DEFAULT_SEEDS_DIR);
  return withSession(
    options,
    async (scope) => {
      const ran = await runAll(scope, seeds, options, { direction: 'up', unrecorded: true });
      return { ran: ran.map(({ fileName, executionMs }) => ({ fileName, executionMs })) };
    },
    { createJournal: false },
  );
}
