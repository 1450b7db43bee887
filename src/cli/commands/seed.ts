import { type Command, Option } from 'commander';
import { UsageError } from '../../errors.js';
import { commandContext } from '../context.js';

/** `seed [--allow-production] [--seeds-dir DIR]` */
export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description('run seeds/*.sql in name order, each in a transaction (dev data)')
    .option('--seeds-dir <dir>', 'directory of seed files (default ./seeds or AETURNIS_SEEDS_DIR)')
    .option(
      '--allow-production',
      'run although the environment (AETURNIS_ENV, else NODE_ENV), or the one the database was last migrated under, is not a development one',
    )
    .addOption(new Option('--force').hideHelp())
    .action(async (flags: { seedsDir?: string; allowProduction?: boolean; force?: boolean }, command: Command) => {
      // It used to pass the production guard: say what does now rather than "unknown option".
      if (flags.force)
        throw new UsageError('seed --force no longer passes the production guard: pass --allow-production if you really mean it');
      const { output, common } = await commandContext(command);
      const { seed } = await import('../../api/seed.js'); // loaded on use: --help stays fast
      const result = await seed({ ...common, seedsDir: flags.seedsDir, allowProduction: flags.allowProduction });
      if (result.ran.length === 0) output.info('No seed files found', { event: 'nothing-to-do' });
    });
}
