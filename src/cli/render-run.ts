import type { LockRetryEvent, PartitionEvent, RunEvent } from '../api/events.js';
import { formatDuration } from '../api/lock-retries.js';
import type { Output } from './output.js';
import type { Renderers } from './render-types.js';
import { formatMs } from './format.js';
import { plural } from '../plural.js';

type RunOrPartition = RunEvent | LockRetryEvent | { type: 'partition'; event: PartitionEvent };

/** Running migrations: one line per migration with its time, lock waits, dry-run plans. */
export const runRenderers: Renderers<RunOrPartition> = {
  'lock-wait': (event, output) => {
    output.info(`Waiting for the runner lock, held by ${event.holder}`, {
      event: 'lock-wait',
      holder: event.holder,
      waitedMs: event.waitedMs,
    });
  },
  'migration-start': () => {},
  'migration-resume': (event, output) => {
    const { resume } = event;
    const ran = resume.fromStatement === 1 ? 'statement 1' : `statements 1-${resume.fromStatement}`;
    const drops =
      resume.invalidIndexes.length > 0
        ? `, dropping the INVALID index${resume.invalidIndexes.length === 1 ? '' : 'es'} ${resume.invalidIndexes.join(', ')} it left first`
        : '';
    const what =
      resume.fromStatement < resume.statementCount
        ? `resuming at statement ${resume.fromStatement + 1} of ${resume.statementCount}`
        : 'recording it';
    output.info(
      `${event.fileName} stopped part way at ${resume.stoppedAt.toISOString()}: ${what} (${ran} ran then and will not run again${drops})`,
      {
        event: 'resume',
        file: event.fileName,
        direction: event.direction,
        fromStatement: resume.fromStatement + 1,
        statementCount: resume.statementCount,
        invalidIndexes: resume.invalidIndexes,
      },
    );
  },
  'migration-done': (event, output) => {
    const verb = event.direction === 'up' ? 'Applied' : 'Rolled back';
    const what = event.noSql ? ': nothing to undo, no SQL ran' : '';
    output.success(`${verb} ${event.fileName}${what} (${formatMs(event.executionMs)})`, {
      event: event.direction === 'up' ? 'applied' : 'rolled-back',
      version: event.version,
      file: event.fileName,
      executionMs: Math.round(event.executionMs),
    });
  },
  plan: (event, output) => {
    const verb = event.direction === 'up' ? 'apply' : 'roll back';
    if (event.migrations.length === 0)
      output.info(`Dry run: nothing to ${verb}`, { event: 'plan', direction: event.direction, migrations: [] });
    else {
      output.info(`Dry run: would ${verb} ${plural(event.migrations.length, 'migration')}:`, {
        event: 'plan',
        direction: event.direction,
        migrations: event.migrations.map((m) => m.fileName),
      });
      if (output.format === 'human') for (const m of event.migrations) output.info(`  ${m.fileName}`);
    }
  },
  'nothing-to-do': (event, output) => {
    output.info(event.direction === 'up' ? 'Nothing to migrate: the database is up to date' : 'Nothing to roll back', {
      event: 'nothing-to-do',
      direction: event.direction,
    });
  },
  'placeholder-rewritten': (event, output) => {
    const what = `the checksum of ${event.fileName}, rewritten in SQL from the placeholder for ${event.of} that this database adopted (its SQL does not run here)`;
    output.info(event.dryRun ? `Dry run: would record ${what}` : `Recorded ${what}`, {
      event: 'placeholder-rewritten',
      version: event.version,
      file: event.fileName,
      placeholderOf: event.of,
      dryRun: event.dryRun,
    });
  },
  'seed-done': (event, output) => {
    output.success(`Seeded ${event.fileName} (${formatMs(event.executionMs)})`, {
      event: 'seeded',
      file: event.fileName,
      executionMs: Math.round(event.executionMs),
    });
  },
  'reset-dropped': (event, output) => {
    output.info(resetDroppedMessage(event), {
      event: 'reset-dropped',
      database: event.database,
      dropped: event.dropped,
      recreated: event.recreated,
    });
  },
  partition: (event, output) => {
    renderPartitionEvent(output, event.event);
  },
  'lock-retry': (event, output) => renderLockRetry(output, event),
  warning: (event, output) => {
    output.warn(event.message, { event: 'warning' });
  },
  'no-embedded-database': (event, output) => {
    output.info(
      `No database configured and no embedded database in ${event.dir} yet: nothing is applied (up creates it; set DATABASE_URL or pass --database-url to use a PostgreSQL server)`,
      { event: 'no-embedded-database', dir: event.dir },
    );
  },
};

/**
 * One line per retry: where it waited, for how long, who blocked it, and what comes next.
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

/**
 * The line saying what reset dropped and created again.
 */
export function resetDroppedMessage(event: Extract<RunEvent, { type: 'reset-dropped' }>): string {
  const { database, dropped, recreated } = event;
  if (dropped.length === 0) return `Nothing to drop in database ${database}: none of the migrations' schemas exists yet`;
  const one = dropped.length === 1;
  const what = `Dropped ${one ? 'schema' : 'schemas'} ${dropped.join(', ')} of database ${database} with everything in ${one ? 'it' : 'them'}`;
  if (recreated.length === 0) return `${what} (the migrations create ${one ? 'it' : 'them'} again)`;
  const again = recreated.length === dropped.length ? (one ? 'it' : 'them') : recreated.join(', ');
  return `${what}, and created ${again} again, empty, with ${recreated.length === 1 ? 'its' : 'their'} owner and privileges`;
}

function renderPartitionEvent(output: Output, event: PartitionEvent): void {
  const fields = { event: 'partition', kind: event.type };
  if (event.type === 'period-conflict' || event.type === 'drop-failed' || event.type === 'default-problem')
    output.warn(event.message, fields);
  else if (
    event.type === 'partition-created' ||
    event.type === 'partition-dropped' ||
    event.type === 'partition-detached' ||
    event.type === 'default-created'
  )
    output.success(event.message, fields);
  else if (event.type === 'period-covered')
    return; // summarised by the 'done' line
  else output.info(event.message, fields);
}
