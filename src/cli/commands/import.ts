import { relative } from 'node:path';
import type { Command } from 'commander';
import type { ImportedMigration, ImportResult } from '../../api/import.js';
import { MigrationFileError } from '../../errors.js';
import { commandContext } from '../context.js';
import type { Output } from '../output.js';
import { plural } from '../../plural.js';

interface ImportFlags {
  from: string;
  dryRun?: boolean;
  renumber?: boolean;
  placeholders?: boolean;
  json?: boolean;
}

/** `import --from TOOL SOURCE_DIR [--dry-run] [--renumber] [--placeholders] [--json]` */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description("convert another tool's migration files into --dir: all or nothing, never overwriting a file")
    .argument('<source-dir>', "the other tool's migrations directory")
    .requiredOption('--from <tool>', 'the tool: dbmate, golang-migrate, goose, flyway or node-pg-migrate')
    .option('--dry-run', 'print what would be written, write nothing')
    .option('--renumber', "number the migrations 1, 2, 3, ... in the tool's order (for versions like Flyway's 1.2)")
    .option(
      '--placeholders',
      'write a placeholder for each code migration (goose Go, node-pg-migrate JS/TS it cannot build): adopt records it, up refuses it until rewritten in SQL',
    )
    .option('--json', 'print one JSON object per file, as an array on stdout (nothing else on stdout)')
    .action(async (sourceDir: string, flags: ImportFlags, command: Command) => {
      const { output, common } = await commandContext(command, { stdoutIsData: Boolean(flags.json) });
      const { importMigrations, ImportError } = await import('../../api/import.js'); // loaded on use: --help stays fast
      let result: ImportResult;
      try {
        result = importMigrations({
          from: flags.from,
          sourceDir,
          dir: common.dir,
          dryRun: flags.dryRun ?? false,
          renumber: flags.renumber ?? false,
          placeholders: flags.placeholders ?? false,
        });
      } catch (error) {
        // --json: the refused files on stdout too, one object each (`file`, `problem`), as an array.
        if (flags.json && error instanceof ImportError) {
          output.data(
            JSON.stringify(
              error.problems.map((p) => ({ file: p.file, problem: p.reason, written: false })),
              null,
              2,
            ),
          );
        } else if (flags.json && error instanceof MigrationFileError) {
          const problem = error.message.slice(error.file.length + 2);
          output.data(JSON.stringify([{ file: error.file, problem, written: false }], null, 2));
        }
        throw error;
      }
      if (flags.json)
        output.data(
          JSON.stringify(
            result.migrations.map((m) => toJson(m, result)),
            null,
            2,
          ),
        );
      report(output, result);
    });
}

function report(output: Output, result: ImportResult): void {
  const verb = result.dryRun ? 'Would write' : 'Wrote';
  for (const migration of result.migrations) {
    const sources = migration.sources.map((source) => relative(result.sourceDir, source));
    output.info(`${verb} ${migration.path} <- ${sources.join(' + ')}${details(migration, result.renumbered)}`, {
      file: migration.path,
      sources: migration.sources,
    });
  }
  if (result.ignored.length > 0) output.info(`Ignored (not ${result.from} migrations): ${result.ignored.join(', ')}`);
  for (const warning of result.warnings) output.warn(warning);
  const placeholders = result.migrations.filter((m) => m.placeholder);
  if (placeholders.length > 0) {
    output.warn(
      `${plural(placeholders.length, 'placeholder')} for code migrations: adopt records each where ${result.from} applied it; up refuses it elsewhere until it is rewritten in SQL:`,
      { placeholders: placeholders.map((m) => m.path) },
    );
    // One file a line, as a failing import lists its files: a long list stays readable.
    if (output.format === 'human') for (const migration of placeholders) output.warn(`  ${migration.path}`);
  }
  const summary = `${plural(result.migrations.length, 'migration')} from ${result.from} ${result.dryRun ? 'would be imported' : 'imported'} into ${result.dir}${tally(result.migrations)}`;
  if (result.dryRun) output.info(`Dry run: ${summary}; nothing was written`);
  else output.success(summary.charAt(0).toUpperCase() + summary.slice(1));
}

/** ` [version 1.2 -> 0003; no transaction; nothing to undo; ...notes]`, or '' when there is nothing to say. */
function details(migration: ImportedMigration, renumbered: boolean): string {
  const tags: string[] = [];
  if (renumbered) tags.push(`version ${migration.sourceVersion} -> ${migration.version}`);
  if (migration.noTransaction) tags.push('no transaction');
  if (migration.noTransactionSection) tags.push(`no transaction in its ${migration.noTransactionSection.toUpperCase()}`);
  if (migration.down === 'nothing-to-undo') tags.push('nothing to undo');
  if (migration.down === 'irreversible' && !migration.placeholder) tags.push('irreversible: no down in the source');
  tags.push(...migration.notes);
  return tags.length > 0 ? ` [${tags.join('; ')}]` : '';
}

function tally(migrations: readonly ImportedMigration[]): string {
  const parts = [
    [migrations.filter((m) => m.noTransaction).length, 'without a transaction'],
    [migrations.filter((m) => m.noTransactionSection).length, 'with one section without a transaction'],
    [migrations.filter((m) => m.down === 'nothing-to-undo').length, 'with nothing to undo'],
    [migrations.filter((m) => m.down === 'irreversible' && !m.placeholder).length, 'irreversible'],
    [migrations.filter((m) => m.placeholder).length, 'placeholders'],
  ] as const;
  const said = parts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  return said.length > 0 ? ` (${said.join(', ')})` : '';
}

function toJson(migration: ImportedMigration, result: ImportResult) {
  return {
    file: migration.path,
    version: migration.version,
    sourceVersion: migration.sourceVersion,
    name: migration.name,
    sources: migration.sources,
    noTransaction: migration.noTransaction,
    noTransactionSection: migration.noTransactionSection ?? null,
    down: migration.down,
    notes: migration.notes,
    placeholder: migration.placeholder,
    written: !result.dryRun,
  };
}
