import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from '../errors.js';

/**
 * The files `types --out`, `dump --out` and `up --dump` write: checked before anything runs,
 * written whole or not at all.
 */

/** Exit 2, before anything runs, when the directory `file` goes in does not exist. */
export function assertDirectory(file: string, flag: string): void {
  const dir = dirname(file);
  let isDirectory = false;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDirectory) throw new UsageError(`${flag} ${file}: directory ${dir} does not exist (create it first)`);
}

/**
 * Writes through a temporary file and a rename, so an interrupted run never leaves half a file;
 * unchanged content is not rewritten (the file keeps its time). `createDirectory` makes missing
 * parent directories; without it a missing directory is exit 2. Returns whether it wrote.
 */
export function writeOutputFile(file: string, text: string, flag: string, options: { createDirectory?: boolean } = {}): boolean {
  try {
    if (readFileSync(file, 'utf8') === text) return false;
  } catch {
    // Not there yet (or unreadable: writing says why).
  }
  if (options.createDirectory) mkdirSync(dirname(file), { recursive: true });
  else assertDirectory(file, flag);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, file);
    return true;
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot write ${flag} ${file}: ${code ?? (error as Error).message}`);
  }
}
