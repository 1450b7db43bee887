import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AeturnisError, ExitCode } from '../errors.js';
import type { Section } from '../migrations/parse.js';
import type { RawFinding } from './finding.js';
import { findingInFile, parseSquawkReport } from './squawk-report.js';

/**
 * Runs squawk on migration sections. Each section is written to a file of its own in a
 * temporary directory, so squawk judges UP and DOWN separately (a table the UP creates is not
 * "new" to the DOWN) and its positions are offsets into the section. Transactional sections are
 * checked with `--assume-in-transaction` (aeturnis-db wraps each in a transaction), the
 * sections of `-- aeturnis:no-transaction` migrations without it.
 */

/** One section to check. */
export interface SquawkInput {
  section: Section;
  /** Runs inside a transaction (every migration without `-- aeturnis:no-transaction`). */
  transactional: boolean;
}

/** Which of squawk's rules to run, and for which PostgreSQL. */
export interface SquawkSettings {
  binary: string;
  exclude: readonly string[];
  include: readonly string[];
  pgVersion?: string | undefined;
}

/** Sections per squawk process: keeps the command line short for thousands of migrations. */
const SECTIONS_PER_RUN = 200;

/**
 * squawk's findings for each input (same order), in the migration files' coordinates.
 */
export async function runSquawk(inputs: readonly SquawkInput[], settings: SquawkSettings): Promise<RawFinding[][]> {
  const results: RawFinding[][] = inputs.map(() => []);
  if (inputs.length === 0) return results;
  const dir = mkdtempSync(join(tmpdir(), 'aeturnis-lint-'));
  try {
    // An empty squawk config here keeps squawk from picking up a .squawk.toml above the
    // temporary directory: aeturnis-db.lint.json is the one place rules are chosen.
    writeFileSync(join(dir, '.squawk.toml'), '');
    const names = inputs.map((input, index) => {
      const name = `section-${index}.sql`;
      writeFileSync(join(dir, name), input.section.sql);
      return name;
    });
    for (const transactional of [true, false]) {
      const indexes = inputs.flatMap((input, index) => (input.transactional === transactional ? [index] : []));
      for (let start = 0; start < indexes.length; start += SECTIONS_PER_RUN) {
        const batch = indexes.slice(start, start + SECTIONS_PER_RUN);
        const report = await squawkReport(
          dir,
          batch.map((index) => names[index] as string),
          transactional,
          settings,
        );
        for (const entry of report) {
          const index = names.indexOf(entry.file);
          const input = inputs[index];
          if (!input) throw new Error(`squawk reported a file it was not given: ${entry.file}`);
          results[index]?.push(findingInFile(entry, input.section));
        }
      }
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The arguments of one squawk run. Pure. */
export function squawkArguments(files: readonly string[], transactional: boolean, settings: Omit<SquawkSettings, 'binary'>): string[] {
  const args = ['--reporter', 'json', transactional ? '--assume-in-transaction' : '--no-assume-in-transaction'];
  if (settings.exclude.length > 0) args.push(`--exclude=${settings.exclude.join(',')}`);
  if (settings.include.length > 0) args.push(`--include=${settings.include.join(',')}`);
  if (settings.pgVersion !== undefined) args.push(`--pg-version=${settings.pgVersion}`);
  return [...args, '--', ...files];
}

async function squawkReport(dir: string, files: string[], transactional: boolean, settings: SquawkSettings) {
  const { code, stdout, stderr } = await run(settings.binary, squawkArguments(files, transactional, settings), dir);
  // squawk exits 1 when it found something; its report is on stdout either way.
  if (code !== 0 && code !== 1) {
    const reason = stderr.trim().split('\n')[0] || `exit code ${code}`;
    throw new AeturnisError(`squawk failed: ${reason}`, ExitCode.usage);
  }
  return parseSquawkReport(stdout);
}

function run(binary: string, args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(startFailure(binary, error)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Why squawk did not start. A binary that is there but "not found" is one whose program
 * interpreter is missing: squawk's Linux binary is built for glibc, and musl systems (Alpine)
 * lack it.
 */
function startFailure(binary: string, error: NodeJS.ErrnoException): AeturnisError {
  const glibc =
    error.code === 'ENOENT' && existsSync(binary) && process.platform === 'linux'
      ? ' (the binary is there but cannot start: it is built for glibc, which this system, Alpine for example, lacks; run lint on a glibc-based system or image)'
      : '';
  return new AeturnisError(`squawk could not be started (${binary}): ${error.message}${glibc}`, ExitCode.usage);
}
