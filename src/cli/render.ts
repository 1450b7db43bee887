import type { MigratorEvent } from '../api/events.js';
import type { Output } from './output.js';
import { runRenderers } from './render-run.js';
import { sessionRenderers } from './render-session.js';
import type { Renderers } from './render-types.js';
import { verifyRenderers } from './render-verify.js';

export { formatMs } from './format.js';

/** Every event kind's renderer; a new kind of event does not compile until it is rendered. */
const RENDERERS: Renderers<MigratorEvent> = { ...sessionRenderers, ...runRenderers, ...verifyRenderers };

/**
 * Turns progress events into log lines: one line per migration with its time, retries and
 * lock waits so a runner never waits silently.
 *
 * @example
 * await migrate({ ...options, onEvent: eventRenderer(output) });
 */
export function eventRenderer(output: Output): (event: MigratorEvent) => void {
  return (event) => {
    const render = RENDERERS[event.type] as (event: MigratorEvent, output: Output) => void;
    render(event, output);
  };
}
