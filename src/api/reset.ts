import { seedsDirSetting } from '../settings.js';
import { ensureJournal } from '../journal/journal.js';
import { planReset, schemasToDrop, type ResetPlan } from '../reset/plan.js';
import {
  parseStartingSchemas,
  readStartingSchemasText,
  recordEnvironment,
  writeStartingSchemasText,
  type StartingSchemas,
} from '../journal/metadata.js';
import { dropSchemas, readResetContext, readSchemaStates } from '../reset/database.js';
import { createdSchemas } from '../migrations/created-schemas.js';
import type { Migration } from '../migrations/parse.js';
import { loadSeeds } from '../migrations/seeds.js';
import type { PartitionReport } from '../partitions/types.js';
import { applyPending, assertPartitionStep, type PartitionStep } from './apply-pending.js';
import type { RanMigration } from './events.js';
import { assertDatabaseEnvironment, assertDevelopmentEnvironment, type GuardedCommand } from './guards.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { runAll } from './run.js';
import { withSession, type CommandScope } from './scope.js';

/** What reset is about to do, for a confirmation prompt. */
export interface ResetTarget {
  /** current_database() */
  database: string;
  /** The schemas it drops, with everything in them (the journal's among them). */
  schemas: string[];
  /** Schemas that held objects before the first migration: kept, with only what was made since dropped. */
  kept: string[];
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
  /**
   * Run although the environment (AETURNIS_ENV, else NODE_ENV), or the one the database recorded
   * when it was last migrated, is not a development one (`--allow-production`).
   */
  allowProduction?: boolean | undefined;
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
  /** Schemas kept because they held objects before the first migration (what was made in them since was dropped). */
  kept: string[];
  applied: RanMigration[];
  seeded: { fileName: string; executionMs: number }[];
  partitions: PartitionReport[] | undefined;
}

const WHY = 'reset drops every table the migrations built, and their data';

/**
 * Refuses (exit 2) to reset under an environment that is not a development one, unless
 * `allowProduction`; checked before anything connects (the recorded one is checked under the lock).
 */
export function assertResetAllowed(env: Readonly<Record<string, string | undefined>>, allowProduction: boolean | undefined): void {
  assertDevelopmentEnvironment(env, { command: 'reset', why: WHY, allowProduction });
}

/**
 * Drops what the migrations built — the journal's schema, the first schema of search_path and
 * every schema a migration creates, with everything in them; in a schema that held objects before
 * the first migration only what was made since — creates again the dropped ones no migration
 * creates exactly as they were, and applies every migration (then the seeds, with `seed`), all
 * under one hold of the runner lock. Refuses (exit 2) under a production environment, current or
 * recorded by the last `up`, without `allowProduction`; refuses (exit 3, nothing dropped) when a
 * drop would reach anything else. Files are read, and the environment checked, before anything
 * connects.
 *
 * @example
 * await reset({ databaseUrl, seed: true });
 */
export async function reset(options: ResetOptions = {}): Promise<ResetResult> {
  const env = options.env ?? process.env;
  const guarded: GuardedCommand = { command: 'reset', why: WHY, allowProduction: options.allowProduction };
  assertDevelopmentEnvironment(env, guarded);
  assertPartitionStep(options.partitions);
  const migrations = commandMigrations(options);
  const seeds = options.seed ? loadSeeds(seedsDirSetting(options.seedsDir, env)) : [];
  return withSession(
    options,
    async (scope) => {
      const { client } = scope.session;
      await assertDatabaseEnvironment(client, scope.journal, guarded);
      const startingText = await readStartingSchemasText(client, scope.journal);
      const starting = parseStartingSchemas(startingText);
      const { plan, target } = await planFor(scope, migrations, seeds.length, starting);
      const result = {
        database: target.database,
        dropped: plan.drop,
        recreated: plan.recreate.map((state) => state.name),
        kept: plan.keep,
      };
      if (options.confirm && !(await options.confirm(target)))
        return { ...result, done: false, applied: [], seeded: [], partitions: undefined };
      await dropSchemas(client, plan, starting);
      scope.emit({ type: 'reset-dropped', database: result.database, dropped: result.dropped, recreated: result.recreated });
      // Whatever the journal was, it is gone now: create it as on a new database, and give it back
      // the record of what existed before the first migration, which the drop did not change.
      Object.assign(scope.journal, { exists: false, partialExists: false, adoptedExists: false });
      await ensureJournal(client, scope.journal);
      if (startingText !== undefined) await writeStartingSchemasText(client, scope.journal, startingText);
      await recordEnvironment(client, scope.journal, env);
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
  starting: StartingSchemas | undefined,
): Promise<{ plan: ResetPlan; target: ResetTarget }> {
  const { client } = scope.session;
  const context = await readResetContext(client);
  const created = createdSchemas(migrations, context);
  const candidates = schemasToDrop(scope.journal.schema, context.currentSchema, created);
  const fixed = [scope.journal.schema, ...(context.currentSchema === null ? [] : [context.currentSchema])];
  const plan = planReset(candidates, created, await readSchemaStates(client, candidates), starting, fixed);
  const target = {
    database: context.database,
    schemas: plan.drop,
    kept: plan.keep,
    journal: scope.journal.display,
    migrations: migrations.length,
    seeds,
  };
  return { plan, target };
}
