import { resolve } from 'node:path';
import { parseTableName, type TableName } from '../identifiers.js';
import type { LockRetries } from '../lock-retries/schedule.js';
import type { SessionOptions } from '../connection/session.js';
import { loadMigrations } from '../migrations/discover.js';
import type { Migration } from '../migrations/parse.js';
import { migrationsDirSetting, SETTINGS } from '../settings.js';
import type { MigratorEvent } from './events.js';

/** Options every command takes. */
export interface CommonOptions extends SessionOptions {
  /** Migrations directory (default: AETURNIS_MIGRATIONS_DIR or ./migrations). */
  dir?: string | undefined;
  /** Journal table, optionally schema-qualified (default schema_migrations). */
  table?: string | undefined;
  /** Bound the wait for the runner lock (default: wait as long as it takes). */
  lockTimeoutSeconds?: number | undefined;
  /**
   * Lock retries: `false` or `'off'` to turn them off, a schedule such as
   * `'100ms..300ms,50ms..60s,40m'` (or a parsed one) to choose it; default AETURNIS_LOCK_RETRIES,
   * else the default schedule (docs/lock-retries.md).
   */
  lockRetries?: LockRetries | string | false | undefined;
  /** Progress callback. */
  onEvent?: ((event: MigratorEvent) => void) | undefined;
  /**
   * Where the migration files come from (default: read from `dir` on every call). A fleet run
   * passes one {@link sharedMigrationFiles} to every target: the files are read once, and every
   * database gets the same migrations even if a file changes during the run.
   */
  migrationFiles?: MigrationFiles | undefined;
}

/** Reads the migrations of a directory. */
export interface MigrationFiles {
  load(dir: string): Migration[];
}

/**
 * The migrations of a command: its directory read (or taken from `migrationFiles`).
 */
export function commandMigrations(options: Pick<CommonOptions, 'dir' | 'env' | 'migrationFiles'>): Migration[] {
  const dir = migrationsDir(options);
  return options.migrationFiles ? options.migrationFiles.load(dir) : loadMigrations(dir);
}

/**
 * Migration files read once per directory and then shared (for many commands over the same files).
 */
export function sharedMigrationFiles(): MigrationFiles {
  const byDir = new Map<string, Migration[]>();
  return {
    load(dir) {
      let migrations = byDir.get(dir);
      if (!migrations) {
        migrations = loadMigrations(dir);
        byDir.set(dir, migrations);
      }
      return migrations;
    },
  };
}

/**
 * The migrations directory of a command: the option, then AETURNIS_MIGRATIONS_DIR, then
 * ./migrations (empty counts as unset: settings.ts), as an absolute path.
 */
export function migrationsDir(options: Pick<CommonOptions, 'dir' | 'env'>): string {
  return resolve(migrationsDirSetting(options.dir, options.env));
}

/**
 * The journal table as the user spelled it (checked; resolved in the database later).
 */
export function journalTable(options: Pick<CommonOptions, 'table'>): TableName {
  return parseTableName(options.table ?? SETTINGS.table.default, '--table');
}
