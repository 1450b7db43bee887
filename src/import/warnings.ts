import { splitSqlStatements } from '../migrations/split.js';
import { simplifiedStatement, toLines } from './sql-text.js';
import type { ImportProblem, ImportTool, SourceFile } from './types.js';

/**
 * Where a source file that converts is almost certainly not what its authors meant, or will
 * act differently once aeturnis-db runs it: a tool's marker indented into the SQL (as a SQL
 * formatter leaves it), and SQL that changes the tool's own journal table by name. Pure.
 */

/** Each tool's journal table, as it is created unless configured otherwise. */
const JOURNAL: Record<ImportTool, string> = {
  dbmate: 'schema_migrations',
  'golang-migrate': 'schema_migrations',
  goose: 'goose_db_version',
  flyway: 'flyway_schema_history',
  'node-pg-migrate': 'pgmigrations',
};
/** aeturnis-db's own journal, unless `--table` says otherwise. */
const OWN_JOURNAL = 'schema_migrations';

/** Markers a tool reads only at the start of a line; indented, they are part of the SQL. */
const INDENTED_MARKER: Partial<Record<ImportTool, { pattern: RegExp; meaning: string }>> = {
  dbmate: {
    pattern: /^[ \t]+--\s*migrate:(up|down)\b/,
    meaning: 'dbmate reads its markers only at the start of a line, so it is a comment inside the UP (converted so)',
  },
  goose: {
    pattern: /^[ \t]+--\s*\+goose\b/i,
    meaning: 'goose 3.19 and later refuse the file, earlier versions took it as a comment inside the SQL; import read it as the annotation',
  },
};

/**
 * The warnings for the source files of converted migrations, each naming the file and line.
 */
export function sourceWarnings(tool: ImportTool, files: readonly SourceFile[]): ImportProblem[] {
  const warnings: ImportProblem[] = [];
  for (const file of files) {
    if (file.text === undefined) continue;
    const indented = indentedMarker(tool, file.text);
    if (indented) warnings.push({ file: file.path, reason: indented });
    const journal = journalStatement(tool, file.text);
    if (journal) warnings.push({ file: file.path, reason: journal });
  }
  return warnings;
}

function indentedMarker(tool: ImportTool, text: string): string | undefined {
  const marker = INDENTED_MARKER[tool];
  if (!marker) return undefined;
  const lines = toLines(text);
  const index = lines.findIndex((line) => marker.pattern.test(line));
  if (index === -1) return undefined;
  return `line ${index + 1}: "${(lines[index] as string).trim()}" is indented: ${marker.meaning}; a formatter probably moved it, so check the file`;
}

function journalStatement(tool: ImportTool, text: string): string | undefined {
  const table = JOURNAL[tool];
  if (!text.toLowerCase().includes(table)) return undefined; // one native scan; most files never name it
  const name = new RegExp(`(^|[^A-Z0-9_$"])("?[A-Z0-9_$]+"?\\.)?"?${table.toUpperCase()}"?($|[^A-Z0-9_$])`);
  const statement = splitSqlStatements(text).find((s) => name.test(simplifiedStatement(s.text)));
  if (!statement) return undefined;
  const after =
    table === OWN_JOURNAL
      ? `aeturnis-db's journal has that name too, so after adopt it would change aeturnis-db's journal: import, then keep the journal elsewhere with --table (e.g. --table aeturnis_migrations)`
      : `after adopt ${tool} no longer keeps that table up to date: check what this SQL expects of it, and use --table to keep aeturnis-db's journal apart`;
  return `line ${statement.line}: its SQL names ${table}, ${tool}'s own journal table; ${after}`;
}
