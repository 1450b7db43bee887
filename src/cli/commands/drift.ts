import type { Command } from 'commander';
import { UsageError, ValidationError } from '../../errors.js';
import type { DriftResult } from '../../api/drift.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';
import { formatMs } from '../format.js';
import { plural } from '../../plural.js';

/**
 * `drift [--scratch-url URL] [--json]`: exit 0 when the database is what its applied migrations
 * build, 3 when it drifted. With --targets, the expected schema is built once per distinct
 * applied history and shared by every target that has it.
 */
export function registerDrift(program: Command): void {
  program
    .command('drift')
    .description('compare the live schema with what its applied migrations build on a scratch database; exit 3 on drift')
    .option('--scratch-url <url>', 'an empty database drift may build in (default: create one next to the target and drop it)')
    .option('--json', 'print { drifted, differences } as one JSON document on stdout (with --targets: one object per target)')
    .action(async (flags: { scratchUrl?: string; json?: boolean }, command: Command) => {
      const context = await commandContext(command, { stdoutIsData: Boolean(flags.json) });
      const { output } = context;
      const { targets, targetsQuery } = command.optsWithGlobals<{ targets?: string; targetsQuery?: string }>();
      if (flags.scratchUrl !== undefined && (targets !== undefined || targetsQuery !== undefined)) {
        throw new UsageError(
          'drift --scratch-url cannot serve many targets: leave it out, and each history is built on a scratch database next to a target',
        );
      }
      const { drift, ExpectedSchemaCache } = await import('../../api/drift.js'); // loaded on use: --help stays fast
      // One cache for the whole run: on a fleet, each distinct applied history is built once.
      const expectedSchemas = new ExpectedSchemaCache();
      const onExpectedBuilt = (built: { database: string; steps: number; ms: number }): void =>
        output.info(
          `Built the expected schema on scratch database ${built.database} (${plural(built.steps, 'step')}, ${formatMs(built.ms)})`,
          {
            event: 'drift-expected-built',
            database: built.database,
            steps: built.steps,
            ms: Math.round(built.ms),
          },
        );
      await runOnTargets(command, context, {
        run: async (options) => {
          const result = await drift({ ...options, scratchUrl: flags.scratchUrl, expectedSchemas, onExpectedBuilt });
          // On a fleet a drifted target is a failed one (exit 3), its differences in its outcome and its --json result.
          if (result.drifted && options !== context.common) {
            const { TargetFailedWithResult } = await import('../../api/fleet.js');
            throw new TargetFailedWithResult(new DriftedError(result), result);
          }
          return result;
        },
        describe: (result) => `no drift (${plural(result.applied, 'applied migration')})`,
        json: (result) => ({ drifted: result.drifted, differences: result.differences }),
        report: (result) => {
          if (flags.json) output.data(JSON.stringify({ drifted: result.drifted, differences: result.differences }, null, 2));
          else for (const line of result.lines) output.data(line);
          if (result.drifted) throw new ValidationError(result.summary);
          output.success(result.summary, { event: 'drift', drifted: false });
        },
      });
    });
}

/** A fleet target that drifted: its count in the summary, its differences in its outcome. */
class DriftedError extends ValidationError {
  constructor(result: DriftResult) {
    super(`drifted: ${plural(result.differences.length, 'difference')}`, result.lines);
  }
}
