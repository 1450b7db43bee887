import type { Command } from 'commander';
import type { AdoptedMigration, AdoptResult } from '../../api/adopt.js';
import { commandContext } from '../context.js';
import { runOnTargets } from '../fleet/index.js';
import type { Output } from '../output.js';
import { plural } from '../../plural.js';

interface AdoptFlags {
  from: string;
  sourceTable?: string;
  dryRun?: boolean;
  json?: boolean;
}

/** `adopt --from TOOL [--source-table NAME] [--dry-run] [--json]` */
export function registerAdopt(program: Command): void {
  program
    .command('adopt')
    .description("record as applied every local migration another tool's journal in the database lists, running none")
    .requiredOption('--from <tool>', 'the tool: dbmate, golang-migrate, goose, flyway or node-pg-migrate')
    .option(
      '--source-table <name>',
      "the tool's journal table, if not its default (schema_migrations, goose_db_version, flyway_schema_history, pgmigrations)",
    )
    .option('--dry-run', 'print what would be recorded, record nothing')
    .option('--json', 'print one JSON object per adopted migration, as an array on stdout (nothing else on stdout)')
    .action(async (flags: AdoptFlags, command: Command) => {
      const context = await commandContext(command, { stdoutIsData: Boolean(flags.json) });
      const { output } = context;
      const { adopt } = await import('../../api/adopt.js'); // loaded on use: --help stays fast
      await runOnTargets(command, context, {
        run: (options) => adopt({ ...options, from: flags.from, sourceTable: flags.sourceTable, dryRun: flags.dryRun }),
        journal: 'reread',
        describe: (result) =>
          result.earlier ? 'already adopted' : `${result.dryRun ? 'would adopt' : 'adopted'} ${result.adopted.length}`,
        json: (result) => result.adopted.map((m) => toJson(m, result.dryRun)),
        report: (result) => {
          if (flags.json)
            output.data(
              JSON.stringify(
                result.adopted.map((m) => toJson(m, result.dryRun)),
                null,
                2,
              ),
            );
          report(output, result);
        },
      });
    });
}

function report(output: Output, result: AdoptResult): void {
  const { from, earlier } = result;
  if (earlier) {
    output.info(`Already adopted from ${from} (${plural(earlier.count, 'migration')}, ${timestamp(earlier.at)}): nothing to do`);
    return;
  }
  if (result.keptAs) {
    const verb = result.dryRun ? 'Would keep' : 'Kept';
    output.info(`${verb} ${from}'s journal ${result.sourceTable} as ${result.keptAs}: aeturnis-db's journal takes its name`, {
      keptAs: result.keptAs,
    });
  }
  const verb = result.dryRun ? 'Would adopt' : 'Adopted';
  for (const migration of result.adopted) {
    const applied = migration.appliedAt ? `, applied ${timestamp(migration.appliedAt)}` : '';
    output.info(`${verb} ${migration.fileName} [${from} ${migration.sourceVersion}${applied}]`, {
      file: migration.fileName,
      sourceVersion: migration.sourceVersion,
    });
  }
  for (const migration of result.alreadyRecorded) output.info(`Already recorded: ${migration.fileName}`);
  for (const warning of result.warnings) output.warn(warning);
  const pending = `${plural(result.pending.length, 'migration')} pending${result.pending.length > 0 ? ' (aeturnis-db up applies them)' : ''}`;
  const summary = `${plural(result.adopted.length, 'migration')} from ${from}`;
  if (result.dryRun) output.info(`Dry run: ${summary} would be adopted into ${result.journal}; ${pending}; nothing was recorded`);
  else output.success(`Adopted ${summary} into ${result.journal}; ${pending}`);
}

function toJson(migration: AdoptedMigration, dryRun: boolean) {
  return {
    version: migration.version,
    name: migration.name,
    file: migration.fileName,
    sourceVersion: migration.sourceVersion,
    appliedAt: migration.appliedAt ? migration.appliedAt.toISOString() : null,
    executionMs: migration.executionMs,
    recorded: !dryRun,
  };
}

/** `2024-01-05 09:30:00Z`, as `status` shows times. */
function timestamp(at: Date): string {
  return at
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}
