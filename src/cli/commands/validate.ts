import type { Command } from 'commander';
import { ValidationError } from '../../errors.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';

/** `validate`: exit 0 when every applied migration matches its file and nothing is out of order. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check applied migrations against their files (checksums, missing files, order)')
    .action(async (_flags: unknown, command: Command) => {
      const context = await commandContext(command);
      const { validate } = await import('../../api/status.js'); // loaded on use: --help stays fast
      await runOnTargets(command, context, {
        run: async (options) => {
          const result = await validate(options);
          if (!result.ok) {
            const summary = result.problems.length === 1 ? result.problems[0] : `${result.problems.length} problems`;
            throw new ValidationError(`validation failed: ${summary}`, result.problems);
          }
          return result;
        },
        report: () => context.output.success('All applied migrations match their files; nothing is out of order', { event: 'validated' }),
      });
    });
}
