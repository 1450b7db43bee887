import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, ValidationError } from '../../errors.js';
import { plural } from '../../plural.js';
import { commandContext } from '../context.js';
import type { Output } from '../output.js';
import { assertDirectory, writeOutputFile } from '../output-file.js';

interface DumpFlags {
  out?: string;
  check?: boolean;
}

/** `dump [--out FILE] [--check] [FILE]`: exit 0; 3 when --check finds FILE differs (or missing). */
export function registerDump(program: Command): void {
  program
    .command('dump')
    .description('write the live schema as deterministic SQL read from the catalogs (no pg_dump needed)')
    .argument('[file]', 'the file to compare with --check (same as --out FILE)')
    .option('--out <file>', 'write it to FILE (default: print it on stdout)')
    .option('--check', 'write nothing: exit 3 when FILE differs from the live schema (a CI gate)')
    .action(async (file: string | undefined, flags: DumpFlags, command: Command) => {
      if (file !== undefined && flags.out !== undefined && file !== flags.out) {
        throw new UsageError(`give the file once: --out ${flags.out} or ${file}`);
      }
      const out = flags.out ?? file;
      if (file !== undefined && !flags.check) throw new UsageError(`${file}: write it with --out ${file} (a bare FILE is for --check)`);
      if (flags.check && out === undefined) throw new UsageError('--check needs --out FILE (or FILE): the file to compare with');
      if (out !== undefined && !flags.check) assertDirectory(out, '--out');
      const { output, common } = await commandContext(command, { stdoutIsData: out === undefined });
      const { dumpSchema } = await import('../../api/dump.js'); // loaded on use: other commands start faster
      const result = await dumpSchema(common);
      const what = `schema of ${plural(result.migrations, 'applied migration')}`;
      if (out === undefined) {
        output.data(result.sql);
      } else if (flags.check) {
        await checkFile(output, out, result.sql, what);
      } else {
        const written = writeOutputFile(out, result.sql, '--out');
        output.success(`${written ? 'Wrote' : 'Unchanged:'} ${out} (${what})`, { event: 'dump-written', file: out, written });
      }
    });
}

/** Refuses (exit 2) a FILE whose directory does not exist: a typo must not create a tree. */
async function checkFile(output: Output, file: string, sql: string, what: string): Promise<void> {
  const { dumpDifference } = await import('../../api/dump.js');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ValidationError(`${file} does not exist: write it with aeturnis-db dump --out ${file}`);
    throw new UsageError(`cannot read ${file}: ${code ?? (error as Error).message}`);
  }
  const excerpt = dumpDifference(text, sql);
  if (excerpt.length > 0) {
    const where = excerpt[0]?.replace(/^@@ -(\d+).*$/, '$1') ?? '1';
    throw new ValidationError(
      `${file} differs from the live schema from line ${where} (- the file, + the database): regenerate it with aeturnis-db dump --out ${file}`,
      excerpt,
    );
  }
  output.success(`${file} is up to date (${what})`, { event: 'dump-checked', file });
}
