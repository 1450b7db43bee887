/**
 * The settings of one maintenance run, checked before anything touches the database. Pure.
 *
 * @example
 * const settings = runSettings({ ahead: 6, unmanaged: 'fail' });
 * settings.table; // 'audit_log'
 */
import { MAX_PARTITIONS_AHEAD } from '../config.js';
import { PartitionSetupError } from './errors.js';
import type { MaintainPartitionsOptions } from './types.js';

export { MAX_PARTITIONS_AHEAD };

/** {@link MaintainPartitionsOptions} with every default filled in and every value checked. */
export interface RunSettings {
  table: string;
  ahead: number;
  retain: number | undefined;
  dryRun: boolean;
  now: Date;
  /** `unmanaged: 'fail'`: a table or month this tool cannot maintain is an error, not a note. */
  strict: boolean;
}

/** Fills in the defaults; throws PartitionSetupError (exit 2) naming the bad value. */
export function runSettings(options: MaintainPartitionsOptions): RunSettings {
  const table = options.table ?? 'audit_log';
  const ahead = options.ahead ?? 3;
  const now = options.now ?? new Date();
  if (table.trim() === '') throw new PartitionSetupError(table, 'empty table name');
  if (!Number.isInteger(ahead) || ahead < 0) throw new PartitionSetupError(table, `--ahead must be an integer >= 0 (got ${ahead})`);
  if (ahead > MAX_PARTITIONS_AHEAD) {
    throw new PartitionSetupError(table, `--ahead must be at most ${MAX_PARTITIONS_AHEAD} months (got ${ahead})`);
  }
  if (options.retain !== undefined && (!Number.isInteger(options.retain) || options.retain < 0)) {
    throw new PartitionSetupError(table, `--retain must be an integer >= 0 (got ${options.retain})`);
  }
  if (!Number.isFinite(now.getTime())) throw new PartitionSetupError(table, 'invalid "now" date');
  return { table, ahead, retain: options.retain, dryRun: options.dryRun === true, now, strict: options.unmanaged === 'fail' };
}
