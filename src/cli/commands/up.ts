import type { Command } from 'commander';
import { parseNonNegativeInteger } from '../../config.js';
import { UsageError } from '../../errors.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';
import { formatMs } from '../render.js';
import { assertDirectory, writeOutputFile } from '../output-file.js';
import { parseAhead } from './partitions.js';
import { plural } from '../../plural.js';
import { partitionsSetting } from '../../settings.js';

interface UpFlags {
  to?: string;
  dryRun?: boolean;
  allowOutOfOrder?: boolean;
  ahead?: string;
  partitions: boolean;
  dump?: string;
}

/** `up [--to VERSION] [--dry-run] [--allow-out-of-order] [--ahead N] [--no-partitions] [--dump FILE]` */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('apply every pending migration in order, each in its own transaction')
    .option('--to <version>', 'apply pending migrations up to and including this version')
    .option('--dry-run', 'print what would be applied, change nothing')
    .option('--allow-out-of-order', 'apply pending migrations older than the newest applied one')
    .option('--ahead <n>', "periods ahead to ensure for every registered table (default: each one's registered value)")
    .option('--no-partitions', 'skip partition upkeep of the registered tables (also AETURNIS_PARTITIONS=off)')
    .option('--dump <file>', 'after a successful run, write the schema to FILE as `aeturnis-db dump --out FILE` does')
    .action(async (flags: UpFlags, command: Command) => {
      if (flags.dump !== undefined) assertDumpFlags(flags, command);
      const context = await commandContext(command);
      const { output } = context;
      const ahead = flags.ahead === undefined ? undefined : parseAhead(flags.ahead);
      const partitionStep = flags.partitions && partitionsSetting();
      const to = flags.to !== undefined ? parseNonNegativeInteger(flags.to, '--to') : undefined;
      const started = performance.now();
      const { migrate } = await import('../../api/migrate.js'); // loaded on use: --help stays fast
      await runOnTargets(command, context, {
        run: (options) =>
          migrate({
            ...options,
            to,
            dryRun: flags.dryRun,
            allowOutOfOrder: flags.allowOutOfOrder,
            partitions: partitionStep ? (ahead === undefined ? {} : { ahead }) : false,
            dump: flags.dump !== undefined,
          }),
        journal: 'track',
        describe: (result) => (flags.dryRun ? `dry run: would apply ${result.planned.length}` : 'ok'),
        report: (result) => {
          const count = result.applied.length;
          if (count > 0) {
            output.success(`Applied ${plural(count, 'migration')} in ${formatMs(performance.now() - started)}`, {
              event: 'up-done',
              applied: count,
            });
          }
          if (flags.dump !== undefined && result.dump !== undefined) {
            const written = writeOutputFile(flags.dump, result.dump, '--dump');
            output.success(`${written ? 'Wrote' : 'Unchanged:'} ${flags.dump} (the schema dump)`, {
              event: 'dump-written',
              file: flags.dump,
              written,
            });
          }
        },
      });
    });
}

/** `--dump FILE` is one database's schema written after a real run: not with --dry-run or a fleet (exit 2, nothing run). */
function assertDumpFlags(flags: UpFlags, command: Command): void {
  if (flags.dryRun) throw new UsageError('--dump cannot be used with --dry-run: a dry run changes nothing to dump');
  const globals = command.optsWithGlobals<{ targets?: string; targetsQuery?: string }>();
  if (globals.targets !== undefined || globals.targetsQuery !== undefined) {
    throw new UsageError("--dump writes one database's schema: it cannot be used with --targets or --targets-query");
  }
  assertDirectory(flags.dump ?? '', '--dump');
}
