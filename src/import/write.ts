import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';

/** A file to create: its name in the directory and its whole content. */
export interface NewFile {
  fileName: string;
  text: string;
}

/**
 * Creates every file in `dir` (made if missing), all or none: each is first written in full to
 * a hidden temporary file (`.<name>.import-<pid>`, which no command reads) and flushed to disk,
 * then linked under its real name, which fails rather than replace a file that appeared
 * meanwhile. On any failure the files created so far and the temporaries are removed, and a
 * {@link UsageError} names the file. A crash can leave complete files and temporaries behind,
 * never a half-written migration.
 */
export function writeFilesAtomically(dir: string, files: readonly NewFile[]): void {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (error) {
    throw new UsageError(`cannot create the migrations directory ${dir}: ${reason(error)}`);
  }
  const temporaries: string[] = [];
  const created: string[] = [];
  try {
    for (const file of files) {
      const temporary = join(dir, `.${file.fileName}.import-${process.pid}`);
      writeDurably(temporary, file.text);
      temporaries.push(temporary);
    }
    for (const [index, file] of files.entries()) {
      const path = join(dir, file.fileName);
      try {
        linkSync(temporaries[index] as string, path);
      } catch (error) {
        throw new UsageError(
          `${path}: ${(error as NodeJS.ErrnoException).code === 'EEXIST' ? 'already exists (import never overwrites a file)' : `cannot be created: ${reason(error)}`}; nothing was written`,
        );
      }
      created.push(path);
    }
  } catch (error) {
    for (const path of [...created, ...temporaries]) removeQuietly(path);
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot write to the migrations directory ${dir}: ${reason(error)}; nothing was written`);
  }
  for (const temporary of temporaries) removeQuietly(temporary);
  syncDirectory(dir);
}

function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'wx');
  try {
    writeFileSync(fd, text, 'utf8');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Flushes the directory entries themselves (the new names); not every platform can. */
function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a directory; the files themselves are on disk already.
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'ENOTDIR' || code === 'EEXIST') return 'not a directory';
  return error instanceof Error ? error.message : String(error);
}
