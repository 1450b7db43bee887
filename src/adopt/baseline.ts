import type pg from 'pg';
import { UsageError, ValidationError } from '../errors.js';
import { readJournal, type Journal } from '../journal/journal.js';
import type { Migration } from '../migrations/parse.js';
import { recordWithoutRunning } from './record.js';
import { plural } from '../plural.js';

/**
 * The migrations `baseline VERSION` records: every local one up to and including VERSION, which
 * must be the version of a local file (a typo must not record the wrong set). Pure.
 */
export function baselineMigrations(migrations: readonly Migration[], version: number, dir: string): Migration[] {
  if (!migrations.some((migration) => migration.version === version)) {
    const known =
      migrations.length === 0
        ? 'it holds no migrations'
        : `its versions run from ${migrations[0]?.version} to ${migrations.at(-1)?.version}`;
    throw new UsageError(`baseline ${version}: no migration in ${dir} has version ${version} (${known})`);
  }
  return migrations.filter((migration) => migration.version <= version);
}

/**
 * Records `migrations` as applied without running them, into an empty journal only: a journal
 * with rows (or a partial run) is refused (exit 3), since a baseline describes a database no
 * tool has migrated. Call inside one transaction, under the runner lock.
 */
export async function baselineJournal(
  client: pg.ClientBase,
  journal: Journal,
  migrations: readonly Migration[],
  dryRun: boolean,
): Promise<void> {
  const { rows, partial } = await readJournal(client, journal);
  if (rows.length > 0 || partial.length > 0) {
    const newest = rows.at(-1);
    const holds =
      rows.length > 0
        ? `${plural(rows.length, 'applied migration')} (newest: version ${newest?.versionText ?? newest?.version})`
        : 'a partial run';
    const problem = `the journal ${journal.display} already records ${holds}`;
    throw new ValidationError(`${problem}: baseline only records into an empty journal (use up to apply what is pending)`, [problem]);
  }
  if (dryRun) return;
  const records = migrations.map((migration) => ({ migration, sourceVersion: undefined, appliedAt: undefined, executionMs: 0 }));
  await recordWithoutRunning(client, journal, records, { source: 'baseline', sourceTable: undefined });
}
