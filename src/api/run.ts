import { RunInterruptedError, signalOf } from '../errors.js';
import { BlockerWatch } from '../lock-retries/blockers.js';
import { resolveLockRetries } from '../lock-retries/schedule.js';
import { partialRunOf, type Direction } from '../run/errors.js';
import type { RunContext } from '../run/context.js';
import { runMigration } from '../run/runner.js';
import { runsWithoutTransaction, type Migration } from '../migrations/parse.js';
import type { ResumePoint } from '../migrations/resume.js';
import type { RanMigration } from './events.js';
import type { CommonOptions } from './options.js';
import type { CommandScope } from './scope.js';

/** What {@link runAll} needs besides the scope. */
export interface RunAllOptions {
  direction: Direction;
  /** Where partly applied migrations continue (see migrations/resume.ts). */
  resume?: ReadonlyMap<number, ResumePoint> | undefined;
  /** Do not write the journal (seeds). */
  unrecorded?: boolean | undefined;
}

/**
 * Runs migrations in order, each in its own transaction, reporting each one; stops at the first
 * failure. An abort (SIGINT/SIGTERM) becomes a {@link RunInterruptedError} saying what completed,
 * what was rolled back and what did not run.
 */
export async function runAll(
  scope: CommandScope,
  migrations: readonly Migration[],
  options: CommonOptions,
  run: RunAllOptions,
): Promise<RanMigration[]> {
  const { emit } = scope;
  const { direction } = run;
  const done: RanMigration[] = [];
  const blockerWatch = new BlockerWatch(scope.session.client);
  const context: RunContext = {
    client: scope.session.client,
    journal: run.unrecorded ? undefined : scope.journal,
    baseline: scope.baseline,
    warn: (message: string) => emit({ type: 'warning', message }),
    signal: options.signal,
    lockRetries: resolveLockRetries(options.lockRetries, options.env ?? process.env),
    onLockRetry: emit,
    blockerWatch,
  };
  try {
    for (const migration of migrations) await runOne(migration);
  } finally {
    await blockerWatch.close();
  }
  return done;

  async function runOne(migration: Migration): Promise<void> {
    if (options.signal?.aborted) throw interrupted(options.signal, done, migrations, direction, undefined);
    const resumeAt = run.resume?.get(migration.version);
    if (resumeAt) emit({ type: 'migration-resume', direction, version: migration.version, fileName: migration.fileName, resume: resumeAt });
    emit({ type: 'migration-start', direction, version: migration.version, fileName: migration.fileName });
    let executionMs: number;
    try {
      executionMs = await runMigration(context, migration, direction, resumeAt);
    } catch (error) {
      if (options.signal?.aborted) throw interrupted(options.signal, done, migrations, direction, migration, error);
      throw error;
    }
    const ran = { version: migration.version, name: migration.name, fileName: migration.fileName, executionMs };
    done.push(ran);
    if (run.unrecorded) emit({ type: 'seed-done', fileName: migration.fileName, executionMs });
    else emit({ type: 'migration-done', direction, ...ran, ...(direction === 'down' && migration.nothingToUndo ? { noSql: true } : {}) });
  }
}

function interrupted(
  signal: AbortSignal,
  done: RanMigration[],
  all: readonly Migration[],
  direction: Direction,
  current: Migration | undefined,
  error?: unknown,
): RunInterruptedError {
  const finished = new Set(done.map((d) => d.fileName));
  const notRun = all.filter((m) => !finished.has(m.fileName) && m !== current).map((m) => m.fileName);
  const run = { signal: signalOf(signal), direction, completed: done, notRun };
  const progress = partialRunOf(error);
  const transactionless = current !== undefined && runsWithoutTransaction(current, direction);
  if (transactionless || (progress && progress.statementsApplied > 0)) {
    // Statements of a no-transaction migration commit one by one: say what stayed, not "rolled back".
    const ran = progress ? `ran ${progress.statementsApplied} of ${progress.statementCount} statements` : 'was stopped part-way';
    const journalState = direction === 'up' ? 'it is not recorded as applied' : 'it is still recorded as applied';
    const kind = transactionless ? ' (no-transaction)' : '';
    return new RunInterruptedError({
      ...run,
      partiallyApplied: `${current?.fileName}${kind} ${ran}, which stayed applied; ${journalState}`,
    });
  }
  return new RunInterruptedError({ ...run, rolledBack: current?.fileName });
}
