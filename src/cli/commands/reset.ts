import type { Command } from 'commander';
import type { ResetTarget } from '../../api/reset.js';
import { commandContext } from '../context.js';
import { formatMs } from '../render.js';
import { partitionsSetting } from '../../settings.js';
import { plural } from '../../plural.js';

interface ResetFlags {
  seed?: boolean;
  seedsDir?: string;
  force?: boolean;
  allowProduction?: boolean;
  partitions: boolean;
}

/** `reset [--seed] [--force] [--allow-production] [--seeds-dir DIR] [--no-partitions]` */
export function registerReset(program: Command): void {
  program
    .command('reset')
    .description('drop what the migrations built (their schemas, the journal) and apply every migration again (dev only)')
    .option('--seed', 'run the seeds after the migrations')
    .option('--seeds-dir <dir>', 'directory of seed files (default ./seeds or AETURNIS_SEEDS_DIR)')
    .option('--force', 'do not ask for confirmation (needed off a terminal); it does not pass the production guard')
    .option(
      '--allow-production',
      'run although the environment (AETURNIS_ENV, else NODE_ENV), or the one the database was last migrated under, is not a development one',
    )
    .option('--no-partitions', 'skip partition upkeep of the registered tables (also AETURNIS_PARTITIONS=off)')
    .action(async (flags: ResetFlags, command: Command) => {
      const { output, common, signal } = await commandContext(command);
      const partitions = flags.partitions && partitionsSetting();
      const { reset, assertResetAllowed } = await import('../../api/reset.js'); // loaded on use: --help stays fast
      const { askOnTerminal, confirmMode, confirmQuestion, isYes, offTerminalRefusal } = await import('./reset-confirm.js');
      assertResetAllowed(process.env, flags.allowProduction); // the environment first: the graver refusal
      const mode = confirmMode(flags.force, process.stdin.isTTY);
      if (mode === 'refuse') throw offTerminalRefusal();
      let started = performance.now();
      const ask = async (target: ResetTarget): Promise<boolean> => {
        const yes = isYes(await askOnTerminal(confirmQuestion(target), signal));
        started = performance.now(); // the time taken is the reset's, not the answer's
        return yes;
      };
      const result = await reset({
        ...common,
        seed: flags.seed,
        seedsDir: flags.seedsDir,
        allowProduction: flags.allowProduction,
        partitions: partitions ? {} : false,
        confirm: mode === 'ask' ? ask : undefined,
      });
      if (!result.done) {
        output.info('Reset cancelled: nothing was changed', { event: 'reset-cancelled', database: result.database });
        return;
      }
      const seeds = flags.seed ? `, ran ${plural(result.seeded.length, 'seed')}` : '';
      output.success(
        `Reset database ${result.database}: applied ${plural(result.applied.length, 'migration')}${seeds} in ${formatMs(performance.now() - started)}`,
        { event: 'reset-done', database: result.database, applied: result.applied.length, seeded: result.seeded.length },
      );
    });
}
