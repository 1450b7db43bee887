import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { UsageError } from '../errors.js';
import { normalizeMigrationText } from '../migrations/checksum.js';
import { loadMigrations, readUtf8 } from '../migrations/discover.js';
import { parseMigration, parseMigrationFileName, type Migration } from '../migrations/parse.js';
import { LINT_CONFIG_FILE, parseLintConfig, type LintConfig } from './config.js';

/** A migration file to lint: how to name it in findings, its parsed form and its text. */
export interface LintTarget {
  /** As the user gave it, or its path under --dir relative to the working directory. */
  file: string;
  migration: Migration;
  /** The file's text, normalised like the checksum (no BOM, LF line endings). */
  text: string;
}

/**
 * Reads migration files named on the command line. Each must be named like a migration
 * (`<digits>_<name>.sql`) and follow the file format; any problem is exit 2 naming the file.
 */
export function readTargets(paths: readonly string[], cwd: string): LintTarget[] {
  return paths.map((path) => {
    const fullPath = isAbsolute(path) ? path : join(cwd, path);
    const fileName = basename(path);
    if (!parseMigrationFileName(fileName)) throw new UsageError(`${path}: not a migration file (<digits>_<name>.sql)`);
    if (!existsSync(fullPath)) throw new UsageError(`${path}: no such file`);
    const text = readUtf8(fullPath, path);
    if (text === undefined) throw new UsageError(`${path}: is a directory, not a migration file`);
    return { file: path, migration: parseMigration(fileName, text), text: normalizeMigrationText(text) };
  });
}

/**
 * Reads the files of migrations found under `dir` (already parsed), named relative to the
 * working directory so `FILE:LINE:COL` opens in an editor.
 */
export function targetsInDirectory(migrations: readonly Migration[], dir: string, cwd: string): LintTarget[] {
  return migrations.map((migration) => {
    const fullPath = join(dir, migration.fileName);
    const text = readUtf8(fullPath, migration.fileName) ?? '';
    const shown = relative(cwd, fullPath);
    return { file: shown.startsWith('..') || isAbsolute(shown) ? fullPath : shown, migration, text: normalizeMigrationText(text) };
  });
}

/**
 * The migrations in the directories of the files named on the command line: the history
 * those files belong to. Best effort: a directory that cannot be read as migrations (a stray
 * file, two files of one version) gives none, as `lint FILE...` checks only the files named.
 */
export function historyBeside(paths: readonly string[], cwd: string): Migration[] {
  const dirs = new Set(paths.map((path) => dirname(isAbsolute(path) ? path : join(cwd, path))));
  return [...dirs].flatMap((dir) => {
    try {
      return loadMigrations(dir);
    } catch {
      return [];
    }
  });
}

/**
 * The lint configuration: `path` when given (it must exist), else `aeturnis-db.lint.json` in
 * the working directory when there is one, else none.
 */
export function readLintConfig(path: string | undefined, cwd: string): LintConfig {
  const file = path ?? LINT_CONFIG_FILE;
  const fullPath = isAbsolute(file) ? file : join(cwd, file);
  if (!existsSync(fullPath)) {
    if (path === undefined) return { rules: {} };
    throw new UsageError(`lint configuration ${path} does not exist`);
  }
  let text: string;
  try {
    text = readFileSync(fullPath, 'utf8');
  } catch (error) {
    throw new UsageError(`lint configuration ${file} cannot be read: ${(error as Error).message}`);
  }
  return parseLintConfig(text, file);
}
