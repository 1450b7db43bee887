import { DEFAULT_SEEDS_DIR } from '../config.js';
import { ensureJournal } from '../db/journal.js';
import { readResetContext, readSchemaStates } from '../db/reset-catalog.js';
import { planReset, schemasToDrop, type ResetPlan } from '../db/reset-plan.js';
import { dropSchemas } from '../db/reset.js';
import { createdSchemas } from '../migrations/created-schemas.js';
import type { Migration } from '../migrations/parse.js';
import { loadSeeds } from '../migrations/seeds.js';
import type { PartitionReport } from '../partitions/types.js';
import { applyPending, assertPartitionStep, type PartitionStep } from './apply-pending.js';
import type { RanMigration } from './events.js';
import { assertDevelopmentEnvironment } from './guards.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { runAll } from './run.js';
import { withSession, type CommandScope } from './scope.js';

/** What reset is about to do, for a confirmation prompt. */
export interface ResetTarget {
  /** current_database() */
  database: string;
  /** The schemas it drops, with everything in them (the journal's among them). */
  schemas: string[];
  /** The journal table, `schema.table`. */
  journal: string;
  /** How many migrations it applies afterwards, and seeds it runs. */
  migrations: number;
  seeds: number;
}

/** Options of {@link reset}. */
export interface ResetOptions extends CommonOptions {
  /** Run the seeds after the migrations. */
  seed?: boolean | undefined;
  /** Seeds directory (default: AETURNIS_SEEDS_DIR, then ./seeds). */
  seedsDir?: string | undefined;
  /** Run outside a development environment (NODE_ENV not unset/development/dev/test/local). */
  force?: boolean | undefined;
  /** The partition step after migrating, as for `migrate` (`false` skips it). */
  partitions?: PartitionStep | false | undefined;
  /**
   * Asked once the runner lock is held and before anything is dropped; resolving false leaves
   * the database as it was (`done: false`). Without it, reset does not ask.
   */
  confirm?: ((target: ResetTarget) => boolean | Promise<boolean>) | undefined;
}

/** Result of {@link reset}. */
export interface ResetResult {
  /** False when `confirm` declined: nothing was changed. */
  done: boolean;
  database: string;
  /** Schemas dropped, and of those the ones created again at once as they were. */
  dropped: string[];
  recreated: string[];
  applied: RanMigration[];
  seeded: { fileName: string; executionMs: number }[];
  partitions: PartitionReport | undefined;
}

/**
 * Refuses (exit 2) to reset outside a development environment unless forced, as `seed` does.
 *
 * @example
 * assertResetAllowed({ NODE_ENV: 'production' }, false) // throws UsageError
 */
export function assertResetAllowed(env: Readonly<Record<string, string | undefined>>, force: boolean | undefined): void {
  assertDevelopmentEnvironment(env, force, 'reset', 'reset drops every table the migrations built, and their data');
}

/**
 * Drops what the migrations built — the journal's schema, the first schema of search_path and
 * every schema a migration creates, with everything in them — creates again the ones no
 * migration creates exactly as they were, and applies every migration (then the seeds, with
 * `seed`), all under one hold of the runner lock. Files are read, and the environment checked,
 * before anything connects.
 *
 * @example
 * await reset({ databaseUrl, seed: true });
 */
export async function reset(options: ResetOptions = {}): Promise<ResetResult> {
  const env = options.env ?? process.env;
  assertResetAllowed(env, options.force);
  assertPartitionStep(options.partitions);
  const migrations = commandMigrations(options);
  const seeds = options.seed ? loadSeeds(options.seedsDir ?? env.AETURNIS_SEEDS_DIR ?? DEFAULT_SEEDS_DIR) : [];
  return withSession(
    options,
    async (scope) => {
      const { plan, target } = await planFor(scope, migrations, seeds.length);
      const result = { database: target.database, dropped: plan.drop, recreated: plan.recreate.map((state) => state.name) };
      if (options.confirm && !(await options.confirm(target)))
        return { ...result, done: false, applied: [], seeded: [], partitions: undefined };
      await dropSchemas(scope.session.client, plan);
      scope.emit({ type: 'reset-dropped', ...result });
      // Whatever the journal was, it is gone now: create it as on a new database.
      Object.assign(scope.journal, { exists: false, partialExists: false });
      await ensureJournal(scope.session.client, scope.journal);
      const { applied, partitions } = await applyPending(scope, migrations, options);
      const ran = await runAll(scope, seeds, options, { direction: 'up', unrecorded: true });
      const seeded = ran.map(({ fileName, executionMs }) => ({ fileName, executionMs }));
      return { ...result, done: true, applied, seeded, partitions };
    },
    { createJournal: false },
  );
}

/** Reads the catalogs (under the lock) and decides what to drop. */
async function planFor(
  scope: CommandScope,
  migrations: readonly Migration[],
  seeds: number,
): Promise<{ plan: ResetPlan; target: ResetTarget }> {
  const { client } = scope.session;
  const context = await readResetContext(client);
  const created = createdSchemas(migrations, context);
  const candidates = schemasToDrop(scope.journal.schema, context.currentSchema, created);
  const plan = planReset(candidates, created, await readSchemaStates(client, candidates));
  const target = { database: context.database, schemas: plan.drop, journal: scope.journal.display, migrations: migrations.length, seeds };
  return { plan, target };
}
