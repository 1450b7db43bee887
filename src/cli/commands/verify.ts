import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { ExitCode, MigrationSqlError, ValidationError } from '../../errors.js';
import type { MigratorEvent } from '../../api/events.js';
import type { VerifiedMigration, VerifySummary } from '../../api/verify.js';
import type { Output } from '../output.js';
import { commandContext } from '../context.js';

/**
 * `verify [--scratch-url URL] [--from VERSION] [--keep-going]`: exit 0 when every DOWN undoes its
 * UP, 3 when one does not, 1 when an SQL statement failed (the worst wins with --keep-going).
 */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('prove every DOWN undoes its UP, on a scratch database (UP, DOWN, compare schema, UP again)')
    .option('--scratch-url <url>', 'an empty database verify may change (default: create one next to the target and drop it)')
    .option('--from <version>', 'only verify migrations newer than this version (older ones are just applied)')
    .option('--keep-going', 'report every problem in one run: go on after a failure, rebuilding the scratch database as needed')
    .action(async (flags: { scratchUrl?: string; from?: string; keepGoing?: boolean }, command: Command) => {
      const { output, common } = await commandContext(command);
      const from = flags.from !== undefined ? parseNonNegativeInteger(flags.from, '--from') : undefined;
      // loaded on use: --help stays fast
      const [{ verify }, { summarizeVerify }] = await Promise.all([import('../../api/verify.js'), import('../../api/verify.js')]);
      const found: VerifiedMigration[] = [];
      const onEvent = (event: MigratorEvent): void => {
        if (event.type === 'verify-result') found.push(event.result);
        common.onEvent?.(event);
      };
      try {
        const result = await verify({ ...common, onEvent, scratchUrl: flags.scratchUrl, from, keepGoing: flags.keepGoing === true });
        const summary = summarizeVerify(result.migrations);
        if (summary.exitCode !== ExitCode.ok) throw new VerifyFailedError(summary);
        output.success(summary.message, { event: 'verified', verified: summary.checked });
      } catch (error) {
        if (error instanceof MigrationSqlError) listProblemsFoundBefore(output, summarizeVerify(found));
        throw error;
      }
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
