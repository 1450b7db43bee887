/**
 * Planning under the lock: plan from a catalog read taken without locks; when there is something
 * to change (and this is not a dry run), take `ACCESS EXCLUSIVE` on the table and then on its
 * default partition, read the catalog again and plan again — what was seen before may have
 * changed while the lock was awaited (a second runner created the months meanwhile). Then count
 * the rows of the default partition that the new months will take. Runs inside the caller's
 * transaction.
 *
 * @example
 * const run = await planUnderLock(client, target, settings, firstRead);
 * if (planIsEmpty(run.plan)) console.log('nothing to do');
 */
import type { ClientBase } from 'pg';
import { type CatalogPartition, type CatalogState, type KeyInfo, type TableInfo, countDefaultRows, readState } from './catalog.js';
import { monthsToEnsure } from './months.js';
import type { RunSettings } from './options.js';
import { type PartitionPlan, planIsEmpty, planPartitions } from './plan.js';
import { runStep } from './sql.js';

/** The table a run maintains: the name as given, and what the catalog says of it. */
export interface Target {
  table: string;
  info: TableInfo;
  key: KeyInfo;
}

/** What the run will do, as decided under the lock. */
export interface LockedPlan {
  state: CatalogState;
  plan: PartitionPlan;
  /** The default partition as found, or null when there is none (yet). */
  defaultPartition: CatalogPartition | null;
  /** Rows of the default partition in each month of `plan.create`, in that order. */
  movedRows: number[];
}

function planFor(target: Target, state: CatalogState, settings: RunSettings): PartitionPlan {
  return planPartitions({
    table: target.info.relname,
    existing: state.partitions,
    now: settings.now,
    ahead: settings.ahead,
    retain: settings.retain,
    takenNames: state.taken,
  });
}

const defaultOf = (state: CatalogState): CatalogPartition | null => state.partitions.find((partition) => partition.isDefault) ?? null;

/** Plans from `unlockedState`; locks and plans again when something must change. */
export async function planUnderLock(
  client: ClientBase,
  target: Target,
  settings: RunSettings,
  unlockedState: CatalogState,
): Promise<LockedPlan> {
  const { table, info, key } = target;
  let state = unlockedState;
  let plan = planFor(target, state, settings);
  if (!planIsEmpty(plan) && !settings.dryRun) {
    await runStep(client, table, `locking ${info.relname}`, `LOCK TABLE ONLY ${info.sql} IN ACCESS EXCLUSIVE MODE`);
    state = await readState(client, table, info, key, monthsToEnsure(settings.now, settings.ahead));
    plan = planFor(target, state, settings);
    const defaultPartition = defaultOf(state);
    if (defaultPartition) {
      // Direct inserts into the default partition (not through the parent) must wait too.
      await runStep(client, table, `locking ${defaultPartition.name}`, `LOCK TABLE ONLY ${defaultPartition.sql} IN ACCESS EXCLUSIVE MODE`);
    }
  }
  const defaultPartition = defaultOf(state);
  const movedRows =
    defaultPartition && plan.create.length > 0 ? await countDefaultRows(client, table, defaultPartition.sql, key, plan.create) : [];
  return { state, plan, defaultPartition, movedRows };
}
