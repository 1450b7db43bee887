import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { ExitCode, MigrationSqlError, UsageError, ValidationError } from '../../errors.js';
import type { MigratorEvent } from '../../api/events.js';
import type { VerifiedMigration, VerifySummary } from '../../api/verify.js';
import type { Output } from '../output.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';

/**
 * `verify [--scratch-url URL] [--from VERSION] [--keep-going] [--scratch-setup FILE]`: exit 0 when every DOWN undoes its
 * UP, 3 when one does not, 1 when an SQL statement failed (the worst wins with --keep-going).
 */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('prove every DOWN undoes its UP, on a scratch database (UP, DOWN, compare schema, UP again)')
    .option('--scratch-url <url>', 'an empty database verify may change (default: create one next to the target and drop it)')
    .option('--from <version>', 'only verify migrations newer than this version (older ones are just applied)')
    .option('--keep-going', 'report every problem in one run: go on after a failure, rebuilding the scratch database as needed')
    .option(
      '--scratch-setup <file>',
      'SQL run on the scratch database before the first migration (schemas, roles the target got from outside its migrations)',
    )
    .action(async (flags: { scratchUrl?: string; from?: string; keepGoing?: boolean; scratchSetup?: string }, command: Command) => {
      const context = await commandContext(command);
      const { output } = context;
      const from = flags.from !== undefined ? parseNonNegativeInteger(flags.from, '--from') : undefined;
      const { targets, targetsQuery } = command.optsWithGlobals<{ targets?: string; targetsQuery?: string }>();
      if (flags.scratchUrl !== undefined && (targets !== undefined || targetsQuery !== undefined)) {
        throw new UsageError(
          'verify --scratch-url cannot serve many targets: leave it out, and each target gets a scratch database next to it',
        );
      }
      const { verify, summarizeVerify } = await import('../../api/verify.js'); // loaded on use: --help stays fast
      await runOnTargets(command, context, {
        run: async (options) => {
          const found: VerifiedMigration[] = [];
          const onEvent = (event: MigratorEvent): void => {
            if (event.type === 'verify-result') found.push(event.result);
            options.onEvent?.(event);
          };
          try {
            const result = await verify({
              ...options,
              onEvent,
              scratchUrl: flags.scratchUrl,
              from,
              keepGoing: flags.keepGoing === true,
              scratchSetup: flags.scratchSetup,
            });
            const summary = summarizeVerify(result.migrations);
            if (summary.exitCode !== ExitCode.ok) throw new VerifyFailedError(summary);
            return summary;
          } catch (error) {
            // One database only: on a fleet, each target's results are already in its own lines.
            if (error instanceof MigrationSqlError && options === context.common) listProblemsFoundBefore(output, summarizeVerify(found));
            throw error;
          }
        },
        describe: (summary) => summary.message,
        report: (summary) => output.success(summary.message, { event: 'verified', verified: summary.checked }),
      });
    });
}

/**
 * Without --keep-going an SQL failure ends the run; the round trips that did not hold before it
 * said their problems were "listed below", so they are, before the failure itself. (JSON logs
 * have them in each verify-result line already.)
 */
function listProblemsFoundBefore(output: Output, summary: VerifySummary): void {
  if (output.format !== 'human' || summary.problems.length === 0) return;
  output.error('verify stopped at the SQL failure below (--keep-going goes on after it); found before it:');
  for (const problem of summary.problems) output.error(`  ${problem}`);
}

/**
 * The summary of a verify run that did not hold. A ValidationError, because the CLI prints a
 * ValidationError's problems one a line (and in its JSON line); its exit code is the worst
 * outcome: 1 when --keep-going met SQL failures, 3 otherwise.
 */
class VerifyFailedError extends ValidationError {
  override readonly exitCode: ExitCode;
  constructor(summary: VerifySummary) {
    super(summary.message, summary.problems);
    this.exitCode = summary.exitCode;
  }
}
