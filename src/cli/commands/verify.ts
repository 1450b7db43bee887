import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { ValidationError } from '../../errors.js';
import { commandContext } from '../context.js';

/** `verify [--scratch-url URL] [--from VERSION]`: exit 0 when every DOWN undoes its UP, 3 when not. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('prove every DOWN undoes its UP, on a scratch database (UP, DOWN, compare schema, UP again)')
    .option('--scratch-url <url>', 'an empty database verify may change (default: create one next to the target and drop it)')
    .option('--from <version>', 'only verify migrations newer than this version (older ones are just applied)')
    .action(async (flags: { scratchUrl?: string; from?: string }, command: Command) => {
      const { output, common } = await commandContext(command);
      const from = flags.from !== undefined ? parseNonNegativeInteger(flags.from, '--from') : undefined;
      const { verify } = await import('../../verify/verify.js'); // loaded on use: --help stays fast
      const result = await verify({ ...common, scratchUrl: flags.scratchUrl, from });
      const checked = result.migrations.filter((m) => m.outcome !== 'irreversible').length;
      if (!result.ok) {
        const problems = result.migrations.flatMap((m) => m.problems.map((p) => `${m.fileName.replace(/\.sql$/, '')}: ${p}`));
        const failed = result.migrations.filter((m) => m.outcome === 'mismatch').length;
        throw new ValidationError(`verify failed: ${failed} of ${checked} migrations do not round-trip`, problems);
      }
      output.success(
        checked === 0 ? 'Nothing to verify' : `Verified ${checked} migration${checked === 1 ? '' : 's'}: every DOWN undoes its UP and UP runs again`,
        { event: 'verified', verified: checked },
      );
    });
}
