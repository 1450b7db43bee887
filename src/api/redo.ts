import { MigrationSqlError } from '../errors.js';
import { readJournal } from '../journal/journal.js';
import { planRedo } from '../migrations/plan.js';
import type { RanMigration } from './events.js';
import { commandMigrations, type CommonOptions } from './options.js';
import { runAll } from './run.js';
import { withSession } from './scope.js';

/** Result of {@link redo}. */
export interface RedoResult {
  /** The migration rolled back and applied again; undefined when nothing was applied. */
  redone: { rolledBack: RanMigration; applied: RanMigration } | undefined;
  /** Its file had been edited since it was applied (its current DOWN and UP ran). */
  edited: boolean;
}

/**
 * Rolls back the newest applied migration and applies it again, under one hold of the runner
 * lock: the developer's edit loop. The file may have been edited since it was applied; every
 * other applied migration must still match its file. Each step is its own transaction, so if
 * UP fails after DOWN succeeded, the migration is left rolled back (and the error says so).
 *
 * @example
 * const { redone } = await redo({ databaseUrl });
 * console.log(redone ? `redid ${redone.applied.fileName}` : 'nothing applied yet');
 */
export async function redo(options: CommonOptions = {}): Promise<RedoResult> {
  const migrations = commandMigrations(options);
  return withSession(
    options,
    async (scope) => {
      const plan = planRedo(migrations, (await readJournal(scope.session.client, scope.journal)).rows);
      if (!plan) {
        scope.emit({ type: 'nothing-to-do', direction: 'down' });
        return { redone: undefined, edited: false };
      }
      const { migration, edited } = plan;
      if (edited) {
        scope.emit({
          type: 'warning',
          message: `${migration.fileName} changed since it was applied: running the DOWN section as the file reads now`,
        });
      }
      const [rolledBack] = await runAll(scope, [migration], options, { direction: 'down' });
      let applied: RanMigration[];
      try {
        applied = await runAll(scope, [migration], options, { direction: 'up' });
      } catch (error) {
        throw error instanceof MigrationSqlError ? nowPending(error, migration.fileName) : error;
      }
      const again = applied[0];
      return { redone: rolledBack && again ? { rolledBack, applied: again } : undefined, edited };
    },
    {},
  );
}

function nowPending(error: MigrationSqlError, fileName: string): MigrationSqlError {
  return new MigrationSqlError({
    file: error.file,
    location: error.location,
    sqlState: error.sqlState,
    pgMessage: error.pgMessage,
    detail: [error.detail, `${fileName} was rolled back and is now pending`].filter(Boolean).join('; '),
  });
}
