import { InterruptedError, MigrationSqlError, UsageError } from '../errors.js';
import { partialRunOf } from '../db/run-errors.js';
import { runMigration, type Direction } from '../db/runner.js';
import { FRESH_SESSION } from '../db/session-state.js';
import { loadMigrations } from '../migrations/discover.js';
import type { Migration } from '../migrations/parse.js';
import { journalTable, migrationsDir, type CommonOptions, type MigratorEvent } from '../migrator.js';
import { leftHalfApplied, roundTrip, type RoundTrip, type RoundTripSteps, type VerifiedMigration } from './round-trip.js';
import { openScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { takeSnapshot, type SchemaSnapshot } from './snapshot.js';

export type { VerifiedMigration } from './round-trip.js';

/** Progress of {@link verify}. */
export type VerifyEvent =
  | { type: 'verify-scratch'; database: string; created: boolean }
  | { type: 'verify-baseline'; fileName: string }
  | { type: 'verify-result'; result: VerifiedMigration }
  /** keepGoing: the scratch database is emptied and `migrations` UPs re-applied, the last being `upTo`. */
  | { type: 'verify-rebuild'; database: string; upTo: string | undefined; migrations: number }
  | { type: 'verify-cleanup-failed'; database: string; reason: string };

/** Options of {@link verify}. */
export interface VerifyOptions extends CommonOptions {
  /** An empty database verify may change; by default one is created next to the target and dropped afterwards. */
  scratchUrl?: string | undefined;
  /** Only verify migrations with a version greater than this (older ones are just applied). */
  from?: number | undefined;
  /**
   * Report every problem in one run: a failed UP, DOWN or UP run again becomes that migration's
   * result (outcome `failed`) instead of an error, and the scratch database is rebuilt (emptied,
   * the migrations before re-applied, UP only) whenever its state is no longer what the next
   * migration expects.
   */
  keepGoing?: boolean | undefined;
}

/** Result of {@link verify}. */
export interface VerifyResult {
  /** true when every round trip held. */
  ok: boolean;
  migrations: VerifiedMigration[];
  /** Name of the scratch database used (created and dropped unless scratchUrl was given). */
  scratchDatabase: string;
}

/**
 * Proves every DOWN undoes its UP: on a scratch database, for each migration in order, snapshot
 * the schema, apply UP, snapshot, apply DOWN, compare with the snapshot before UP, then apply UP
 * again (UP must be re-runnable after its DOWN). The scratch database is created next to the
 * target and dropped afterwards, also after a failure or an abort.
 *
 * Resolves with `ok: false` and the problems when a round trip does not hold; throws
 * {@link MigrationSqlError} when an UP or DOWN fails (naming the file, line and step), unless
 * `keepGoing` is set: then every problem, SQL failures included, is in the result.
 *
 * @example
 * const { ok, migrations } = await verify({ databaseUrl: process.env.DATABASE_URL, from: 12, keepGoing: true });
 * for (const m of migrations) for (const p of m.problems) console.log(`${m.name}: ${p}`);
 */
export async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  const migrations = loadMigrations(migrationsDir(options));
  const journal = journalTable(options);
  const emit = options.onEvent ?? (() => {});
  if (options.from !== undefined && options.from !== 0 && !migrations.some((m) => m.version === options.from)) {
    throw new UsageError(`--from ${options.from}: no migration has version ${options.from}`);
  }
  if (options.signal?.aborted) throw new InterruptedError(signalName(options.signal));

  const scratch = await openScratchDatabase({ ...options, journal, resettable: options.keepGoing === true }, emit);
  const onAbort = (): void => void scratch.session?.cancelRunningQuery();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const run = (migration: Migration, direction: Direction, step: string): Promise<MigrationSqlError | undefined> =>
      runStep(scratch, { emit, signal: options.signal }, migration, direction, step);
    const results = await verifyInOrder(migrations, { scratch, run, emit, from: options.from, keepGoing: options.keepGoing === true });
    return { ok: results.every((r) => r.outcome === 'verified' || r.outcome === 'irreversible'), migrations: results, scratchDatabase: scratch.name };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await scratch.close();
  }
}

interface VerifyRun {
  scratch: ScratchDatabase;
  run: RoundTripSteps['run'];
  emit: (event: MigratorEvent) => void;
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
      if (!keepGoing) break;
      await rebuild(scratch, built, run, emit);
    }
  }
  return results;
}

/** A migration before `from`: UP only, no result unless it fails (keepGoing). */
async function applyBaseline(
  steps: RoundTripSteps,
  migration: Migration,
  emit: (event: MigratorEvent) => void,
): Promise<Omit<RoundTrip, 'result'> & { result?: VerifiedMigration }> {
  const started = performance.now();
  const failure = await steps.run(migration, 'up', 'UP');
  if (!failure) {
    emit({ type: 'verify-baseline', fileName: migration.fileName });
    return { applied: true, state: undefined, rebuild: false };
  }
  if (!steps.keepGoing) throw failure;
  const { version, name, fileName } = migration;
  const result: VerifiedMigration = { version, name, fileName, outcome: 'failed', problems: [failure.message], elapsedMs: performance.now() - started };
  return { result, applied: false, state: undefined, rebuild: leftHalfApplied(migration, failure) };
}

/** Empties the scratch database and applies the UPs its state was built from, in order. */
async function rebuild(scratch: ScratchDatabase, built: readonly Migration[], run: RoundTripSteps['run'], emit: (event: MigratorEvent) => void): Promise<void> {
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
  context: { emit: (event: MigratorEvent) => void; signal: AbortSignal | undefined },
  migration: Migration,
  direction: Direction,
  step: string,
): Promise<MigrationSqlError | undefined> {
  const { signal, emit } = context;
  if (signal?.aborted) throw new InterruptedError(signalName(signal));
  try {
    const journal = scratch.journal;
    if (!journal) throw new Error(`scratch database ${scratch.name} has no journal table`);
    const warn = (message: string): void => emit({ type: 'warning', message });
    await runMigration({ client: sessionOf(scratch).client, journal, baseline: FRESH_SESSION, warn }, migration, direction);
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw new InterruptedError(signalName(signal));
    if (!(error instanceof MigrationSqlError)) throw error;
    const partial = partialRunOf(error);
    return partial ? Object.assign(withStep(error, step), partial) : withStep(error, step);
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

function signalName(signal: AbortSignal): NodeJS.Signals {
  const reason: unknown = signal.reason;
  return reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

export type { MigratorEvent };
