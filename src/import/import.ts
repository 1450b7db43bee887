import { migrationsDirSetting } from '../settings.js';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MigrationFileError, UsageError } from '../errors.js';
import { renderNodePgMigrateCode } from './node-pg-migrate-code.js';
import { codeMigrations } from './placeholders.js';
import { outputClashes, planImport, type PlannedFile } from './plan.js';
import type { DownKind } from './render.js';
import { readSourceDirectory } from './source.js';
import { IMPORT_TOOLS, type ImportProblem, type ImportTool } from './types.js';
import { writeFilesAtomically } from './write.js';

/** Options of {@link importMigrations}. */
export interface ImportOptions {
  /** The tool the files come from: `dbmate`, `golang-migrate`, `goose`, `flyway`, `node-pg-migrate`. */
  from: ImportTool | string;
  /** Its migrations directory. */
  sourceDir: string;
  /** Where the aeturnis-db files go (default: AETURNIS_MIGRATIONS_DIR, else ./migrations). */
  dir?: string | undefined;
  /** Plan only: convert and check everything, write nothing. */
  dryRun?: boolean | undefined;
  /** Number the migrations 1, 2, 3, ... in the source tool's order instead of keeping its versions. */
  renumber?: boolean | undefined;
  /**
   * Write a placeholder for each code migration that cannot be converted (goose Go,
   * node-pg-migrate JS/TS that its own package cannot build): `up` refuses it where the tool
   * never applied it, `adopt` records it where the tool did.
   */
  placeholders?: boolean | undefined;
  /** Where AETURNIS_MIGRATIONS_DIR is read (default: process.env). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
}

/** One converted migration file. */
export interface ImportedMigration {
  /** `<digits>_<name>.sql` */
  fileName: string;
  /** Where it is (or, on a dry run, would be) written. */
  path: string;
  version: number;
  /** The version in the source tool (`1.2`, `20240101120000`); differs from `version` after renumbering. */
  sourceVersion: string;
  name: string;
  /** The source files it was made from, as paths under the source directory (the UP's first). */
  sources: string[];
  /** Marked `-- aeturnis:no-transaction`. */
  noTransaction: boolean;
  /** Marked `-- aeturnis:no-transaction up` (or `down`): only that section runs without a transaction. */
  noTransactionSection: 'up' | 'down' | undefined;
  /** `sql`; `nothing-to-undo` for an empty source down; `irreversible` when the source has none. */
  down: DownKind;
  /** What the conversion changed or decided (a BEGIN/COMMIT commented out, why no transaction). */
  notes: string[];
  /** A placeholder for a code migration (`placeholders`): rewrite it in SQL before `up` reaches it. */
  placeholder: boolean;
}

/** Result of {@link importMigrations}. */
export interface ImportResult {
  from: ImportTool;
  sourceDir: string;
  dir: string;
  dryRun: boolean;
  renumbered: boolean;
  /** In the source tool's order. */
  migrations: ImportedMigration[];
  /** Files of the source directory that the tool does not take as migrations (a README). */
  ignored: string[];
  /**
   * Converted, but worth a look: a marker indented into the SQL, SQL naming the tool's own
   * journal table (each `SOURCE_FILE: line N: ...`), an order that changes.
   */
  warnings: string[];
}

/**
 * Converts another tool's migration files into aeturnis-db files in `dir`, all or nothing:
 * every source file is converted and every output name checked before the first byte is
 * written; a file that cannot be converted, or a name or version already in `dir`, is a
 * `UsageError` / `MigrationFileError` (exit 2) naming it, with nothing written. Needs no database.
 *
 * @example
 * const { migrations } = importMigrations({ from: 'goose', sourceDir: 'db/migrations', dir: 'migrations' });
 * for (const m of migrations) console.log(m.fileName, m.sources.join(' + '));
 */
export function importMigrations(options: ImportOptions): ImportResult {
  const tool = toolOf(options.from);
  const env = options.env ?? process.env;
  const dir = migrationsDirSetting(options.dir, env);
  const { sourceDir } = options;
  const files = readSourceDirectory(sourceDir, tool === 'flyway');
  if (resolve(sourceDir) === resolve(dir)) {
    throw new UsageError(`${sourceDir} is both the source directory and the migrations directory (--dir): import into another directory`);
  }
  const rendering =
    tool === 'node-pg-migrate'
      ? renderNodePgMigrateCode(
          sourceDir,
          codeMigrations(tool, files).map((code) => code.path),
        )
      : undefined;
  const plan = planImport(tool, files, { renumber: options.renumber ?? false, placeholders: options.placeholders ?? false, rendering });
  if (plan.files.length === 0 && plan.problems.length === 0) {
    throw new UsageError(
      `no ${tool} migrations in ${sourceDir}${plan.ignored.length > 0 ? ` (it holds only ${plan.ignored.join(', ')})` : ''}`,
    );
  }
  const problems = [
    ...plan.problems.map((problem) => ({ ...problem, file: join(sourceDir, problem.file) })),
    ...outputClashes(plan.files, existingFiles(dir), dir),
  ];
  if (problems.length > 0) throw importError(problems);
  const dryRun = options.dryRun ?? false;
  if (!dryRun) writeFilesAtomically(dir, plan.files);
  return {
    from: tool,
    sourceDir,
    dir,
    dryRun,
    renumbered: options.renumber ?? false,
    migrations: plan.files.map((file) => imported(file, dir, sourceDir)),
    ignored: plan.ignored,
    warnings: [...plan.fileWarnings.map((w) => `${join(sourceDir, w.file)}: ${w.reason}`), ...plan.warnings],
  };
}

function toolOf(from: string): ImportTool {
  const tool = IMPORT_TOOLS.find((known) => known === from);
  if (!tool) throw new UsageError(`--from must be one of ${IMPORT_TOOLS.join(', ')} (got "${from}")`);
  return tool;
}

/** The names in the output directory; none when it does not exist yet. */
function existingFiles(dir: string): string[] {
  try {
    if (!statSync(dir).isDirectory()) throw new UsageError(`migrations directory ${dir} (--dir) is not a directory`);
    return readdirSync(dir);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UsageError(`migrations directory ${dir} cannot be read: ${(error as Error).message}`);
  }
}

/**
 * An import refused (exit 2): every file that cannot be converted, each with its one-line
 * reason, in `problems`; the message says how many and lists each on a line of its own.
 */
export class ImportError extends UsageError {
  readonly problems: ImportProblem[];
  constructor(problems: readonly ImportProblem[]) {
    const lines = problems.map((p) => `\n  ${p.file}: ${p.reason}`).join('');
    super(`${problems.length} files cannot be imported, so nothing was written:${lines}`);
    this.problems = [...problems];
  }
}

/** One problem: an error naming its file; several: an {@link ImportError} listing every one. */
function importError(problems: readonly ImportProblem[]): UsageError {
  const [only] = problems;
  if (problems.length === 1 && only) return new MigrationFileError(only.file, `${only.reason}; nothing was written`);
  return new ImportError(problems);
}

function imported(file: PlannedFile, dir: string, sourceDir: string): ImportedMigration {
  return {
    fileName: file.fileName,
    path: join(dir, file.fileName),
    version: file.version,
    sourceVersion: file.sourceVersion,
    name: file.name,
    sources: file.sources.map((source) => join(sourceDir, source)),
    noTransaction: file.noTransaction,
    noTransactionSection: file.noTransactionSection,
    down: file.down,
    notes: file.notes,
    placeholder: file.placeholder,
  };
}
