import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { ensurePartitions } from '../../migrator.js';
import { commandContext } from '../context.js';

/** `partitions [--ahead N] [--retain M] [--dry-run]` */
export function registerPartitions(program: Command): void {
  program
    .command('partitions')
    .description('ensure monthly partitions of audit_log for this month and the next N')
    .option('--ahead <months>', 'months ahead of the current one to create', '3')
    .option('--retain <months>', 'detach and drop partitions whose month ended more than M months ago')
    .option('--partition-table <name>', 'the range-partitioned table (monthly, on created_at)', 'audit_log')
    .option('--dry-run', 'print what would change, change nothing')
    .action(async (flags: { ahead: string; retain?: string; partitionTable: string; dryRun?: boolean }, command: Command) => {
      const { common } = await commandContext(command);
      await ensurePartitions({
        ...common,
        partitionTable: flags.partitionTable,
        ahead: parseNonNegativeInteger(flags.ahead, '--ahead'),
        retain: flags.retain !== undefined ? parseNonNegativeInteger(flags.retain, '--retain') : undefined,
        dryRun: flags.dryRun,
      });
    });
}
