import { UsageError } from '../errors.js';
import { parseTableName } from '../identifiers.js';
import { LockRetriesExhaustedError } from '../lock-retries/retry.js';
import { resolveLockRetries } from '../lock-retries/schedule.js';
import type { PartitionInterval } from '../partitions/periods.js';
import { findRegistration, listRegistry } from '../partitions/registry.js';
import type { RetainMode } from '../partitions/registration.js';
import { type MaintainPartitionsOptions, type PartitionReport, runSettings } from '../partitions/types.js';
import { maintainPartitions } from '../partitions/upkeep.js';
import type { CommonOptions } from './options.js';
import { type CommandScope, withSession } from './scope.js';

/** One table upkeep manages, with its settings (from the registry). */
export interface UpkeepTable {
  /** As this session names it (`audit_log`, `app.events`). */
  table: string;
  interval: PartitionInterval;
  ahead: number;
  retain: number | undefined;
  retainMode: RetainMode;
}

/** Overrides of one run (`partitions --ahead 9`, `up --ahead 6`): they replace the registered values. */
export interface UpkeepOverrides {
  ahead?: number | undefined;
  retain?: number | undefined;
  dryRun?: boolean | undefined;
  now?: Date | undefined;
}

/** Options of {@link ensurePartitions}. */
export interface EnsurePartitionsOptions extends CommonOptions, UpkeepOverrides {
  /** Only this table (default: every registered table). */
  partitionTable?: string | undefined;
}

/**
 * Partition upkeep of every registered table (or only `partitionTable`), under the runner lock:
 * each table's current period and `ahead` more, rows moved out of its default partition, old
 * partitions removed with `retain`. Rejects (exit 2) a table that does not exist or cannot be
 * managed, and a period whose name another relation holds (after doing the rest); exit 4 when a
 * step cannot get its locks before the lock-retry schedule runs out.
 *
 * @example
 * const reports = await ensurePartitions({ databaseUrl, ahead: 6 });
 * console.log(reports.flatMap((report) => report.created.map((p) => p.name)));
 */
export async function ensurePartitions(options: EnsurePartitionsOptions = {}): Promise<PartitionReport[]> {
  return withSession(
    options,
    async (scope) => {
      const tables = await registeredTables(scope, options.partitionTable);
      if (tables.length === 0) {
        const message = 'No table is registered for partition upkeep; nothing to do (partitions register TABLE adds one)';
        scope.emit({ type: 'partition', event: { type: 'done', changed: false, dryRun: options.dryRun === true, message } });
      }
      return runUpkeep(scope, tables, options, { strict: true });
    },
    options.dryRun ? undefined : { createJournal: false },
  );
}

/**
 * The tables upkeep manages in this database: the registry's (none when it does not exist), or
 * only `only` — which must be registered (exit 2 naming the registered tables otherwise).
 */
export async function registeredTables(scope: CommandScope, only?: string): Promise<UpkeepTable[]> {
  const registered = await listRegistry(scope.session.client, scope.journal);
  const tables = registered.map((entry) => ({
    // As this session names it (regclass text; schema.table once it is gone): SQL that resolves to
    // it, and what messages print — `audit_log`, not `"public"."audit_log"`.
    table: entry.shown,
    interval: entry.interval,
    ahead: entry.ahead,
    retain: entry.retain ?? undefined,
    retainMode: entry.retainMode,
  }));
  if (only === undefined) return tables;
  // Resolved as `partitions unregister` resolves it: by the registrations, so a table that is gone still matches.
  const wanted = await findRegistration(scope.session.client, scope.journal, registered, parseTableName(only, '--partition-table'));
  const match = tables[registered.findIndex((entry) => entry.schema === wanted?.schema && entry.table === wanted?.table)];
  if (match) return [match];
  const known = registered.length > 0 ? `registered: ${registered.map((entry) => entry.shown).join(', ')}` : 'no table is registered';
  throw new UsageError(
    `--partition-table ${only}: not registered for partition upkeep (${known}); register it with: aeturnis-db partitions register ${only}`,
  );
}

/**
 * Upkeep of `tables`, one after the other, on the scope's connection with the lock-retry
 * schedule of the command. `strict` (the `partitions` command): a table that cannot be managed is
 * an error; otherwise (`up`) it is reported and left alone. When a step's lock retries run out,
 * the error says which tables were done and which were not.
 */
export async function runUpkeep(
  scope: CommandScope,
  tables: readonly UpkeepTable[],
  options: CommonOptions & UpkeepOverrides,
  mode: { strict: boolean; outcome?: string },
): Promise<PartitionReport[]> {
  const lockRetries = resolveLockRetries(options.lockRetries, options.env ?? process.env);
  const runs: MaintainPartitionsOptions[] = tables.map((entry) => ({
    table: entry.table,
    interval: entry.interval,
    ahead: options.ahead ?? entry.ahead,
    retain: options.retain ?? entry.retain,
    retainMode: entry.retainMode,
    ...(options.dryRun ? { dryRun: true } : {}),
    ...(options.now ? { now: options.now } : {}),
    lockRetries,
    signal: options.signal,
    unmanaged: mode.strict ? 'fail' : 'leave-alone',
    onEvent: (event) => scope.emit({ type: 'partition', event }),
  }));
  // Every table's settings are checked before any table is touched (`--ahead 200` is fine for a
  // daily table, exit 2 for a monthly one: nothing is changed then).
  for (const run of runs) runSettings(run);
  const reports: PartitionReport[] = [];
  for (const run of runs) {
    try {
      reports.push(await maintainPartitions(scope.session.client, run));
    } catch (error) {
      if (!(error instanceof LockRetriesExhaustedError)) throw error;
      const rest = tables.slice(reports.length + 1).map((other) => other.table);
      const notDone = rest.length > 0 ? `; not started: ${rest.join(', ')}` : '';
      const done = reports.length > 0 ? `; tables done: ${reports.map((report) => report.table).join(', ')}` : '';
      throw error.withOutcome(`${mode.outcome ?? ''}${error.outcome}${done}${notDone}`);
    }
  }
  return reports;
}
