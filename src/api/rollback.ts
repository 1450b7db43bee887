import { readJournal } from '../journal/journal.js';
import { planDown } from '../migrations/plan.js';
import type { PlannedMigration, RanMigration } from './events.js';
import { absentEmbeddedDatabase } from './embedded-state.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { runAll } from './run.js';
import { resolveCommandConnection, withSession } from './scope.js';

/** Options of {@link rollback}. */
export interface RollbackOptions extends CommonOptions {
  /** Roll back the newest `count` applied migrations (default 1). */
  count?: number | undefined;
  /** Roll back every applied migration with version > to (0: all). */
  to?: number | undefined;
  dryRun?: boolean | undefined;
}

/** Result of {@link rollback}. */
export interface RollbackResult {
  rolledBack: RanMigration[];
  planned: PlannedMigration[];
}

/**
 * Rolls back the newest applied migrations (default 1), newest first, each in its own
 * transaction, under the runner lock. Refuses (ValidationError) before changing anything when
 * one of them is irreversible, modified or missing.
 *
 * @example
 * await rollback({ databaseUrl, count: 2 });
 * await rollback({ databaseUrl, to: 0 }); // everything
 */
export async function rollback(options: RollbackOptions = {}): Promise<RollbackResult> {
  const migrations = commandMigrations(options);
  const connection = resolveCommandConnection(options);
  const absent = await absentEmbeddedDatabase(options, connection);
  if (absent !== undefined) {
    // No embedded database yet: nothing was ever applied there, so nothing to roll back — and
    // no reason to create one to say so.
    options.onEvent?.({ type: 'no-embedded-database', dir: absent });
    options.onEvent?.({ type: 'nothing-to-do', direction: 'down' });
    return { rolledBack: [], planned: [] };
  }
  return withSession(
    options,
    async (scope) => {
      const { rows, partial } = await readJournal(scope.session.client, scope.journal);
      const { rollback: selected, resume } = planDown(migrations, rows, options, partial);
      const planned = selected.map(({ version, name, fileName }) => ({ version, name, fileName }));
      if (options.dryRun) {
        scope.emit({ type: 'plan', direction: 'down', migrations: planned });
        return { rolledBack: [], planned };
      }
      if (selected.length === 0) scope.emit({ type: 'nothing-to-do', direction: 'down' });
      const rolledBack = await runAll(scope, selected, options, { direction: 'down', resume });
      return { rolledBack, planned };
    },
    options.dryRun ? undefined : {},
    { connection },
  );
}
