// The terminal edge of reset's confirmation (the decisions are in reset-confirm.ts). Imported
// with import() by the command when it asks, so readline loads only then (start-up speed).
import { createInterface } from 'node:readline';
import { InterruptedError, signalOf } from '../../errors.js';

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
