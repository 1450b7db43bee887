import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';
import { formatMs } from '../render.js';
import { parseAhead } from './partitions.js';
import { plural } from '../../plural.js';
import { partitionsSetting } from '../../settings.js';

/** `up [--to VERSION] [--dry-run] [--allow-out-of-order] [--ahead N] [--no-partitions]` */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('apply every pending migration in order, each in its own transaction')
    .option('--to <version>', 'apply pending migrations up to and including this version')
    .option('--dry-run', 'print what would be applied, change nothing')
    .option('--allow-out-of-order', 'apply pending migrations older than the newest applied one')
    .option('--ahead <n>', "periods ahead to ensure for every registered table (default: each one's registered value)")
    .option('--no-partitions', 'skip partition upkeep of the registered tables (also AETURNIS_PARTITIONS=off)')
    .action(
      async (
        flags: { to?: string; dryRun?: boolean; allowOutOfOrder?: boolean; ahead?: string; partitions: boolean },
        command: Command,
      ) => {
        const context = await commandContext(command);
        const { output } = context;
        const ahead = flags.ahead === undefined ? undefined : parseAhead(flags.ahead);
        const partitionStep = flags.partitions && partitionsSetting();
        const to = flags.to !== undefined ? parseNonNegativeInteger(flags.to, '--to') : undefined;
        const started = performance.now();
        const { migrate } = await import('../../api/migrate.js'); // loaded on use: --help stays fast
        await runOnTargets(command, context, {
          run: (options) =>
            migrate({
              ...options,
              to,
              dryRun: flags.dryRun,
              allowOutOfOrder: flags.allowOutOfOrder,
              partitions: partitionStep ? (ahead === undefined ? {} : { ahead }) : false,
            }),
          journal: 'track',
          describe: (result) => (flags.dryRun ? `dry run: would apply ${result.planned.length}` : 'ok'),
          report: (result) => {
            if (result.applied.length === 0) return;
            const count = result.applied.length;
            output.success(`Applied ${plural(count, 'migration')} in ${formatMs(performance.now() - started)}`, {
              event: 'up-done',
              applied: count,
            });
          },
        });
      },
    );
}
