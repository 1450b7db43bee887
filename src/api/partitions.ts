import { DEFAULT_PARTITIONED_TABLE, DEFAULT_PARTITIONS_AHEAD } from '../config.js';
import { maintainPartitions } from '../partitions/ensure.js';
import type { PartitionReport } from '../partitions/types.js';
import type { CommonOptions } from './options.js';
import { withSession } from './scope.js';

/** Options of {@link ensurePartitions}. */
export interface EnsurePartitionsOptions extends CommonOptions {
  /** The partitioned table (default audit_log). */
  partitionTable?: string | undefined;
  ahead?: number | undefined;
  retain?: number | undefined;
  dryRun?: boolean | undefined;
  now?: Date | undefined;
}

/**
 * Ensures monthly partitions of audit_log (current month and `ahead` more), optionally dropping
 * those older than `retain` months; under the runner lock. Rejects (UsageError, exit 2) a table
 * that does not exist or is not laid out in UTC months, and a month whose name another relation
 * holds (after committing the rest).
 *
 * @example
 * const report = await ensurePartitions({ databaseUrl, ahead: 6 });
 * console.log(report.created.map((p) => p.name));
 */
export async function ensurePartitions(options: EnsurePartitionsOptions = {}): Promise<PartitionReport> {
  return withSession(
    options,
    async ({ session, emit }) =>
      maintainPartitions(session.client, {
        table: options.partitionTable ?? DEFAULT_PARTITIONED_TABLE,
        ahead: options.ahead ?? DEFAULT_PARTITIONS_AHEAD,
        ...(options.retain !== undefined ? { retain: options.retain } : {}),
        ...(options.dryRun ? { dryRun: true } : {}),
        ...(options.now ? { now: options.now } : {}),
        // Asked for by name: a missing table, one not laid out in months, a month left without
        // a partition are errors (exit 2), not notes.
        unmanaged: 'fail',
        onEvent: (event) => emit({ type: 'partition', event }),
      }),
    options.dryRun ? undefined : { createJournal: false },
  );
}
