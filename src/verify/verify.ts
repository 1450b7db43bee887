import { InterruptedError, MigrationSqlError, UsageError } from '../errors.js';
import { ensureJournal, resolveJournal } from '../db/journal.js';
import { FRESH_SESSION } from '../db/session-state.js';
import { runMigration, type Direction, type RunContext } from '../db/runner.js';
import { openSession, type Session } from '../db/session.js';
import { loadMigrations } from '../migrations/discover.js';
import type { Migration } from '../migrations/parse.js';
import { journalTable, migrationsDir, type CommonOptions, type MigratorEvent } from '../migrator.js';
import { compareSnapshots, describeDownDifference, describeRerunDifference, withoutImpliedDifferences } from './compare.js';
import {
  assertEmptyScratch,
  createScratchDatabase,
  dropScratchDatabase,
  scratchConnection,
  scratchDatabaseName,
} from './scratch.js';
import { takeSnapshot, type SchemaSnapshot } from './snapshot.js';

/** Progress of {@link verify}. */
export type VerifyEvent =
  | { type: 'verify-scratch'; database: string; created: boolean }
  | { type: 'verify-baseline'; fileName: string }
  | { type: 'verify-result'; result: VerifiedMigration }
  | { type: 'verify-cleanup-failed'; database: string; reason: string };

/** What verify found for one migration. */
export interface VerifiedMigration {
  version: number;
  name: string;
  fileName: string;
  /**
   * `verified`: UP, DOWN, UP again, and DOWN restored the schema exactly.
   * `mismatch`: DOWN did not restore the schema (or UP run again built a different one).
   * `irreversible`: no DOWN section; UP was applied, nothing to check.
   */
  outcome: 'verified' | 'mismatch' | 'irreversible';
  /** One readable line per difference, e.g. "DOWN left index idx_audit_actor on audit_log". */
  problems: string[];
  /** Time of the whole round trip (UP, DOWN, UP), snapshots included. */
  elapsedMs: number;
}

/** Options of {@link verify}. */
export interface VerifyOptions extends CommonOptions {
  /** An empty database verify may change; by default one is created next to the target and dropped afterwards. */
  scratchUrl?: string | undefined;
  /** Only verify migrations with a version greater than this (older ones are just applied). */
  from?: number | undefined;
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
 * {@link MigrationSqlError} when an UP or DOWN fails (naming the file, line and step).
 *
 * @example
 * const { ok, migrations } = await verify({ databaseUrl: process.env.DATABASE_URL, from: 12 });
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

  let admin: Session | undefined;
  let scratchDatabase: string;
  let scratchOptions: CommonOptions;
  if (options.scratchUrl !== undefined) {
    scratchOptions = { ...options, connection: undefined, databaseUrl: options.scratchUrl };
    scratchDatabase = new URL(options.scratchUrl).pathname.slice(1) || '(default database)';
  } else {
    scratchDatabase = scratchDatabaseName();
    scratchOptions = { ...options, ...scratchConnection(options, scratchDatabase) };
    admin = await openSession(options, emit);
    try {
      await createScratchDatabase(admin, scratchDatabase);
    } catch (error) {
      await admin.close();
      throw error;
    }
  }
  emit({ type: 'verify-scratch', database: scratchDatabase, created: admin !== undefined });

  let scratch: Session | undefined;
  const onAbort = (): void => void scratch?.cancelRunningQuery();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    scratch = await openSession(scratchOptions, emit);
    if (!admin) await assertEmptyScratch(scratch, `--scratch-url database ${scratchDatabase}`);
    const scratchJournal = await resolveJournal(scratch.client, journal);
    await ensureJournal(scratch.client, scratchJournal);
    const context: RunContext = { client: scratch.client, journal: scratchJournal, baseline: FRESH_SESSION, warn: (message) => emit({ type: 'warning', message }) };
    const results: VerifiedMigration[] = [];
    const run = async (migration: Migration, direction: Direction, step: string): Promise<void> => {
      if (options.signal?.aborted) throw new InterruptedError(signalName(options.signal));
      try {
        await runMigration(context, migration, direction);
      } catch (error) {
        if (options.signal?.aborted) throw new InterruptedError(signalName(options.signal));
        throw error instanceof MigrationSqlError ? withStep(error, step) : error;
      }
    };

    let before: SchemaSnapshot | undefined;
    for (const migration of migrations) {
      if (options.from !== undefined && migration.version <= options.from) {
        await run(migration, 'up', 'UP');
        emit({ type: 'verify-baseline', fileName: migration.fileName });
        continue;
      }
      const started = performance.now();
      before ??= await takeSnapshot(scratch.client);
      await run(migration, 'up', 'UP');
      const afterUp = await takeSnapshot(scratch.client);
      const result: VerifiedMigration = {
        version: migration.version,
        name: migration.name,
        fileName: migration.fileName,
        outcome: 'verified',
        problems: [],
        elapsedMs: 0,
      };
      if (migration.irreversible) {
        result.outcome = 'irreversible';
        before = afterUp;
      } else {
        await run(migration, 'down', 'DOWN');
        const afterDown = await takeSnapshot(scratch.client);
        result.problems = withoutImpliedDifferences(compareSnapshots(before, afterDown)).map(describeDownDifference);
        try {
          await run(migration, 'up', 'UP run again after DOWN');
        } catch (error) {
          if (result.problems.length === 0 || !(error instanceof MigrationSqlError)) throw error;
          // DOWN already explains this failure; report both and stop: later migrations build on it.
          result.problems.push(`UP could not run again after DOWN: ${error.message}`);
          result.outcome = 'mismatch';
          result.elapsedMs = performance.now() - started;
          results.push(result);
          emit({ type: 'verify-result', result });
          return { ok: false, migrations: results, scratchDatabase };
        }
        const afterRerun = await takeSnapshot(scratch.client);
        if (result.problems.length === 0) {
          result.problems = withoutImpliedDifferences(compareSnapshots(afterUp, afterRerun)).map(describeRerunDifference);
        }
        if (result.problems.length > 0) result.outcome = 'mismatch';
        before = afterRerun;
      }
      result.elapsedMs = performance.now() - started;
      results.push(result);
      emit({ type: 'verify-result', result });
    }
    return { ok: results.every((r) => r.outcome !== 'mismatch'), migrations: results, scratchDatabase };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await scratch?.close();
    if (admin) {
      const failure = await dropScratchDatabase(admin, scratchDatabase);
      if (failure) emit({ type: 'verify-cleanup-failed', database: scratchDatabase, reason: failure });
      await admin.close();
    }
  }
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
