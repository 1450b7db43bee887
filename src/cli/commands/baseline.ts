import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { UsageError } from '../../errors.js';
import type { BaselineResult } from '../../api/baseline.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';
import { plural } from '../../plural.js';

/** `baseline VERSION [--dry-run] [--json]` */
export function registerBaseline(program: Command): void {
  program
    .command('baseline')
    .description('record every migration up to VERSION as applied without running it (a database built without any tool)')
    .argument('<version>', 'the version of the newest migration the database already has')
    .option('--dry-run', 'print what would be recorded, record nothing')
    .option('--json', 'print one JSON object per recorded migration, as an array on stdout (nothing else on stdout)')
    .action(async (versionText: string, flags: { dryRun?: boolean; json?: boolean }, command: Command) => {
      const context = await commandContext(command, { stdoutIsData: Boolean(flags.json) });
      const { output } = context;
      const version = parseNonNegativeInteger(versionText, 'baseline VERSION');
      if (version === 0) throw new UsageError('baseline VERSION must be at least 1 (versions start at 1)');
      const { baseline } = await import('../../api/baseline.js'); // loaded on use: --help stays fast
      const rows = (result: BaselineResult) =>
        result.recorded.map((m) => ({ version: m.version, name: m.name, file: m.fileName, recorded: !result.dryRun }));
      await runOnTargets(command, context, {
        run: (options) => baseline({ ...options, version, dryRun: flags.dryRun }),
        journal: 'reread',
        describe: (result) => `${result.dryRun ? 'would record' : 'recorded'} ${result.recorded.length}`,
        json: rows,
        report: (result) => {
          if (flags.json) output.data(JSON.stringify(rows(result), null, 2));
          const verb = result.dryRun ? 'Would record' : 'Recorded';
          for (const migration of result.recorded)
            output.info(`${verb} ${migration.fileName} as applied (baseline, not run)`, { file: migration.fileName });
          const pending = `${result.pending.length} pending${result.pending.length > 0 ? ' (aeturnis-db up applies them)' : ''}`;
          const summary = `${plural(result.recorded.length, 'migration')} up to version ${version}`;
          if (result.dryRun) output.info(`Dry run: ${summary} would be recorded in ${result.journal}; ${pending}; nothing was recorded`);
          else output.success(`Baselined ${summary} in ${result.journal}; ${pending}`);
        },
      });
    });
}
