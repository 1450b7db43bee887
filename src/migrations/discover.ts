import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MigrationFileError, UsageError } from '../errors.js';
import { parseMigration, parseMigrationFileName, type Migration } from './parse.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads and parses every `<digits>_<name>.sql` file of a directory, ordered by version.
 * Files not ending in `.sql` are ignored; every format problem is a {@link MigrationFileError}
 * naming the file. Each file is read exactly once.
 *
 * @example
 * const migrations = loadMigrations('./migrations');
 * for (const m of migrations) console.log(m.version, m.name, m.checksum);
 */
export function loadMigrations(dir: string): Migration[] {
  const entries = listDirectory(dir, 'migrations directory', '--dir or AETURNIS_MIGRATIONS_DIR');
  const byVersion = new Map<number, Migration>();
  for (const fileName of entries) {
    if (!parseMigrationFileName(fileName)) continue;
    const text = readUtf8(join(dir, fileName), fileName);
    if (text === undefined) throw new MigrationFileError(fileName, 'is a directory, not a migration file (rename or move it)');
    const migration = parseMigration(fileName, text);
    const clash = byVersion.get(migration.version);
    if (clash) {
      throw new MigrationFileError(fileName, `version ${migration.version} is also used by ${clash.fileName}: each version must be unique`);
    }
    byVersion.set(migration.version, migration);
  }
  return [...byVersion.values()].sort((a, b) => a.version - b.version);
}

/**
 * Lists a directory's entries (names only), with a one-line error naming the directory when it
 * is missing, not a directory, or unreadable.
 */
export function listDirectory(dir: string, what: string, howToSet: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${what} ${dir} does not exist (set ${howToSet})`);
    if (code === 'ENOTDIR') throw new UsageError(`${what} ${dir} is not a directory`);
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${what} ${dir} is not readable (permission denied)`);
    throw new UsageError(`${what} ${dir} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * Reads a file as strict UTF-8; a file that is not valid UTF-8, holds a NUL byte or cannot be
 * read is an error naming it. Returns undefined for a directory that happens to end in `.sql`.
 */
export function readUtf8(path: string, displayName: string): string | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') return undefined;
    if (code === 'EACCES' || code === 'EPERM') throw new MigrationFileError(displayName, 'cannot be read (permission denied)');
    throw new MigrationFileError(displayName, `cannot be read: ${(error as Error).message}`);
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new MigrationFileError(displayName, 'not valid UTF-8 text (save the file as UTF-8)');
  }
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    // PostgreSQL cannot receive a NUL in a query text: the server would drop the connection mid-run.
    throw new MigrationFileError(displayName, `holds a NUL byte (line ${lineAt(text, nul)}): save it as plain text`);
  }
  return text;
}

function lineAt(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** True when the path exists and is a directory. */
export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
