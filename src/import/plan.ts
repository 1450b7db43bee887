import { join } from 'node:path';
import { parseMigrationFileName } from '../migrations/parse.js';
import { convertDbmate } from './dbmate.js';
import { convertFlyway } from './flyway.js';
import { convertGolangMigrate } from './golang-migrate.js';
import { convertGoose } from './goose.js';
import { convertNodePgMigrate } from './node-pg-migrate.js';
import { codeMigrations, resolveCodeMigrations, type CodeOptions } from './placeholders.js';
import { downKind, readBackProblem, renderMigration, type DownKind } from './render.js';
import type { Converter, ImportProblem, ImportTool, SourceFile } from './types.js';
import { assignVersions } from './versions.js';
import { sourceWarnings } from './warnings.js';

const CONVERTERS: Record<ImportTool, Converter> = {
  dbmate: convertDbmate,
  'golang-migrate': convertGolangMigrate,
  goose: convertGoose,
  flyway: convertFlyway,
  'node-pg-migrate': convertNodePgMigrate,
};

/** One aeturnis-db file that import writes (or would write). */
export interface PlannedFile {
  /** `<digits>_<name>.sql` */
  fileName: string;
  version: number;
  /** The version as the source tool writes it (`1.2` for Flyway, `20240101120000` for dbmate). */
  sourceVersion: string;
  name: string;
  /** Source files, relative to the source directory: the UP's first. */
  sources: string[];
  /** The file's content. */
  text: string;
  noTransaction: boolean;
  /** Only this section runs without a transaction (`-- aeturnis:no-transaction up` / `down`). */
  noTransactionSection: 'up' | 'down' | undefined;
  down: DownKind;
  notes: string[];
  /** A placeholder for a code migration: `up` refuses it until it is rewritten in SQL. */
  placeholder: boolean;
}

/** Everything import decided, before it touches the output directory. */
export interface ImportPlan {
  files: PlannedFile[];
  /** Source files that cannot be converted (paths relative to the source directory). */
  problems: ImportProblem[];
  /** Files the tool would not take as migrations. */
  ignored: string[];
  warnings: string[];
  /** Converted source files worth a look (an indented marker, the tool's journal named), by file. */
  fileWarnings: ImportProblem[];
}

/**
 * Converts a source directory's files into aeturnis-db files, in the source tool's order. Pure:
 * the files come in as text, the plan goes out; nothing is written.
 */
export function planImport(
  tool: ImportTool,
  files: readonly SourceFile[],
  options: { renumber: boolean } & Partial<CodeOptions>,
): ImportPlan {
  const conversion = resolveCodeMigrations(tool, CONVERTERS[tool](files), codeMigrations(tool, files), {
    placeholders: options.placeholders ?? false,
    rendering: options.rendering,
  });
  const assigned = assignVersions(tool, conversion.migrations, options.renumber);
  const plan: ImportPlan = {
    files: [],
    problems: [...conversion.problems, ...assigned.problems],
    ignored: conversion.ignored,
    warnings: assigned.warnings,
    fileWarnings: [],
  };
  for (const migration of assigned.migrations) {
    const text = renderMigration(tool, migration);
    const problem = readBackProblem(migration, text);
    if (problem) {
      plan.problems.push(problem);
      continue;
    }
    plan.files.push({
      fileName: migration.fileName,
      version: migration.version,
      sourceVersion: migration.sourceVersion,
      name: migration.name,
      sources: migration.sources,
      text,
      noTransaction: migration.noTransaction,
      noTransactionSection: migration.noTransaction ? undefined : migration.noTransactionSection,
      down: downKind(migration),
      notes: migration.notes,
      placeholder: migration.placeholder ?? false,
    });
  }
  const converted = new Set(plan.files.flatMap((file) => file.sources));
  plan.fileWarnings = sourceWarnings(
    tool,
    files.filter((file) => converted.has(file.path)),
  );
  return plan;
}

/**
 * The planned files that would overwrite a file of the output directory, or take a version one
 * of its migrations already has; `file` is the output path (`dir` joined with the name).
 */
export function outputClashes(files: readonly PlannedFile[], existing: readonly string[], dir: string): ImportProblem[] {
  const present = new Set(existing);
  const versions = new Map<number, string>();
  for (const fileName of existing) {
    const parsed = safeParseFileName(fileName);
    if (parsed && !versions.has(parsed.version)) versions.set(parsed.version, fileName);
  }
  const problems: ImportProblem[] = [];
  for (const file of files) {
    const path = join(dir, file.fileName);
    const sameVersion = versions.get(file.version);
    if (present.has(file.fileName)) problems.push({ file: path, reason: 'already exists (import never overwrites a file)' });
    else if (sameVersion !== undefined) {
      problems.push({ file: path, reason: `version ${file.version} is already taken by ${join(dir, sameVersion)}` });
    }
  }
  return problems;
}

function safeParseFileName(fileName: string): { version: number } | undefined {
  try {
    return parseMigrationFileName(fileName);
  } catch {
    return undefined; // not a migration file name: `up` will name it, import leaves it alone
  }
}
