import type { LockRetryEvent } from '../db/lock-retry.js';
import { formatDuration } from '../db/lock-retry-schedule.js';
import type { MigratorEvent } from '../migrator.js';
import type { PartitionEvent } from '../partitions/ensure.js';
import type { Output } from './output.js';

/**
 * Turns progress events into log lines: one line per migration with its time, retries and
 * lock waits so a runner never waits silently.
 *
 * @example
 * await migrate({ ...options, onEvent: eventRenderer(output) });
 */
export function eventRenderer(output: Output): (event: MigratorEvent) => void {
  return (event) => {
    switch (event.type) {
      case 'embedded':
        output.info(
          `No database configured: ${event.creating ? 'creating an' : 'using the'} embedded database in ${event.dir} (set DATABASE_URL or pass --database-url to use a PostgreSQL server)`,
          { event: 'embedded', dir: event.dir, creating: event.creating },
        );
        break;
      case 'embedded-wait':
        output.info(`Waiting for the embedded database in ${event.dir}, in use by ${event.holder}`, {
          event: 'embedded-wait',
          dir: event.dir,
          holder: event.holder,
          waitedMs: event.waitedMs,
        });
        break;
      case 'connecting':
        break;
      case 'connect-retry':
        output.warn(
          `database not reachable (${event.reason}); retry ${event.attempt} in ${(event.delayMs / 1000).toFixed(1)}s, giving up in ${event.secondsLeft}s`,
          { event: 'connect-retry', attempt: event.attempt, reason: event.reason, delayMs: event.delayMs },
        );
        break;
      case 'lock-wait':
        output.info(`Waiting for the runner lock, held by ${event.holder}`, { event: 'lock-wait', holder: event.holder, waitedMs: event.waitedMs });
        break;
      case 'migration-start':
        break;
      case 'migration-resume': {
        const { resume } = event;
        const ran = resume.fromStatement === 1 ? 'statement 1' : `statements 1-${resume.fromStatement}`;
        const drops = resume.invalidIndexes.length > 0 ? `, dropping the INVALID index${resume.invalidIndexes.length === 1 ? '' : 'es'} ${resume.invalidIndexes.join(', ')} it left first` : '';
        const what = resume.fromStatement < resume.statementCount ? `resuming at statement ${resume.fromStatement + 1} of ${resume.statementCount}` : 'recording it';
        output.info(
          `${event.fileName} stopped part way at ${resume.stoppedAt.toISOString()}: ${what} (${ran} ran then and will not run again${drops})`,
          { event: 'resume', file: event.fileName, direction: event.direction, fromStatement: resume.fromStatement + 1, statementCount: resume.statementCount, invalidIndexes: resume.invalidIndexes },
        );
        break;
      }
      case 'migration-done': {
        const verb = event.direction === 'up' ? 'Applied' : 'Rolled back';
        output.success(`${verb} ${event.fileName} (${formatMs(event.executionMs)})`, {
          event: event.direction === 'up' ? 'applied' : 'rolled-back',
          version: event.version,
          file: event.fileName,
          executionMs: Math.round(event.executionMs),
        });
        break;
      }
      case 'plan': {
        const verb = event.direction === 'up' ? 'apply' : 'roll back';
        if (event.migrations.length === 0) output.info(`Dry run: nothing to ${verb}`, { event: 'plan', direction: event.direction, migrations: [] });
        else {
          output.info(`Dry run: would ${verb} ${event.migrations.length} migration${event.migrations.length === 1 ? '' : 's'}:`, {
            event: 'plan',
            direction: event.direction,
            migrations: event.migrations.map((m) => m.fileName),
          });
          if (output.format === 'human') for (const m of event.migrations) output.info(`  ${m.fileName}`);
        }
        break;
      }
      case 'nothing-to-do':
        output.info(event.direction === 'up' ? 'Nothing to migrate: the database is up to date' : 'Nothing to roll back', {
          event: 'nothing-to-do',
          direction: event.direction,
        });
        break;
      case 'seed-done':
        output.success(`Seeded ${event.fileName} (${formatMs(event.executionMs)})`, {
          event: 'seeded',
          file: event.fileName,
          executionMs: Math.round(event.executionMs),
        });
        break;
      case 'partition':
        renderPartitionEvent(output, event.event);
        break;
      case 'warning':
        output.warn(event.message, { event: 'warning' });
        break;
      case 'lock-retry':
        renderLockRetry(output, event);
        break;
      case 'verify-scratch':
        output.info(
          event.created
            ? `Verifying on scratch database ${event.database} (dropped afterwards)`
            : `Verifying on scratch database ${event.database}`,
          { event: 'verify-scratch', database: event.database, created: event.created },
        );
        break;
      case 'verify-baseline':
        output.info(`Applied ${event.fileName} (baseline, not verified)`, { event: 'verify-baseline', file: event.fileName });
        break;
      case 'verify-result': {
        const { result } = event;
        const fields = { event: 'verify-result', file: result.fileName, outcome: result.outcome, problems: result.problems };
        if (result.outcome === 'verified') output.success(`Verified ${result.fileName} (${formatMs(result.elapsedMs)})`, fields);
        else if (result.outcome === 'irreversible') output.warn(`Skipped ${result.fileName}: irreversible (no DOWN section), UP applied`, fields);
        else if (result.outcome === 'failed') output.error(`${result.fileName} does not round-trip: an SQL statement failed (listed below)`, fields);
        else output.error(`${result.fileName} does not round-trip (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}, listed below)`, fields);
        break;
      }
      case 'verify-rebuild':
        output.info(
          event.upTo === undefined
            ? `Rebuilding scratch database ${event.database}: emptied, nothing to re-apply`
            : `Rebuilding scratch database ${event.database} up to ${event.upTo} (UP only, ${event.migrations} migration${event.migrations === 1 ? '' : 's'}) to go on`,
          { event: 'verify-rebuild', database: event.database, upTo: event.upTo ?? null, migrations: event.migrations },
        );
        break;
      case 'verify-cleanup-failed':
        output.warn(`could not drop scratch database ${event.database} (${event.reason}); drop it by hand`, {
          event: 'verify-cleanup-failed',
          database: event.database,
        });
        break;
    }
  };
}

/**
 * One line per retry: where it waited, for how long, who blocked it, and what comes next.
 *
 * @example
 * // 0002_add_email.sql:2:1: lock not available within 100 ms, blocked by pid 4242 (psql, ...);
 * //   rolled back, attempt 2 in 50 ms (lock_timeout 200 ms)
 */
function renderLockRetry(output: Output, event: LockRetryEvent): void {
  const within = event.lockTimeoutMs ? ` within ${formatDuration(event.lockTimeoutMs)}` : '';
  const pause = formatDuration(event.sleepMs);
  const next =
    event.nextLockTimeoutMs === 0
      ? `last attempt in ${pause}, without a lock timeout`
      : `attempt ${event.attempt + 1} in ${pause}${event.nextLockTimeoutMs === undefined ? '' : ` (lock_timeout ${formatDuration(event.nextLockTimeoutMs)})`}`;
  // Progress, like the runner-lock wait: on stdout, so stderr stays for what went wrong.
  output.info(`${event.where}: lock not available${within}, blocked by ${event.blocker}; rolled back, ${next}`, {
    event: 'lock-retry',
    file: event.fileName,
    direction: event.direction,
    attempt: event.attempt,
    lockTimeoutMs: event.lockTimeoutMs ?? null,
    blockers: event.blockers,
    sleepMs: event.sleepMs,
    nextLockTimeoutMs: event.nextLockTimeoutMs ?? null,
  });
}

function renderPartitionEvent(output: Output, event: PartitionEvent): void {
  const fields = { event: 'partition', kind: event.type };
  if (event.type === 'month-conflict' || event.type === 'drop-failed' || event.type === 'default-problem') output.warn(event.message, fields);
  else if (event.type === 'partition-created' || event.type === 'partition-dropped' || event.type === 'default-created') output.success(event.message, fields);
  else if (event.type === 'month-covered') return; // summarised by the 'done' line
  else output.info(event.message, fields);
}

/**
 * Milliseconds for people: `12 ms`, `1.4 s`.
 *
 * @example
 * formatMs(1432) // '1.4 s'
 */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}
