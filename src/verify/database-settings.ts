import type pg from 'pg';
import { quoteIdentifier, quoteLiteral } from '../identifiers.js';

/**
 * A scratch database is a bare `CREATE DATABASE`: it lacks what `ALTER DATABASE target SET ...`
 * gave the target (a `search_path` naming the project's schema, a `statement_timeout`), so
 * migrations that rely on it build something else there, or fail. These copy the target's
 * database-level settings (the rows of pg_db_role_setting for the database and no role) to it.
 * Settings for a role in every database (`ALTER ROLE ... SET`) need no copy: they follow the
 * role into the scratch database. Those for a role in the target database alone are not copied
 * (setting them needs CREATEROLE): the documentation says so.
 */

/** One `name=value` entry of pg_db_role_setting.setconfig, as PostgreSQL stores it. */
export type StoredSetting = string;

/**
 * Settings whose value is a list of names, which `SET` quotes element by element (PostgreSQL's
 * GUC_LIST_QUOTE; pg_dump keeps the same list): given as one string they would become one name.
 */
const LIST_SETTINGS = new Set([
  'search_path',
  'temp_tablespaces',
  'session_preload_libraries',
  'shared_preload_libraries',
  'local_preload_libraries',
  'unix_socket_directories',
]);

/** Reads the target database's own settings (`ALTER DATABASE <it> SET ...`), in stored order. */
export async function readDatabaseSettings(client: pg.ClientBase): Promise<StoredSetting[]> {
  const { rows } = await client.query<{ setting: string }>(
    `SELECT unnest(s.setconfig) AS setting
       FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_database d ON d.oid = s.setdatabase
      WHERE d.datname = pg_catalog.current_database() AND s.setrole = 0`,
  );
  return rows.map((row) => row.setting);
}

/** The name of a stored setting. Pure. */
export function settingName(setting: StoredSetting): string {
  const equals = setting.indexOf('=');
  return equals < 0 ? setting : setting.slice(0, equals);
}

/**
 * `ALTER DATABASE` giving `database` a stored setting, with its value quoted so PostgreSQL reads
 * back exactly what it stored. Pure.
 */
export function alterDatabaseSql(database: string, setting: StoredSetting): string {
  const name = settingName(setting);
  const value = setting.slice(name.length + 1);
  const values = LIST_SETTINGS.has(name.toLowerCase()) ? splitNameList(value) : [value];
  return `ALTER DATABASE ${quoteIdentifier(database)} SET ${quoteIdentifier(name)} TO ${values.map(quoteLiteral).join(', ')}`;
}

/**
 * Splits a stored list (`"$user", app, "My Schema"`) into its names, double quotes removed
 * (`""` inside them is one `"`). Pure.
 */
export function splitNameList(value: string): string[] {
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '"') {
      if (quoted && value[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (char === ',' && !quoted) {
      names.push(current.trim());
      current = '';
    } else if (quoted || !/\s/.test(char ?? '')) current += char;
  }
  names.push(quoted ? current : current.trim());
  return names;
}

/**
 * Gives `database` the target's settings, one statement each; a setting this role may not set
 * (a superuser-only one) is skipped with a warning naming it, so the rest still applies.
 */
export async function copyDatabaseSettings(
  admin: pg.ClientBase,
  database: string,
  settings: readonly StoredSetting[],
  warn: (message: string) => void,
): Promise<void> {
  for (const setting of settings) {
    try {
      await admin.query(alterDatabaseSql(database, setting));
    } catch (error) {
      warn(
        `could not give scratch database ${database} the target's database setting ${settingName(setting)} (${(error as Error).message}): migrations run there without it`,
      );
    }
  }
}
