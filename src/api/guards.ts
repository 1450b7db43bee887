import { UsageError } from '../errors.js';

/**
 * The environments `seed` and `reset` run in without `--force`: NODE_ENV unset or a development
 * name, in any case. Anything else (production, staging, prod, ...) could be a real database.
 */
const DEVELOPMENT_ENVIRONMENTS = new Set(['development', 'dev', 'test', 'local']);

/**
 * Refuses (exit 2) to run dev-only work outside a development environment unless forced.
 *
 * @example
 * assertDevelopmentEnvironment({ NODE_ENV: 'Production' }, false, 'seed', 'seeds are dev data') // throws UsageError
 */
export function assertDevelopmentEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  force: boolean | undefined,
  command: string,
  why: string,
): void {
  const nodeEnv = env.NODE_ENV;
  if (force || nodeEnv === undefined || nodeEnv === '' || DEVELOPMENT_ENVIRONMENTS.has(nodeEnv.trim().toLowerCase())) return;
  throw new UsageError(
    `refusing to ${command} with NODE_ENV=${nodeEnv} (${why}; only development, dev, test, local or no NODE_ENV run without it): pass --force if you really mean it`,
  );
}
