import type { MigratorEvent } from '../api/events.js';
import type { Output } from './output.js';
import { MigrationProgress } from './progress.js';
import { runRenderers } from './render-run.js';
import { sessionRenderers } from './render-session.js';
import type { Renderers } from './render-types.js';
import { verifyRenderers } from './render-verify.js';

export { formatMs } from './format.js';

/** Every event kind's renderer; a new kind of event does not compile until it is rendered. */
const RENDERERS: Renderers<MigratorEvent> = { ...sessionRenderers, ...runRenderers, ...verifyRenderers };

/**
 * Turns progress events into log lines: one line per migration with its time, retries and
 * lock waits so a runner never waits silently; with `progress`, the migration running now is
 * shown while it runs (progress.ts: a live line on a terminal, a reminder in logs).
 */
export function eventRenderer(output: Output, options: { progress?: boolean } = {}): (event: MigratorEvent) => void {
  const liveLine = output.format === 'human' && process.stdout.isTTY === true;
  const progress = options.progress ? new MigrationProgress(output, { terminal: liveLine ? process.stdout : undefined }) : undefined;
  let running: { direction: 'up' | 'down'; fileName: string; started: number } | undefined;
  return (event) => {
    progress?.stop();
    const render = RENDERERS[event.type] as (event: MigratorEvent, output: Output) => void;
    render(event, output);
    if (event.type === 'migration-start') running = { direction: event.direction, fileName: event.fileName, started: performance.now() };
    if (event.type === 'migration-done') running = undefined;
    // A line printed while a migration runs (a lock retry, a warning) does not end it: show it again.
    if (running) progress?.start(running.direction, running.fileName, running.started);
  };
}
