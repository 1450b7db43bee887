import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { UsageError, ValidationError } from '../../errors.js';
import { plural } from '../../plural.js';
import { commandContext } from '../context.js';
import type { Output } from '../output.js';

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
        const written = writeDumpFile(out, result.sql);
        output.success(`${written ? 'Wrote' : 'Unchanged:'} ${out} (${what})`, { event: 'dump-written', file: out, written });
      }
    });
}

/** Refuses (exit 2) a FILE whose directory does not exist: a typo must not create a tree. */
export function assertDirectory(file: string, flag: string): void {
  const dir = dirname(file);
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new UsageError(`${flag} ${file}: directory ${dir} does not exist (create it first)`);
}

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

/**
 * Writes through a temporary file and a rename: an interrupted run never leaves half a file.
 * Unchanged content is not rewritten. Returns whether it wrote.
 */
export function writeDumpFile(file: string, sql: string): boolean {
  try {
    if (readFileSync(file, 'utf8') === sql) return false;
  } catch {
    // Not there yet (or unreadable: writing says why).
  }
  assertDirectory(file, '--out');
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, sql);
    renameSync(temporary, file);
    return true;
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${file}: ${code ?? (error as Error).message}`);
  }
}
