import './node-navigator.js'; // first: before anything loads pg (start-up speed, see there)
import { existsSync } from 'node:fs';
import { CommanderError } from 'commander';
import { AeturnisError, ExitCode, InterruptedError, RunInterruptedError, signalOf, ValidationError } from '../errors.js';
import { maskPassword } from '../redact.js';
import { debugSetting } from '../settings.js';
import { activeOutput, interruption } from './context.js';
import { createOutput, type Output } from './output.js';
import { stopActiveProgress } from './progress.js';
import { buildProgram } from './program.js';

/**
 * The command the last {@link main} ran ('' when none ran: --help, a usage error). bin/ keys its
 * compiled-code cache on it, so each command's cache holds the code that command runs.
 */
export let lastCommand = '';

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs the CLI and returns its exit code. Never throws, never prints a stack trace (set
 * AETURNIS_DEBUG=1 to see one).
 */
export async function main(argv: string[]): Promise<number> {
  await loadDotEnv();
  installSignalHandlers();
  const program = buildProgram();
  program.hook('preAction', (_program, action) => {
    lastCommand = action.name();
  });
  if (argv.length <= 2) {
    // No command at all: the usage, as for any other usage error (exit 2).
    process.stderr.write(program.helpInformation());
    return ExitCode.usage;
  }
  try {
    await program.parseAsync(argv);
    if (interruption.signal.aborted) return SIGNAL_EXIT_CODES[signalOf(interruption.signal)] ?? 130;
    return ExitCode.ok;
  } catch (error) {
    stopActiveProgress();
    const output = activeOutput ?? (await createOutput({ format: 'human' }));
    const code = report(output, await typed(error));
    await output.flush();
    return code;
  }
}

function report(output: Output, error: unknown): number {
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
    const message = error.message
      .replace(/^error:\s*/i, '')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' ');
    output.error(`${message} (see aeturnis-db --help)`, { code: error.code });
    return ExitCode.usage;
  }
  if (error instanceof InterruptedError || interruption.signal.aborted) {
    const signal = error instanceof InterruptedError ? error.signal : signalOf(interruption.signal);
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
  const message = maskPassword(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
  output.error(message);
  if (debugSetting() && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  return ExitCode.sqlFailed;
}

/**
 * The API throws typed errors; anything else that escapes (a bug, or pg failing outside a
 * command's scope) is typed the same way here. Loaded only on this path: --help stays fast.
 */
async function typed(error: unknown): Promise<unknown> {
  if (error instanceof AeturnisError || error instanceof InterruptedError || error instanceof CommanderError) return error;
  const { typedError } = await import('../api/scope.js');
  return typedError(error, interruption.signal);
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
    // A CommonJS package: bundled (scripts/build.mjs), import() gives only its default export.
    const dotenv = await import('dotenv');
    (dotenv.default ?? dotenv).config({ quiet: true });
  } catch {
    // No .env, or unreadable: real environment variables still apply.
  }
}
