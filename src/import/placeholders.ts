import { orderOf } from './node-pg-migrate.js';
import { nameOrDefault } from './sql-text.js';
import type { CodeRendering, RenderedCode } from './node-pg-migrate-code.js';
import type { ImportTool, SourceFile, SourceMigration, ToolConversion } from './types.js';

/**
 * Code migrations (goose's Go files, node-pg-migrate's JavaScript/TypeScript modules) have no
 * SQL to convert. `import --placeholders` writes, in each one's place, a migration that
 * `adopt` records where the tool applied it and that `up` refuses to apply (see
 * migrations/plan.ts) until someone rewrites it in SQL, so the rest of the history converts
 * now. Pure.
 */

/** goose's Go migrations: `<version>_<name>.go`, not tests, version 1 and up. */
const GOOSE_GO = /^(\d+)_(.*)\.go$/;
/** node-pg-migrate's module migrations, with the numeric prefix it needs. */
const NODE_PG_MIGRATE_MODULE = /^(\d+)[_-]?(.*)\.(js|cjs|mjs|ts|cts|mts)$/i;

/** A code migration of the source directory, as the tool names and orders it. */
export interface CodeMigration {
  path: string;
  /** The version as the tool writes it (the file name's digits). */
  sourceVersion: string;
  /** The digits the converted file's name keeps. */
  versionDigits: string;
  name: string;
  /** What the tool orders it by. */
  order: bigint;
}

/**
 * The code migrations among a source directory's files (none for the SQL-only tools).
 */
export function codeMigrations(tool: ImportTool, files: readonly SourceFile[]): CodeMigration[] {
  const found: CodeMigration[] = [];
  for (const { path } of files) {
    if (tool === 'goose') {
      const match = GOOSE_GO.exec(path);
      if (!match || path.endsWith('_test.go') || BigInt(match[1] as string) < 1n) continue;
      const digits = match[1] as string;
      found.push({ path, sourceVersion: digits, versionDigits: digits, name: nameOrDefault(match[2] as string), order: BigInt(digits) });
    } else if (tool === 'node-pg-migrate') {
      const match = NODE_PG_MIGRATE_MODULE.exec(path);
      if (!match || path.startsWith('.')) continue;
      const prefix = match[1] as string;
      const order = orderOf(prefix);
      if (!Number.isSafeInteger(order)) continue; // the converter names the bad prefix
      // A 17-digit UTC prefix becomes its milliseconds, as for SQL files (same rule, same version).
      found.push({
        path,
        sourceVersion: prefix,
        versionDigits: String(order),
        name: nameOrDefault(match[2] as string),
        order: BigInt(order),
      });
    }
  }
  return found;
}

/**
 * The placeholder migration for one code migration: the directive `-- aeturnis:placeholder TOOL
 * FILE` and a comment in the header, no DOWN (irreversible: its undo is code too), and an UP
 * that fails with that same sentence, so an older aeturnis-db, or `verify`, which run UPs
 * without planning `up`, stop there too instead of recording SQL that never ran.
 */
function placeholderMigration(tool: ImportTool, code: CodeMigration, why: string): SourceMigration {
  const sentence = `placeholder for ${tool}'s ${code.path}: rewrite this file in SQL (keep its name)`;
  return {
    sourceVersion: code.sourceVersion,
    versionDigits: code.versionDigits,
    name: code.name,
    sources: [code.path],
    header: `-- aeturnis:placeholder ${tool} ${code.path}\n-- Placeholder: ${why}. Rewrite this file in SQL, keeping its name;\n-- until then up refuses it where ${tool} never applied it.\n`,
    up: `DO $placeholder$ BEGIN RAISE EXCEPTION '${sentence.replaceAll("'", "''")}'; END $placeholder$;\n`,
    down: undefined,
    noTransaction: false,
    placeholder: true,
    notes: [`placeholder: ${why}; up refuses it where ${tool} never applied it, adopt records it where ${tool} did`],
  };
}

/** How import treats code migrations. */
export interface CodeOptions {
  /** `--placeholders`: a placeholder for each code migration that cannot be rendered. */
  placeholders: boolean;
  /** What node-pg-migrate built from its modules; undefined when it is not installed in the project. */
  rendering: CodeRendering | undefined;
}

/**
 * The conversion with each code migration's problem replaced: by node-pg-migrate's own SQL for
 * it, else (with `placeholders`) by its placeholder, else by a reason that says what to do.
 * In the tool's order.
 */
export function resolveCodeMigrations(
  tool: ImportTool,
  conversion: ToolConversion,
  codes: readonly CodeMigration[],
  options: CodeOptions,
): ToolConversion {
  const replacements = new Map<string, SourceMigration>();
  const reasons = new Map<string, string>();
  for (const code of codes) {
    const rendered = options.rendering?.files.get(code.path);
    if (rendered && !('error' in rendered)) {
      replacements.set(code.path, renderedMigration(code, rendered, options.rendering?.renderer as string));
      continue;
    }
    const why = unconvertedWhy(tool, options.rendering, rendered);
    if (options.placeholders) replacements.set(code.path, placeholderMigration(tool, code, why));
    else reasons.set(code.path, `${why}: rewrite it in SQL, or import with --placeholders`);
  }
  const problems = conversion.problems.map((problem) => {
    const reason = reasons.get(problem.file);
    return reason === undefined ? problem : { file: problem.file, reason };
  });
  return withCodeMigrations({ ...conversion, problems }, codes, replacements);
}

function unconvertedWhy(tool: ImportTool, rendering: CodeRendering | undefined, rendered: { error: string } | undefined): string {
  if (tool === 'goose') return 'a goose Go migration, which has no SQL to convert';
  if (!rendering)
    return 'a node-pg-migrate JavaScript/TypeScript migration, and node-pg-migrate is not installed in its project to build its SQL';
  return `a node-pg-migrate JavaScript/TypeScript migration that ${rendering.renderer} could not build: ${rendered?.error ?? 'not built'}`;
}

/**
 * A node-pg-migrate module as the SQL node-pg-migrate builds from it; a down it cannot build
 * leaves the migration irreversible, as it is there.
 */
function renderedMigration(code: CodeMigration, rendered: RenderedCode, renderer: string): SourceMigration {
  const notes = [`SQL built by ${renderer} from its code`];
  if (rendered.down === undefined) notes.push(`no DOWN: ${rendered.downMissing ?? 'none'}`);
  if (rendered.noTransaction) notes.push('pgm.noTransaction(): runs without a transaction');
  if (code.sourceVersion !== code.versionDigits) {
    notes.push(`version ${code.sourceVersion} (a UTC timestamp) becomes ${code.versionDigits}, the number node-pg-migrate orders it by`);
  }
  return {
    sourceVersion: code.sourceVersion,
    versionDigits: code.versionDigits,
    name: code.name,
    sources: [code.path],
    header: `-- Built by ${renderer} from ${code.path}: edit the SQL here from now on.\n`,
    up: rendered.up,
    down: rendered.down,
    noTransaction: rendered.noTransaction,
    notes,
  };
}

/** The conversion with `replacements` (by code file) in the problems' place, in the tool's order. */
function withCodeMigrations(
  conversion: ToolConversion,
  codes: readonly CodeMigration[],
  replacements: ReadonlyMap<string, SourceMigration>,
): ToolConversion {
  const replaced = codes.filter((code) => replacements.has(code.path));
  if (replaced.length === 0) return conversion;
  const paths = new Set(replaced.map((code) => code.path));
  const keyed = [
    ...conversion.migrations.map((migration) => ({ migration, order: BigInt(migration.versionDigits ?? '0') })),
    ...replaced.map((code) => ({ migration: replacements.get(code.path) as SourceMigration, order: code.order })),
  ];
  // Both tools order by that number (node-pg-migrate's versionDigits is it), then by file name.
  keyed.sort((a, b) =>
    a.order !== b.order
      ? a.order < b.order
        ? -1
        : 1
      : (a.migration.sources[0] as string).localeCompare(b.migration.sources[0] as string, undefined, { numeric: true }),
  );
  return {
    migrations: keyed.map((entry) => entry.migration),
    problems: conversion.problems.filter((problem) => !paths.has(problem.file)),
    ignored: conversion.ignored,
  };
}
