import type { SessionEvent } from '../api/events.js';
import type { Renderers } from './render-types.js';

/** Connecting: the embedded database, retries of an unreachable server. */
export const sessionRenderers: Renderers<SessionEvent> = {
  embedded: (event, output) => {
    output.info(
      `No database configured: ${event.creating ? 'creating an' : 'using the'} embedded database in ${event.dir} (set DATABASE_URL or pass --database-url to use a PostgreSQL server)`,
      { event: 'embedded', dir: event.dir, creating: event.creating },
    );
  },
  'embedded-wait': (event, output) => {
    output.info(`Waiting for the embedded database in ${event.dir}, in use by ${event.holder}`, {
      event: 'embedded-wait',
      dir: event.dir,
      holder: event.holder,
      waitedMs: event.waitedMs,
    });
  },
  connecting: () => {},
  'connect-retry': (event, output) => {
    output.warn(
      `database not reachable (${event.reason}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)}s, giving up in ${event.secondsLeft}s`,
      { event: 'connect-retry', attempt: event.attempt, reason: event.reason, delayMs: event.delayMs },
    );
  },
};
