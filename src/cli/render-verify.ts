import type { VerifyEvent } from '../api/events.js';
import type { VerifiedMigration } from '../api/verify.js';
import type { Renderers } from './render-types.js';
import { formatMs } from './format.js';
import { plural } from '../plural.js';

/** verify: the scratch database, each migration's round trip, rebuilds. */
export const verifyRenderers: Renderers<VerifyEvent> = {
  'verify-scratch': (event, output) => {
    const notes = [
      ...(event.created ? ['dropped afterwards'] : []),
      ...(event.settings.length > 0 ? [`with the target's database settings: ${event.settings.join(', ')}`] : []),
      ...(event.setup !== undefined ? [`--scratch-setup ${event.setup} run first`] : []),
    ];
    output.info(`Verifying on scratch database ${event.database}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`, {
      event: 'verify-scratch',
      database: event.database,
      created: event.created,
      settings: event.settings,
      setup: event.setup ?? null,
    });
  },
  'verify-baseline': (event, output) => {
    output.info(`Applied ${event.fileName} (baseline, not verified)`, { event: 'verify-baseline', file: event.fileName });
  },
  'verify-result': (event, output) => {
    const { result } = event;
    const fields = {
      event: 'verify-result',
      file: result.fileName,
      outcome: result.outcome,
      problems: result.problems,
      ...(result.downSection ? { downSection: result.downSection } : {}),
    };
    if (result.outcome === 'verified') output.success(`Verified ${result.fileName} (${formatMs(result.elapsedMs)})`, fields);
    else if (result.outcome === 'irreversible')
      output.warn(`Skipped ${result.fileName}: ${irreversibleBecause(result)}, UP applied`, fields);
    else if (result.outcome === 'failed')
      output.error(`${result.fileName} does not round-trip: an SQL statement failed (listed below)`, fields);
    else output.error(`${result.fileName} does not round-trip (${plural(result.problems.length, 'problem')}, listed below)`, fields);
  },
  'verify-rebuild': (event, output) => {
    output.info(
      event.upTo === undefined
        ? `Rebuilding scratch database ${event.database}: emptied, nothing to re-apply`
        : `Rebuilding scratch database ${event.database} up to ${event.upTo} (UP only, ${plural(event.migrations, 'migration')}) to go on`,
      { event: 'verify-rebuild', database: event.database, upTo: event.upTo ?? null, migrations: event.migrations },
    );
  },
  'verify-stopped': (event, output) => {
    output.warn(
      `verify stopped after ${event.fileName}: it left --scratch-url database ${event.database} in another state than its UP builds, so the migrations after it were not verified (--keep-going rebuilds the database and goes on)`,
      { event: 'verify-stopped', file: event.fileName, database: event.database },
    );
  },
  'verify-cleanup-failed': (event, output) => {
    output.warn(`could not drop scratch database ${event.database} (${event.reason}); drop it by hand`, {
      event: 'verify-cleanup-failed',
      database: event.database,
    });
  },
};

/** "no DOWN section" and "an empty DOWN section" are different slips in a file: say which. */
function irreversibleBecause(result: VerifiedMigration): string {
  return result.downSection === 'empty'
    ? 'irreversible (its DOWN section is empty; if there is truly nothing to undo, put -- aeturnis:nothing-to-undo in it)'
    : 'irreversible (no DOWN section)';
}
