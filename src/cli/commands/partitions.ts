import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { UsageError } from '../../errors.js';
import { MAX_PARTITIONS_AHEAD } from '../../config.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet.js';

/** `partitions [--ahead N] [--retain M] [--partition-table NAME] [--interval month] [--dry-run]` */
export function registerPartitions(program: Command): void {
  program
    .command('partitions')
    .description('ensure monthly partitions of audit_log for this month and the next N')
    .option('--ahead <months>', 'months ahead of the current one to create', '3')
    .option('--retain <months>', 'detach and drop partitions whose month ended more than M months ago')
    .option('--partition-table <name>', 'the table to maintain: RANGE-partitioned on one timestamp column', 'audit_log')
    .option('--interval <unit>', 'partition interval; only "month" is supported', 'month')
    .option('--dry-run', 'print what would change, change nothing')
    .action(
      async (flags: { ahead: string; retain?: string; partitionTable: string; interval: string; dryRun?: boolean }, command: Command) => {
        const context = await commandContext(command);
        // Loaded on use (--help stays fast). Every flag is checked before anything connects.
        const { ensurePartitions } = await import('../../api/partitions.js');
        const ahead = parseAhead(flags.ahead);
        const retain = flags.retain !== undefined ? parseNonNegativeInteger(flags.retain, '--retain') : undefined;
        if (!/^month(ly)?$/i.test(flags.interval.trim())) {
          throw new UsageError(`--interval must be "month": only monthly partitions are supported (got "${flags.interval}")`);
        }
        if (flags.partitionTable.trim() === '') throw new UsageError('--partition-table must not be empty');
        await runOnTargets(command, context, {
          run: (options) => ensurePartitions({ ...options, partitionTable: flags.partitionTable, ahead, retain, dryRun: flags.dryRun }),
          describe: (reports) => {
            const created = reports.reduce((sum, report) => sum + report.created.length, 0);
            const removed = reports.reduce((sum, report) => sum + report.dropped.length + report.detached.length, 0);
            return `${flags.dryRun ? 'dry run: would create' : 'created'} ${created}, removed ${removed}`;
          },
        });
      },
    );
}

/**
 * Parses `--ahead` (of `partitions` and `up`): a whole number of months, at most
 * MAX_PARTITIONS_AHEAD, checked before anything connects.
 *
 * @example
 * parseAhead('12') // 12
 */
export function parseAhead(value: string): number {
  const ahead = parseNonNegativeInteger(value, '--ahead');
  if (ahead > MAX_PARTITIONS_AHEAD) throw new UsageError(`--ahead must be at most ${MAX_PARTITIONS_AHEAD} months (got "${value}")`);
  return ahead;
}
