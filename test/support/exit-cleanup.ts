/** Undo steps still pending when the process ends, newest first. */
const pending: Array<() => void> = [];

/** vitest ends its worker processes with SIGTERM; Ctrl-C sends SIGINT. */
const ENDING_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;

let listening = false;

/**
 * Runs `undo` (synchronously) when the process exits or is ended by a signal, unless the
 * returned function is called first: a test run that ends early still stops its private
 * server and removes its files.
 *
 * @example
 * const done = onExit(() => rmSync(dir, { recursive: true, force: true }));
 * // ... normal cleanup ...
 * done();
 */
export function onExit(undo: () => void): () => void {
  if (!listening) {
    listening = true;
    process.once('exit', runPending);
    for (const signal of ENDING_SIGNALS) process.once(signal, () => endBy(signal));
  }
  pending.push(undo);
  return () => {
    const index = pending.indexOf(undo);
    if (index >= 0) pending.splice(index, 1);
  };
}

function endBy(signal: NodeJS.Signals): void {
  runPending();
  // Our listener is gone (once): the signal now does what it would have done without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function runPending(): void {
  for (const undo of pending.splice(0).reverse()) {
    try {
      undo();
    } catch {
      // Best effort: the process is going away anyway.
    }
  }
}
