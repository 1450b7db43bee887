import type pg from 'pg';
import { readRecordedEnvironment, type RecordedEnvironment } from '../journal/metadata.js';
import type { Journal } from '../journal/journal.js';
import { currentEnvironment, environmentVariable, isDevelopmentEnvironment } from '../environment.js';
import { UsageError } from '../errors.js';

/**
 * The production guard of `seed` and `reset`: both the environment the command runs under and
 * the one the database recorded when it was last migrated must be development ones (unset,
 * development, dev, test, local). Only `allowProduction` (`--allow-production`) overrides it;
 * `--force` only answers reset's confirmation question.
 */

/** What the command is and why it is dev-only, for the refusal. */
export interface GuardedCommand {
  command: string;
  why: string;
  allowProduction: boolean | undefined;
}

const ONLY = 'only development, dev, test, local or an unset environment run without it';

/**
 * Refuses (exit 2) under a current environment that is not a development one. Checked before
 * anything connects.
 */
export function assertDevelopmentEnvironment(env: Readonly<Record<string, string | undefined>>, guarded: GuardedCommand): void {
  const current = currentEnvironment(env);
  if (guarded.allowProduction || isDevelopmentEnvironment(current)) return;
  throw new UsageError(
    `refusing to ${guarded.command} with ${environmentVariable(env)}=${current} (${guarded.why}; ${ONLY}): pass --allow-production if you really mean it`,
  );
}

/**
 * Refuses (exit 2) on a database whose last `up` ran under an environment that is not a
 * development one, whatever the current shell says. Pure: the record is read by the caller.
 */
function assertRecordedDevelopment(recorded: RecordedEnvironment | undefined, guarded: GuardedCommand): void {
  if (guarded.allowProduction || !recorded || isDevelopmentEnvironment(recorded.value)) return;
  throw new UsageError(
    `refusing to ${guarded.command}: this database was last migrated with ${recorded.variable}=${recorded.value} (recorded in ${recorded.table}; ${guarded.why}; ${ONLY}): pass --allow-production if you really mean it`,
  );
}

/**
 * Reads the database's recorded environment and refuses as {@link assertRecordedDevelopment}.
 * Call under the runner lock, before anything changes.
 */
export async function assertDatabaseEnvironment(client: pg.ClientBase, journal: Journal, guarded: GuardedCommand): Promise<void> {
  if (guarded.allowProduction) return;
  assertRecordedDevelopment(await readRecordedEnvironment(client, journal), guarded);
}
