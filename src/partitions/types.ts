/**
 * What partition upkeep takes and gives: its options (checked and completed into the settings of
 * a run before anything touches the database), the report of a run, the events it emits one per
 * reported item, the description `status` prints, and its errors, in the project's exit-code
 * categories (see `../errors.ts`). Pure.
 */
import { AeturnisError, ExitCode, UsageError } from '../errors.js';
import type { LockRetryEvent } from '../lock-retries/retry.js';
import type { LockRetries } from '../lock-retries/schedule.js';
import { INTERVALS, MAX_AHEAD, type PartitionInterval, type Period } from './periods.js';
import type { CoveredPeriod, PeriodConflict } from './plan.js';
import type { RetainMode } from './registration.js';

/** Options of {@link maintainPartitions} (`upkeep.ts`). */
export interface MaintainPartitionsOptions {
  /** The partitioned table, optionally schema-qualified (`app.audit_log`), resolved like SQL
   * (`to_regclass`: search_path, quoting rules). Default `'audit_log'`. */
  table?: string;
  /** How long each partition is (default `'month'`). */
  interval?: PartitionInterval;
  /** Periods after the current one that must exist too (integer >= 0, default 3). */
  ahead?: number;
  /** Remove partitions whose whole range ended before the start of (current period - retain).
   * `retain = M` keeps the current period and the M before it. Undefined: nothing is removed. */
  retain?: number | undefined;
  /** `'drop'` (default) or `'detach'`: keep removed partitions as plain tables. */
  retainMode?: RetainMode;
  /** Each step's lock_timeout and retries (default: none, wait as long as it takes). */
  lockRetries?: LockRetries | undefined;
  /** Aborts the pauses between lock retries. */
  signal?: AbortSignal | undefined;
  /** Compute and report the plan (including the rows that would be moved); change nothing. */
  dryRun?: boolean;
  /** The clock (default `new Date()`); only the UTC period holding it matters. */
  now?: Date;
  /** Called once per reported item, after the transaction committed (or after planning, for dry runs). */
  onEvent?: (event: PartitionEvent) => void;
  /**
   * A table upkeep cannot manage — missing, not RANGE-partitioned on one timestamp column, or
   * whose partitions are of another grain than `interval` — and periods left without any
   * partition because another relation holds their name: `'fail'` (the `partitions` command):
   * PartitionSetupError (exit 2), the last one after committing what could be done;
   * `'leave-alone'` (default; `up`): the table is reported (`tableExists: false` / `leftAlone`)
   * and not touched, the periods are warnings.
   */
  unmanaged?: 'fail' | 'leave-alone';
}

/** {@link MaintainPartitionsOptions} with every default filled in and every value checked. */
export interface RunSettings {
  table: string;
  interval: PartitionInterval;
  ahead: number;
  retain: number | undefined;
  retainMode: RetainMode;
  dryRun: boolean;
  now: Date;
  /** `unmanaged: 'fail'`: a table or period upkeep cannot manage is an error, not a note. */
  strict: boolean;
  lockRetries: LockRetries | undefined;
  signal: AbortSignal | undefined;
  onEvent: ((event: PartitionEvent) => void) | undefined;
}

/** Fills in the defaults; throws PartitionSetupError (exit 2) naming the bad value. */
export function runSettings(options: MaintainPartitionsOptions): RunSettings {
  const table = options.table ?? 'audit_log';
  const interval = options.interval ?? 'month';
  const ahead = options.ahead ?? 3;
  const now = options.now ?? new Date();
  if (table.trim() === '') throw new PartitionSetupError(table, 'empty table name');
  if (!INTERVALS.includes(interval))
    throw new PartitionSetupError(table, `interval must be one of ${INTERVALS.join(', ')} (got ${interval})`);
  if (!Number.isInteger(ahead) || ahead < 0) throw new PartitionSetupError(table, `--ahead must be an integer >= 0 (got ${ahead})`);
  if (ahead > MAX_AHEAD[interval]) {
    throw new PartitionSetupError(table, `--ahead must be at most ${MAX_AHEAD[interval]} for ${interval} partitions (got ${ahead})`);
  }
  if (options.retain !== undefined && (!Number.isInteger(options.retain) || options.retain < 0)) {
    throw new PartitionSetupError(table, `--retain must be an integer >= 0 (got ${options.retain})`);
  }
  if (!Number.isFinite(now.getTime())) throw new PartitionSetupError(table, 'invalid "now" date');
  return {
    table,
    interval,
    ahead,
    retain: options.retain,
    retainMode: options.retainMode ?? 'drop',
    dryRun: options.dryRun === true,
    now,
    strict: options.unmanaged === 'fail',
    lockRetries: options.lockRetries,
    signal: options.signal,
    onEvent: options.onEvent,
  };
}

/** A partition created (or, in a dry run, that would be created). */
export interface CreatedPartition {
  name: string;
  period: Period;
  from: Date;
  to: Date;
  /** Rows moved (dry run: that would be moved) from the default partition into it. */
  movedRows: number;
}

/** A partition retention removed (or, in a dry run, would remove). `from: null` is MINVALUE. */
export interface DroppedPartition {
  name: string;
  from: Date | null;
  to: Date;
}

/** A partition retention could not remove (e.g. a view depends on it); the rest of the run went on. */
export interface DropFailure {
  name: string;
  message: string;
  sqlState: string | undefined;
}

export type PartitionEvent =
  | { type: 'table-missing'; table: string; message: string }
  | { type: 'table-left-alone'; table: string; reason: string; message: string }
  | { type: 'partition-created'; dryRun: boolean; partition: CreatedPartition; message: string }
  | { type: 'period-covered'; covered: CoveredPeriod; message: string }
  | { type: 'period-conflict'; conflict: PeriodConflict; message: string }
  | { type: 'partition-dropped'; dryRun: boolean; partition: DroppedPartition; message: string }
  | { type: 'partition-detached'; dryRun: boolean; partition: DroppedPartition; message: string }
  | { type: 'lock-retry'; retry: LockRetryEvent; message: string }
  | { type: 'drop-failed'; failure: DropFailure; message: string }
  | { type: 'default-created'; dryRun: boolean; name: string; message: string }
  | { type: 'default-problem'; message: string }
  | { type: 'done'; changed: boolean; dryRun: boolean; message: string };

export interface PartitionReport {
  /** The table as given. */
  table: string;
  /** False when the table does not exist (nothing else is filled in then). */
  tableExists: boolean;
  /** Why the table was not touched (`unmanaged: 'leave-alone'` and a table this tool does not maintain), else null. */
  leftAlone: string | null;
  /** Resolved schema and relation name (null when the table does not exist). */
  schema: string | null;
  relation: string | null;
  /** The partition key column read from the catalog, e.g. `created_at`. */
  partitionKey: string | null;
  /** `pg_get_partkeydef`, e.g. `RANGE (created_at)`. */
  partitionKeyDef: string | null;
  dryRun: boolean;
  now: Date;
  interval: PartitionInterval;
  retainMode: RetainMode;
  /** The periods that must be covered: the current one and `ahead` more. */
  periods: Period[];
  created: CreatedPartition[];
  alreadyCovered: CoveredPeriod[];
  conflicts: PeriodConflict[];
  /** Partitions retention dropped, and those it detached and kept (`retainMode: 'detach'`). */
  dropped: DroppedPartition[];
  detached: DroppedPartition[];
  dropFailures: DropFailure[];
  /** The default partition after the run (dry run: as it would be); null if there is none. */
  defaultPartition: { name: string; created: boolean } | null;
  /** Why a missing default partition was not created, else null. */
  defaultProblem: string | null;
  /** Retention cutoff (upper bounds <= it are removed); null without `retain`. */
  retentionCutoff: Date | null;
  /** True when the database was changed (always false for a dry run). */
  changed: boolean;
  /** One human-readable line, e.g. `audit_log: partitions for 2026-11..2027-02 already exist; nothing to do`. */
  summary: string;
}

/** A partition with its range, as listed by `describePartitions` (`catalog.ts`). */
export interface PartitionInfo {
  name: string;
  from: Date | null;
  to: Date | null;
}

export interface PartitionDescription {
  table: string;
  exists: boolean;
  /** False when the table exists but is not partitioned. */
  partitioned: boolean;
  partitionKey: string | null;
  /** The range partitions (default excluded), by lower bound. */
  partitions: PartitionInfo[];
  defaultPartition: string | null;
  /** Rows sitting in the default partition (exact count)... */
  defaultRows: number;
  /** ...of which dated before the current period (no upkeep run will move them: they need a partition made by hand). */
  defaultRowsPast: number;
  interval: PartitionInterval;
  /** The period of the lowest finite lower bound, and of the last instant below the highest finite upper bound. */
  firstPeriod: Period | null;
  lastPeriod: Period | null;
  /** Number of range partitions (default excluded). */
  count: number;
  /** Why this table cannot be maintained (e.g. not RANGE on a timestamp column), else null. */
  problem: string | null;
  /** One line for `status`, e.g. `audit_log: 4 partitions, 2026-11..2027-02; 3 rows in audit_log_default`. */
  summary: string;
}

/**
 * The table exists but cannot be maintained: not partitioned, not RANGE-partitioned on a single
 * `timestamptz`/`timestamp`/`date` column, an unreadable partition bound, or a name so long that
 * `<table>_YYYY_MM` would exceed PostgreSQL's 63-byte identifier limit. Exit 2 (configuration).
 */
export class PartitionSetupError extends UsageError {
  readonly table: string;
  /** The message without the table name, e.g. `partitioned by LIST (kind); ...`. */
  readonly problem: string;
  constructor(table: string, problem: string) {
    super(`${table}: ${problem}`);
    this.table = table;
    this.problem = problem;
  }
}

/**
 * Months that got no partition because another relation holds their name (a gap rows of those
 * months fall through to the default partition), in a run asked to fail on that. Everything
 * else the run did was committed; `report` says what. Exit 2.
 */
export class PartitionMonthsMissingError extends PartitionSetupError {
  readonly report: PartitionReport;
  constructor(table: string, problem: string, report: PartitionReport) {
    super(table, problem);
    this.report = report;
  }
}

/**
 * An SQL statement of partition upkeep failed; its step's transaction was rolled back and the
 * steps before it stay done (`outcome` says so, or says what else stayed). Exit 1.
 */
export class PartitionSqlError extends AeturnisError {
  readonly table: string;
  readonly sqlState: string | undefined;
  readonly pgMessage: string;
  /** What was being done, e.g. `creating audit_log_2026_11`. */
  readonly step: string;
  constructor(opts: { table: string; step: string; pgMessage: string; sqlState?: string | undefined; outcome?: string }) {
    const code = opts.sqlState ? ` (SQLSTATE ${opts.sqlState})` : '';
    const outcome = opts.outcome ?? 'that step was rolled back; the steps before it stay done';
    super(`${opts.table}: ${opts.step} failed: ${opts.pgMessage}${code}; ${outcome}`, ExitCode.sqlFailed);
    this.table = opts.table;
    this.step = opts.step;
    this.pgMessage = opts.pgMessage;
    this.sqlState = opts.sqlState;
  }
}
