import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MIGRATIONS_DIR } from '../config.js';
import { UsageError } from '../errors.js';
import { parseMigrationFileName } from '../migrations/parse.js';

/**
 * Creates `<dir>/<next version>_<name>.sql` with an UP/DOWN skeleton and returns its path.
 * The version is one more than the highest existing one, zero-padded to 4+ digits.
 *
 * @example
 * createMigration({ name: 'add_guilds' }) // 'migrations/0005_add_guilds.sql'
 */
export function createMigration(options: {
  name: string;
  dir?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
}): string {
  const name = options.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    throw new UsageError(`migration name "${options.name}" may only contain letters, digits, _ and - (e.g. add_guilds)`);
  }
  const dir = options.dir ?? options.env?.AETURNIS_MIGRATIONS_DIR ?? process.env.AETURNIS_MIGRATIONS_DIR ?? DEFAULT_MIGRATIONS_DIR;
  mkdirSync(dir, { recursive: true });
  let highest = 0;
  let width = 4;
  for (const fileName of readdirSync(dir)) {
    const parsed = parseMigrationFileName(fileName);
    if (!parsed) continue;
    if (parsed.version >= highest) {
      highest = parsed.version;
      width = Math.max(4, fileName.indexOf('_'));
    }
  }
  const version = String(highest + 1).padStart(width, '0');
  const path = join(dir, `${version}_${name}.sql`);
  writeFileSync(path, `-- ${name}\n\n-- UP\n\n\n-- DOWN\n\n`, { flag: 'wx' });
  return path;
}
