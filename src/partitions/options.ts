/**
 * The settings of one upkeep run, checked before anything touches the database. Pure.
 */
import type { LockRetries } from '../lock-retries/schedule.js';
import { PartitionSetupError } from './errors.js';
import { INTERVALS, MAX_AHEAD, type PartitionInterval } from './periods.js';
import type { MaintainPartitionsOptions, PartitionEvent, RetainMode } from './types.js';

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
