import { MigrationSqlError } from '../errors.js';
import type { TableName } from '../identifiers.js';
import { runMigration } from '../run/runner.js';
import type { SessionOptions } from '../connection/session.js';
import { FRESH_SESSION } from '../run/context.js';
import type { VerifyEmit } from '../verify/events.js';
import { openScratchDatabase, type ScratchDatabase } from '../verify/scratch-database.js';
import { readComparableSchema, type ComparableSchema } from './compare.js';
import { truncatedMigration, type BuildStep, type ExpectedSchema } from './history.js';

/** What building needs: the target's connection options (the scratch database goes next to it), or a scratch URL. */
interface BuildOptions extends SessionOptions {
  scratchUrl?: string | undefined;
  journal: TableName;
}

/** A built schema, and its scratch database being dropped meanwhile (never rejects). */
interface BuiltSchema {
  schema: ExpectedSchema;
  /** Dropping a database waits for a checkpoint (seconds on a busy server): the comparison need not wait for it. */
  closed: Promise<void>;
}

/**
 * Builds the expected schema on a scratch database (verify's code, in drift's name: an
 * `aeturnis_drift_*` created next to the target and always dropped, or the empty one given):
 * each step with its file's transaction semantics, in one session, no lock and no lock retries
 * (nobody else uses it), no partition upkeep, no seeds. Resolves once the schema is read; the
 * caller awaits `closed` before it returns.
 */
export async function buildExpectedSchema(options: BuildOptions, steps: readonly BuildStep[], emit: VerifyEmit): Promise<BuiltSchema> {
  const started = performance.now();
  const quiet: VerifyEmit = (event) => {
    if (event.type === 'verify-cleanup-failed')
      emit({ type: 'warning', message: `could not drop scratch database ${event.database}: ${event.reason}` });
    else if (event.type !== 'verify-scratch') emit(event);
  };
  const scratch = await openScratchDatabase({ ...options, resettable: false, command: 'drift' }, quiet);
  const onAbort = (): void => void scratch.session?.cancelRunningQuery();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let built: ComparableSchema;
  try {
    built = await buildOn(scratch, steps, emit, options.signal);
  } catch (error) {
    await scratch.close();
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  const schema = { ...built, database: scratch.name, steps: steps.length, ms: performance.now() - started };
  return { schema, closed: scratch.close() };
}

/** Runs the steps on the open scratch database and reads what they built. */
async function buildOn(
  scratch: ScratchDatabase,
  steps: readonly BuildStep[],
  emit: VerifyEmit,
  signal: AbortSignal | undefined,
): Promise<ComparableSchema> {
  const session = scratch.session;
  const journal = scratch.journal;
  if (!session || !journal) throw new Error(`scratch database ${scratch.name} is not open`);
  const warn = (message: string): void => emit({ type: 'warning', message });
  const context = { client: session.client, journal, baseline: FRESH_SESSION, warn, signal };
  for (const step of steps) {
    const migration = step.statements === undefined ? step.migration : truncatedMigration(step.migration, step.direction, step.statements);
    try {
      await runMigration(context, migration, step.direction);
    } catch (error) {
      throw onScratch(error, scratch.name);
    }
  }
  return readComparableSchema(session.client, journal);
}

/** An SQL failure while rebuilding says where it happened: on the scratch database, not the target. */
function onScratch(error: unknown, database: string): unknown {
  if (!(error instanceof MigrationSqlError)) return error;
  return new MigrationSqlError({
    file: error.file,
    location: error.location,
    sqlState: error.sqlState,
    pgMessage: `failed on scratch database ${database} while building what the applied migrations give: ${error.pgMessage}`,
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
  });
}
