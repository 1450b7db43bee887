import type { Command } from 'commander';
import { commandContext } from '../context.js';

/** `new NAME`: creates the next migration file (numbered, or timestamped like the versions before it) with an UP/DOWN skeleton. */
export function registerNew(program: Command): void {
  program
    .command('new')
    .description(
      'create migrations/<next version>_<name>.sql with -- UP / -- DOWN sections (the current time when the versions are timestamps)',
    )
    .argument('<name>', 'what the migration does, e.g. add_guilds')
    .action(async (name: string, _flags: unknown, command: Command) => {
      const { output, common } = await commandContext(command);
      const { createMigration } = await import('../../api/create.js'); // loaded on use: --help stays fast
      const path = createMigration({ name, dir: common.dir });
      output.data(path);
      void output;
    });
}
