import type { Migration } from '../migrations/parse.js';
import type { ImportTool } from '../import/types.js';

export { IMPORT_TOOLS as ADOPT_TOOLS } from '../import/types.js';

/** The tools whose journals `adopt` reads: the ones whose files `import` converts. */
export type AdoptTool = ImportTool;

/**
 * How one source migration is known, whatever names it: a journal row, a source file named in
 * an import header, or a local file. `key` says which migration it is; `order` places it among
 * the tool's others (for "everything up to version V"). Empty `order`: it cannot be placed.
 */
export interface SourceId {
  key: string;
  order: readonly bigint[];
}

/**
 * One row of another tool's journal, in columns common to all of them (each tool's SELECT
 * fills what it has; see source-sql.ts).
 */
export interface SourceRow {
  /** dbmate, golang-migrate, goose, Flyway: the version as stored (text); null for a Flyway repeatable. */
  version: string | null;
  /** node-pg-migrate: the migration's name (file name without `.sql`); Flyway: its script. */
  name: string | null;
  /** Flyway's row type: SQL, BASELINE, SCHEMA, DELETE, UNDO_SQL, ... */
  kind: string | null;
  /** When the tool applied it, exact, as ISO 8601 text in UTC; null when the tool records none. */
  appliedAt: string | null;
  /** Flyway's execution_time (ms); null elsewhere. */
  executionMs: number | null;
  /** goose `is_applied`, Flyway `success`, golang-migrate `NOT dirty`; true for the others. */
  ok: boolean;
}

/** One migration the source journal lists as applied. */
export interface SourceEntry {
  /** How the source names it, for messages: `20240105093000`, `1.1`, `1704447000000_create-players`. */
  label: string;
  id: SourceId;
  appliedAt: string | undefined;
  executionMs: number | undefined;
  /** Recorded when a local file is its, passed over with a note when none is (a Flyway repeatable). */
  optional?: boolean | undefined;
}

/** What a source journal says, interpreted as its tool does. */
export interface SourceState {
  /** Listed as applied, in the source's order. */
  applied: SourceEntry[];
  /**
   * Every migration up to and including this one counts as applied: golang-migrate's current
   * version (its file must exist here), Flyway's baseline (no file needed).
   */
  upTo: (SourceEntry & { fileRequired: boolean }) | undefined;
  /** Rows that make the journal untrustworthy (dirty, failed), one description each. */
  blocked: string[];
  /** What adopt passes over that a user should know (a Flyway repeatable migration). */
  notes: string[];
}

/** A tool's journal and how its migrations are identified. Pure, except `selectSql` is SQL text. */
export interface SourceTool {
  tool: AdoptTool;
  /** The tool's own name for messages (`Flyway`). */
  title: string;
  /** Where the tool keeps its journal by default (unqualified: found through search_path). */
  defaultTable: string;
  /** Columns its journal has (a table without them is not this tool's). */
  columns: readonly string[];
  /** The SELECT reading `quoted` as {@link SourceRow} columns, in the order the tool wrote them. */
  selectSql(quoted: string): string;
  /** The rows as the tool reads them. */
  interpret(rows: readonly SourceRow[]): SourceState;
  /** A source file named by an import header (`-- Imported from TOOL: FILE`); undefined for a file that is no migration (a down file). */
  fileId(path: string): SourceId | undefined;
  /** A local migration with no import header from this tool: its version (node-pg-migrate: version and name). */
  localId(migration: Pick<Migration, 'version' | 'name'>): SourceId;
}

/**
 * Orders two {@link SourceId} orders number by number, a missing number counting as 0 (Flyway's
 * rule; the other tools have one number).
 */
export function compareOrder(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? 0n;
    const y = b[i] ?? 0n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * The id of a whole-number version (`00001` and `1` are one version); a version that is not
 * digits matches nothing.
 */
export function numericId(text: string): SourceId {
  if (!/^\d+$/.test(text)) return { key: `not a number: ${text}`, order: [] };
  const value = BigInt(text);
  return { key: value.toString(), order: [value] };
}
