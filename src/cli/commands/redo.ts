import type { Command } from 'commander';
import { commandContext } from '../context.js';

/** `redo`: roll back the newest applied migration and apply it again. */
export function registerRedo(program: Command): void {
  program
    .command('redo')
    .description('roll back the newest applied migration and apply it again (edit loop)')
    .action(async (_flags: unknown, command: Command) => {
      const { common } = await commandContext(command);
      const { redo } = await import('../../api/redo.js'); // loaded on use: --help stays fast
      await redo(common);
    });
}
