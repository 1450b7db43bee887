import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { UsageError } from '../../errors.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';

/** `down [N] [--to VERSION] [--dry-run]` */
export function registerDown(program: Command): void {
  program
    .command('down')
    .description('roll back the last N applied migrations (default 1), newest first')
    .argument('[N]', 'how many migrations to roll back', '1')
    .option('--to <version>', 'roll back every applied migration newer than this version (0: all)')
    .option('--dry-run', 'print what would be rolled back, change nothing')
    .action(async (n: string, flags: { to?: string; dryRun?: boolean }, command: Command) => {
      const context = await commandContext(command);
      const { output } = context;
      const countGiven = command.args.length > 0;
      if (countGiven && flags.to !== undefined) throw new UsageError('down: give either N or --to, not both');
      const count = parseNonNegativeInteger(n, 'down N');
      if (count === 0 && flags.to === undefined) throw new UsageError('down N must be at least 1 (use --to 0 to roll back everything)');
      const target = flags.to !== undefined ? { to: parseNonNegativeInteger(flags.to, '--to') } : { count };
      const { rollback } = await import('../../api/rollback.js'); // loaded on use: --help stays fast
      await runOnTargets(command, context, {
        run: (options) => rollback({ ...options, ...target, dryRun: flags.dryRun }),
        journal: 'track',
        describe: (result) => (flags.dryRun ? `dry run: would roll back ${result.planned.length}` : 'ok'),
        report: (result) => {
          if (result.rolledBack.length > 1) {
            output.success(`Rolled back ${result.rolledBack.length} migrations`, {
              event: 'down-done',
              rolledBack: result.rolledBack.length,
            });
          }
        },
      });
    });
}
