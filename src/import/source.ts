import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { normalizeMigrationText } from '../migrations/checksum.js';
import type { SourceFile } from './types.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** The files a converter reads: SQL, and Flyway's per-script `.conf`. Others are only listed. */
const READ = /\.(sql|conf)$/i;

/**
 * Lists a source directory's files (and, with `recursive`, its subdirectories', as Flyway
 * does), sorted by path, with the text of each `.sql` / `.conf` file. A missing or unreadable
 * directory is a {@link UsageError} naming it.
 */
export function readSourceDirectory(dir: string, recursive: boolean): SourceFile[] {
  const files: SourceFile[] = [];
  collect(dir, '', recursive, files);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function collect(root: string, prefix: string, recursive: boolean, files: SourceFile[]): void {
  for (const entry of listEntries(root, prefix)) {
    const path = `${prefix}${entry.name}`;
    const full = join(root, path);
    const kind = entryKind(entry, full);
    if (kind === 'directory') {
      if (recursive) collect(root, `${path}/`, recursive, files);
      continue;
    }
    if (kind !== 'file') continue;
    files.push(READ.test(entry.name) ? readText(full, path) : { path, text: undefined });
  }
}

function listEntries(root: string, prefix: string): Dirent[] {
  const dir = join(root, prefix);
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const what = prefix === '' ? `source directory ${dir}` : `directory ${dir}`;
    if (code === 'ENOENT') throw new UsageError(`${what} does not exist`);
    if (code === 'ENOTDIR') throw new UsageError(`${what} is not a directory`);
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${what} is not readable (permission denied)`);
    throw new UsageError(`${what} cannot be read: ${(error as Error).message}`);
  }
}

/** A symbolic link counts as what it points to (goose, dbmate and node-pg-migrate follow them). */
function entryKind(entry: Dirent, full: string): 'file' | 'directory' | 'other' {
  if (entry.isFile()) return 'file';
  if (entry.isDirectory()) return 'directory';
  if (!entry.isSymbolicLink()) return 'other';
  try {
    const target = statSync(full);
    return target.isFile() ? 'file' : target.isDirectory() ? 'directory' : 'other';
  } catch {
    return 'other'; // a dangling link
  }
}

function readText(full: string, path: string): SourceFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      path,
      text: undefined,
      unreadable:
        code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : `cannot be read: ${(error as Error).message}`,
    };
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { path, text: undefined, unreadable: 'not valid UTF-8 text (save the file as UTF-8, then import)' };
  }
  if (text.includes('\0')) return { path, text: undefined, unreadable: 'holds a NUL byte: not a text file' };
  return { path, text: normalizeMigrationText(text) };
}
