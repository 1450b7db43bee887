import type { Command } from 'commander';
import { MAX_PERIODS_AHEAD, parseNonNegativeInteger } from '../../config.js';
import { UsageError } from '../../errors.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';
import { registerPartitionRegistry } from './partition-registry.js';

/**
 * `partitions [--ahead N] [--retain M] [--partition-table NAME] [--dry-run]`, and its
 * subcommands `register`, `unregister`, `list` (partition-registry.ts). `--ahead` and
 * `--partition-table` have no default here: unset, each registered table's own settings apply.
 */
export function registerPartitions(program: Command): void {
  const partitions = program
    .command('partitions')
    .description(
      'partition upkeep: create partitions ahead, drop old ones with --retain; register, unregister, list the tables it maintains',
    )
    .option('--ahead <n>', "partitions ahead of the current one to create (default: the table's registered setting)")
    .option('--retain <m>', 'detach and drop partitions whose range ended more than M intervals ago')
    .option('--partition-table <name>', 'only this table: RANGE-partitioned on one timestamp column (default: audit_log)')
    .option('--dry-run', 'print what would change, change nothing')
    .action(async (flags: { ahead?: string; retain?: string; partitionTable?: string; dryRun?: boolean }, command: Command) => {
      const context = await commandContext(command);
      // Loaded on use (--help stays fast). Every flag is checked before anything connects.
      const { ensurePartitions } = await import('../../api/partitions.js');
      const ahead = flags.ahead !== undefined ? parseAhead(flags.ahead) : undefined;
      const retain = flags.retain !== undefined ? parseNonNegativeInteger(flags.retain, '--retain') : undefined;
      if (flags.partitionTable?.trim() === '') throw new UsageError('--partition-table must not be empty');
      await runOnTargets(command, context, {
        run: (options) => ensurePartitions({ ...options, partitionTable: flags.partitionTable, ahead, retain, dryRun: flags.dryRun }),
        describe: (reports) => {
          const created = reports.reduce((sum, report) => sum + report.created.length, 0);
          const removed = reports.reduce((sum, report) => sum + report.dropped.length + report.detached.length, 0);
          return `${flags.dryRun ? 'dry run: would create' : 'created'} ${created}, removed ${removed}`;
        },
      });
    });
  registerPartitionRegistry(partitions);
}

/**
 * Parses `--ahead` (of `partitions` and `up`): a whole number of periods, checked before anything
 * connects against the largest maximum (days'); each table's own maximum is checked with its interval.
 */
export function parseAhead(value: string): number {
  const ahead = parseNonNegativeInteger(value, '--ahead');
  if (ahead > MAX_PERIODS_AHEAD) throw new UsageError(`--ahead must be at most ${MAX_PERIODS_AHEAD} (got "${value}")`);
  return ahead;
}
