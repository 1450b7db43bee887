import './node-navigator.js'; // first: before anything loads pg (start-up speed, see there)
import { existsSync } from 'node:fs';
import { CommanderError } from 'commander';
import { AeturnisError, ExitCode, InterruptedError, RunInterruptedError, ValidationError } from '../errors.js';
import { maskPassword } from '../db/connection-config.js';
import { activeOutput, interruption } from './context.js';
import { createOutput, type Output } from './output.js';
import { buildProgram } from './program.js';

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs the CLI and returns its exit code. Never throws, never prints a stack trace (set
 * AETURNIS_DEBUG=1 to see one).
 *
 * @example
 * process.exitCode = await main(process.argv);
 */
export async function main(argv: string[]): Promise<number> {
  await loadDotEnv();
  installSignalHandlers();
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    if (interruption.signal.aborted) return SIGNAL_EXIT_CODES[signalOf()] ?? 130;
    return ExitCode.ok;
  } catch (error) {
    const output = activeOutput ?? (await createOutput({ format: 'human' }));
    const code = report(output, error);
    await output.flush();
    return code;
  }
}

function report(output: Output, error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    const message = error.message.replace(/^error:\s*/i, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
    output.error(`${message} (see aeturnis-db --help)`, { code: error.code });
    return ExitCode.usage;
  }
  if (error instanceof InterruptedError || interruption.signal.aborted) {
    const signal = error instanceof InterruptedError ? error.signal : signalOf();
    if (error instanceof RunInterruptedError) {
      const run = error;
      output.error(run.describe(), {
        signal,
        completed: run.completed.map((m) => m.fileName),
        rolledBack: run.rolledBack ?? null,
        partiallyApplied: run.partiallyApplied ?? null,
        notRun: run.notRun,
      });
    } else {
      output.error(`interrupted by ${signal}; nothing further was changed`, { signal });
    }
    return SIGNAL_EXIT_CODES[signal] ?? 130;
  }
  if (error instanceof ValidationError && error.problems.length > 0) {
    output.error(error.message, { code: error.exitCode, problems: error.problems });
    if (output.format === 'human' && (error.problems.length > 1 || !error.message.includes(error.problems[0] ?? ''))) {
      for (const problem of error.problems) output.error(`  ${problem}`);
    }
    return error.exitCode;
  }
  if (error instanceof AeturnisError) {
    output.error(error.message, { code: error.exitCode });
    return error.exitCode;
  }
  const pgCode = (error as { code?: unknown }).code;
  const message = maskPassword(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
  if (typeof pgCode === 'string' && /^[0-9A-Z]{5}$/.test(pgCode)) {
    output.error(`${message} (SQLSTATE ${pgCode})`, { sqlState: pgCode });
    return ExitCode.sqlFailed;
  }
  if (typeof pgCode === 'string' && /^E[A-Z]+$/.test(pgCode)) {
    output.error(`lost the database connection: ${message}`, { errno: pgCode });
    return ExitCode.connection;
  }
  output.error(message);
  if (process.env.AETURNIS_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return ExitCode.sqlFailed;
}

function signalOf(): NodeJS.Signals {
  const reason: unknown = interruption.signal.reason;
  return reason === 'SIGTERM' ? 'SIGTERM' : 'SIGINT';
}

function installSignalHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (interruption.signal.aborted) process.exit(SIGNAL_EXIT_CODES[signal] ?? 130); // second signal: stop now
      interruption.abort(signal);
    });
  }
}

async function loadDotEnv(): Promise<void> {
  // dotenv reads ./.env (or ./.env.vault with DOTENV_KEY): with neither there, skip loading it.
  if (!existsSync('.env') && !existsSync('.env.vault')) return;
  try {
    const { config } = await import('dotenv');
    config({ quiet: true });
  } catch {
    // No .env, or unreadable: real environment variables still apply.
  }
}
