import { createInterface } from 'node:readline';
import { InterruptedError, signalOf, UsageError } from '../../errors.js';
import type { ResetTarget } from '../../api/reset.js';
import { plural } from '../../plural.js';

/**
 * `reset` asks before it drops anything: on a terminal it names the database and waits for
 * y/N; off a terminal (CI, a script, an init container) nobody can answer, so it needs
 * `--force` there. The decisions are pure; askOnTerminal, at the end, is the terminal edge. The
 * command imports this file when it runs, so readline never loads for other commands.
 */

/** Whether to go ahead, ask first, or refuse. */
export type ConfirmMode = 'go' | 'ask' | 'refuse';

/**
 * `--force` goes ahead; otherwise a terminal on stdin is asked and anything else is refused.
 */
export function confirmMode(force: boolean | undefined, stdinIsTerminal: boolean | undefined): ConfirmMode {
  if (force) return 'go';
  return stdinIsTerminal ? 'ask' : 'refuse';
}

/** The one-line refusal off a terminal (exit 2). */
export function offTerminalRefusal(): UsageError {
  return new UsageError(
    'refusing to reset without confirmation: stdin is not a terminal, so nobody can answer; pass --force to reset without asking',
  );
}

/**
 * The question: which database, what goes, what comes back.
 */
export function confirmQuestion(target: ResetTarget): string {
  const { database, schemas, kept, journal, migrations, seeds } = target;
  const inKept = kept.length === 0 ? '' : `what the migrations made in ${kept.length === 1 ? 'schema' : 'schemas'} ${kept.join(', ')}`;
  const drops =
    schemas.length === 0
      ? inKept
        ? `This drops ${inKept} (the journal ${journal} too; what was there before them stays)`
        : 'Nothing is there to drop yet'
      : `This drops ${schemas.length === 1 ? 'schema' : 'schemas'} ${schemas.join(', ')} with all ${schemas.length === 1 ? 'its' : 'their'} data${inKept ? ` and ${inKept}` : ''} (the journal ${journal} too)`;
  const seeding = seeds > 0 ? ` and runs ${plural(seeds, 'seed')}` : '';
  return `Reset database ${database}? ${drops}, then applies ${plural(migrations, 'migration')}${seeding}. [y/N] `;
}

/**
 * Only an explicit yes confirms; an empty answer is the default, no.
 */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}

/**
 * Asks `question` on the terminal (the prompt on stderr, so stdout stays the command's) and
 * resolves with the answer line; a closed stdin (Ctrl-D) answers "". Ctrl-C, or `signal`,
 * rejects with an InterruptedError: nothing was changed yet.
 */
export async function askOnTerminal(question: string, signal: AbortSignal): Promise<string> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise<string>((resolve, reject) => {
    const finish = (settle: () => void): void => {
      signal.removeEventListener('abort', onAbort);
      terminal.removeAllListeners('close');
      terminal.close();
      settle();
    };
    const onAbort = (): void => finish(() => reject(new InterruptedError(signalOf(signal))));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    // In raw mode readline receives Ctrl-C itself, as its own SIGINT event.
    terminal.on('SIGINT', () => finish(() => reject(new InterruptedError('SIGINT'))));
    terminal.on('close', () => finish(() => resolve('')));
    terminal.question(question, (answer) => finish(() => resolve(answer)));
  });
}
