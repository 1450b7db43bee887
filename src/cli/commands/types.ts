import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, ValidationError } from '../../errors.js';
import type { TypesResult } from '../../api/types.js';
import type { Output } from '../output.js';
import { writeOutputFile } from '../output-file.js';
import { commandContext } from '../context.js';
import { partitionsSetting } from '../../settings.js';
import { plural } from '../../plural.js';

interface TypesFlags {
  out?: string;
  check?: boolean;
  fromMigrations?: boolean;
  schema?: string[];
  scratchSetup?: string;
}

/** `types [--out FILE] [--check] [--from-migrations] [--schema NAME]...`: exit 0, 3 when FILE differs (--check). */
export function registerTypes(program: Command): void {
  program
    .command('types')
    .description("write TypeScript declarations of the migrated schema (one interface per table, Kysely's Database shape)")
    .option('--out <file>', 'write them to FILE (default: print them on stdout)')
    .option('--check', 'write nothing: exit 3 when FILE differs from what the schema generates (a CI gate)')
    .option('--from-migrations', 'build a scratch database from the migrations next to the target, read it, drop it')
    .option('--scratch-setup <file>', 'with --from-migrations: SQL run on the scratch database before the first migration')
    .option('--schema <name>', "read this schema only (repeat for more; default: every schema but PostgreSQL's own)", collect)
    .action(async (flags: TypesFlags, command: Command) => {
      const { output, common } = await commandContext(command, { stdoutIsData: flags.out === undefined });
      if (flags.check && flags.out === undefined) throw new UsageError('--check needs --out FILE: the file to compare with');
      const partitions = partitionsSetting() ? undefined : false;
      const { generateTypes } = await import('../../api/types.js'); // loaded on use: other commands start faster
      const result = await generateTypes({
        ...common,
        fromMigrations: flags.fromMigrations,
        schemas: flags.schema,
        partitions,
        scratchSetup: flags.scratchSetup,
      });
      if (flags.out === undefined) {
        output.data(result.source);
        output.info(summary(result));
      } else if (flags.check) {
        await checkFile(output, flags.out, result);
      } else {
        const written = writeOutputFile(flags.out, result.source, '--out', { createDirectory: true });
        const what = written ? `Wrote ${flags.out}` : `${flags.out} is already up to date`;
        output.success(`${what}: ${summary(result)}`, { event: 'types-written', file: flags.out, written });
      }
    });
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((name) => name.trim())];
}

/** `4 tables, 1 view, 2 enums (from scratch database aeturnis_types_1a2b3c4d, 5 migrations, dropped)` */
function summary(result: TypesResult): string {
  const counts = `${plural(result.tables, 'table')}, ${plural(result.views, 'view')}, ${plural(result.enums, 'enum')}`;
  if (!result.scratch) return counts;
  return `${counts} (from scratch database ${result.scratch.database}, ${plural(result.scratch.migrations, 'migration')}, dropped)`;
}

async function checkFile(output: Output, file: string, result: TypesResult): Promise<void> {
  const { describeDifferences, summarizeDifferences } = await import('../../api/types.js');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ValidationError(`${file} does not exist (generate it with aeturnis-db types --out ${file})`);
    throw new UsageError(`cannot read --out ${file}: ${code ?? (error as Error).message}`);
  }
  const differences = describeDifferences(text, result.source);
  if (differences.length > 0) throw new ValidationError(summarizeDifferences(file, differences));
  output.success(`${file} is up to date: ${summary(result)}`, { event: 'types-checked', file });
}
