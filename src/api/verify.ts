import { InterruptedError, signalOf, UsageError } from '../errors.js';
import { verifyMigrations } from '../verify/in-order.js';
import type { VerifiedMigration } from '../verify/round-trip.js';
import { openScratchDatabase } from '../verify/scratch-database.js';
import { readScratchSetup } from '../verify/scratch-setup.js';
import { commandMigrations, journalTable, type CommonOptions } from './options.js';

export type { VerifiedMigration } from '../verify/round-trip.js';
export type { VerifyEvent } from '../verify/events.js';
export { summarizeVerify, type VerifySummary } from '../verify/summary.js';

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
  /**
   * An SQL file run on the scratch database before the first migration (and after every
   * rebuild), for what the target got from outside its migrations: schemas, roles, extensions.
   * The target's own database settings (`ALTER DATABASE ... SET`) are copied without it.
   */
  scratchSetup?: string | undefined;
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
 * MigrationSqlError when an UP or DOWN fails (naming the file, line and step), unless
 * `keepGoing` is set: then every problem, SQL failures included, is in the result.
 *
 * @example
 * const { ok, migrations } = await verify({ databaseUrl: process.env.DATABASE_URL, from: 12, keepGoing: true });
 * for (const m of migrations) for (const p of m.problems) console.log(`${m.name}: ${p}`);
 */
export async function verify(options: VerifyOptions = {}): Promise<VerifyResult> {
  const migrations = commandMigrations(options);
  const journal = journalTable(options);
  const emit = options.onEvent ?? (() => {});
  if (options.from !== undefined && options.from !== 0 && !migrations.some((m) => m.version === options.from)) {
    throw new UsageError(`--from ${options.from}: no migration has version ${options.from}`);
  }
  const setup = readScratchSetup(options.scratchSetup);
  if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));

  const scratch = await openScratchDatabase({ ...options, journal, resettable: options.keepGoing === true, setup }, emit);
  const onAbort = (): void => void scratch.session?.cancelRunningQuery();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const results = await verifyMigrations(migrations, scratch, {
      emit,
      signal: options.signal,
      from: options.from,
      keepGoing: options.keepGoing === true,
      setupGiven: setup !== undefined,
    });
    return {
      ok: results.every((r) => r.outcome === 'verified' || r.outcome === 'irreversible'),
      migrations: results,
      scratchDatabase: scratch.name,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await scratch.close();
  }
}
