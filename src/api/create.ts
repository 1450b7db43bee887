import { migrationsDirSetting } from '../settings.js';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { parseMigrationFileName } from '../migrations/parse.js';

/**
 * Creates `<dir>/<next version>_<name>.sql` with an UP/DOWN skeleton and returns its path.
 * The version is one more than the highest existing one, zero-padded to 4+ digits; when the
 * highest is a timestamp, as dbmate, goose and node-pg-migrate write them (and `import` keeps
 * them), it is the current time in that form instead, so migrations written on two branches
 * do not take the same number.
 *
 * @example
 * createMigration({ name: 'add_guilds' }) // 'migrations/0005_add_guilds.sql'
 * createMigration({ name: 'add_guilds' }) // after 20240105093000_create_players.sql: 'migrations/20261207101500_add_guilds.sql'
 */
export function createMigration(options: {
  name: string;
  dir?: string | undefined;
  env?: Readonly<Record<string, string | undefined>>;
  /** The current time (tests); default: now. */
  now?: Date | undefined;
}): string {
  const name = options.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    throw new UsageError(`migration name "${options.name}" may only contain letters, digits, _ and - (e.g. add_guilds)`);
  }
  const dir = migrationsDirSetting(options.dir, options.env);
  mkdirSync(dir, { recursive: true });
  let highest = 0;
  let digits = '';
  for (const fileName of readdirSync(dir)) {
    const parsed = parseMigrationFileName(fileName);
    if (!parsed) continue;
    if (parsed.version >= highest) {
      highest = parsed.version;
      digits = fileName.slice(0, fileName.indexOf('_'));
    }
  }
  const version = nextVersion(highest, digits, options.now ?? new Date());
  const path = join(dir, `${version}_${name}.sql`);
  writeFileSync(path, `-- ${name}\n\n-- UP\n\n\n-- DOWN\n\n`, { flag: 'wx' });
  return path;
}

/** A whole-second UTC timestamp, `YYYYMMDDHHMMSS` (dbmate's and goose's versions). */
const SECONDS_STAMP = /^(\d{4})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])([01]\d|2[0-3])[0-5]\d[0-5]\d$/;
/** Milliseconds since 1970 (node-pg-migrate's default prefix): 13 digits, from 2001 to 2286. */
const MILLISECONDS_STAMP = /^[1-9]\d{12}$/;

/**
 * The digits of the version after `highest` (written as `digits`): in its timestamp form when
 * it is one (never below `highest + 1`, whatever the clock says), else `highest + 1` zero-padded
 * to the width of `digits` (4 at least).
 */
export function nextVersion(highest: number, digits: string, now: Date): string {
  const stamp = SECONDS_STAMP.test(digits)
    ? now.toISOString().replace(/[-:T]/g, '').slice(0, 14)
    : MILLISECONDS_STAMP.test(digits)
      ? String(now.getTime())
      : undefined;
  if (stamp !== undefined) return Number(stamp) > highest ? stamp : String(highest + 1);
  return String(highest + 1).padStart(Math.max(4, digits.length), '0');
}
