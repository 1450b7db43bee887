import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const launcher = `${repoRoot}/bin/aeturnis-db.js`;

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Sets DATABASE_URL for the process (PG* variables are always removed). */
  databaseUrl?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Environment for a CLI child: no PG*, no DATABASE_URL unless given, no colours. */
export function cliEnv(options: CliOptions = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^PG[A-Z]+$/.test(key) || key === 'DATABASE_URL' || key === 'TEST_DATABASE_URL' || key.startsWith('AETURNIS_')) continue;
    if (key.startsWith('VITEST') || key === 'NODE_ENV') continue;
    env[key] = value;
  }
  env.NO_COLOR = '1';
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Starts the built CLI as its own process (as a user would run it). */
export function startCli(args: string[], options: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [launcher, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: cliEnv(options),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a started CLI's output and exit. */
export function collect(child: ChildProcess, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`CLI did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/**
 * Runs `node bin/aeturnis-db.js ...args` and waits for it.
 *
 * @example
 * const { code, stdout } = await runCli(['status', '--json'], { databaseUrl: db.url, cwd: project });
 */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return collect(startCli(args, options), options.timeoutMs);
}
