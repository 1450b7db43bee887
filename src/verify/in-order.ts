import { InterruptedError, MigrationSqlError, signalOf } from '../errors.js';
import { partialRunOf, type Direction } from '../run/errors.js';
import { runMigration } from '../run/runner.js';
import { FRESH_SESSION } from '../run/context.js';
import type { Migration } from '../migrations/parse.js';
import type { VerifyEmit } from './events.js';
import { leftHalfApplied, roundTrip, type RoundTrip, type RoundTripSteps, type VerifiedMigration } from './round-trip.js';
import type { ScratchDatabase } from './scratch-database.js';
import { withSetupHint } from './scratch-setup.js';
import { takeSnapshot, type SchemaSnapshot } from './snapshot.js';

/** What verifying the migrations in order needs. */
export interface VerifyInOrderOptions {
  emit: VerifyEmit;
  signal: AbortSignal | undefined;
  /** Only verify migrations newer than this; older ones are just applied. */
  from: number | undefined;
  keepGoing: boolean;
  /** A --scratch-setup file was given (an UP failing on a missing schema or role says what to do). */
  setupGiven: boolean;
}

/**
 * Verifies `migrations` in order on the scratch database: each one through a round trip (UP,
 * DOWN, compare, UP again), those up to `from` only applied.
 */
export async function verifyMigrations(
  migrations: readonly Migration[],
  scratch: ScratchDatabase,
  options: VerifyInOrderOptions,
): Promise<VerifiedMigration[]> {
  const emit = sayingWarningsOnce(options.emit);
  const run = (migration: Migration, direction: Direction, step: string): Promise<MigrationSqlError | undefined> =>
    runStep(scratch, { emit, signal: options.signal, setupGiven: options.setupGiven }, migration, direction, step);
  return verifyInOrder(migrations, { scratch, run, emit, from: options.from, keepGoing: options.keepGoing });
}

/**
 * A migration runs several times in one verify (UP, UP again, every rebuild): a warning about
 * its file ("ran COMMIT itself") is the same each time, so it is said once.
 */
function sayingWarningsOnce(emit: VerifyEmit): VerifyEmit {
  const said = new Set<string>();
  return (event) => {
    if (event.type === 'warning') {
      if (said.has(event.message)) return;
      said.add(event.message);
    }
    emit(event);
  };
}

interface VerifyRun {
  scratch: ScratchDatabase;
  run: RoundTripSteps['run'];
  emit: VerifyEmit;
  from: number | undefined;
  keepGoing: boolean;
}

/**
 * Every migration in order: baseline ones (up to `from`) only applied, the others through a
 * round trip. Keeps the list of UPs the scratch state is built from, to rebuild it after a
 * failure that left it in another state (keepGoing); without keepGoing such a failure ends the run.
 */
async function verifyInOrder(migrations: readonly Migration[], context: VerifyRun): Promise<VerifiedMigration[]> {
  const { scratch, run, emit, keepGoing } = context;
  const steps: RoundTripSteps = { run, snapshot: () => takeSnapshot(sessionOf(scratch).client), keepGoing };
  const results: VerifiedMigration[] = [];
  const built: Migration[] = [];
  let state: SchemaSnapshot | undefined;
  for (const migration of migrations) {
    const step =
      context.from !== undefined && migration.version <= context.from
        ? await applyBaseline(steps, migration, emit)
        : await roundTrip(steps, migration, state ?? (await steps.snapshot()));
    if (step.result) {
      results.push(step.result);
      emit({ type: 'verify-result', result: step.result });
    }
    if (step.applied) built.push(migration);
    state = step.state;
    if (step.rebuild) {
      // Without keepGoing only a mismatch gets here (an SQL failure was thrown): the scratch
      // database is rebuilt when it can be, so the next migration is judged on a known state.
      if (!keepGoing && !scratch.resettable) {
        emit({ type: 'verify-stopped', fileName: migration.fileName, database: scratch.name });
        break;
      }
      await rebuild(scratch, built, run, emit);
    }
  }
  return results;
}

/** A migration before `from`: UP only, no result unless it fails (keepGoing). */
async function applyBaseline(
  steps: RoundTripSteps,
  migration: Migration,
  emit: VerifyEmit,
): Promise<Omit<RoundTrip, 'result'> & { result?: VerifiedMigration }> {
  const started = performance.now();
  const failure = await steps.run(migration, 'up', 'UP');
  if (!failure) {
    emit({ type: 'verify-baseline', fileName: migration.fileName });
    return { applied: true, state: undefined, rebuild: false };
  }
  if (!steps.keepGoing) throw failure;
  const { version, name, fileName } = migration;
  const result: VerifiedMigration = {
    version,
    name,
    fileName,
    outcome: 'failed',
    problems: [failure.message],
    elapsedMs: performance.now() - started,
  };
  return { result, applied: false, state: undefined, rebuild: leftHalfApplied(migration, failure) };
}

/** Empties the scratch database and applies the UPs its state was built from, in order. */
async function rebuild(scratch: ScratchDatabase, built: readonly Migration[], run: RoundTripSteps['run'], emit: VerifyEmit): Promise<void> {
  emit({ type: 'verify-rebuild', database: scratch.name, upTo: built.at(-1)?.fileName, migrations: built.length });
  await scratch.reset();
  for (const migration of built) {
    const failure = await run(migration, 'up', 'UP (rebuilding the scratch database)');
    if (failure) throw failure;
  }
}

/** Runs one section on the scratch database; an SQL failure is returned, naming the step. */
async function runStep(
  scratch: ScratchDatabase,
  context: { emit: VerifyEmit; signal: AbortSignal | undefined; setupGiven: boolean },
  migration: Migration,
  direction: Direction,
  step: string,
): Promise<MigrationSqlError | undefined> {
  const { signal, emit } = context;
  if (signal?.aborted) throw new InterruptedError(signalOf(signal));
  try {
    const journal = scratch.journal;
    if (!journal) throw new Error(`scratch database ${scratch.name} has no journal table`);
    const warn = (message: string): void => emit({ type: 'warning', message });
    await runMigration({ client: sessionOf(scratch).client, journal, baseline: FRESH_SESSION, warn }, migration, direction);
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError(signalOf(signal));
    if (!(error instanceof MigrationSqlError)) throw error;
    const partial = partialRunOf(error);
    const named = withStep(error, step);
    const explained = direction === 'up' ? withSetupHint(named, '--scratch-setup FILE', context.setupGiven) : named;
    return partial ? Object.assign(explained, partial) : explained;
  }
}

function sessionOf(scratch: ScratchDatabase): NonNullable<ScratchDatabase['session']> {
  if (!scratch.session) throw new Error(`scratch database ${scratch.name} has no open connection`);
  return scratch.session;
}

/** Says which step failed: "UP", "DOWN" or "UP run again after DOWN". */
function withStep(error: MigrationSqlError, step: string): MigrationSqlError {
  return new MigrationSqlError({
    file: error.file,
    location: error.location,
    sqlState: error.sqlState,
    pgMessage: `${step} failed: ${error.pgMessage}`,
    ...(error.detail !== undefined ? { detail: error.detail } : {}),
  });
}
