/** The migration tools whose files `import` converts. */
export const IMPORT_TOOLS = ['dbmate', 'golang-migrate', 'goose', 'flyway', 'node-pg-migrate'] as const;
export type ImportTool = (typeof IMPORT_TOOLS)[number];

/** A file of the source directory, as the edge read it. */
export interface SourceFile {
  /** Path relative to the source directory, `/`-separated (Flyway reads subdirectories too). */
  path: string;
  /**
   * The text of a `.sql` or `.conf` file (BOM removed, CRLF turned into LF); undefined for other
   * files (not read) and for a file that could not be read as text (see `unreadable`).
   */
  text: string | undefined;
  /** Why a `.sql` / `.conf` file could not be read as text (not UTF-8, a NUL byte, no permission). */
  unreadable?: string | undefined;
}

/** A source file that cannot be converted, and why (one line). */
export interface ImportProblem {
  /** Path relative to the source directory (or the output file's name for a clash there). */
  file: string;
  reason: string;
}

/** One migration as the source tool defines it, before aeturnis-db versions are assigned. */
export interface SourceMigration {
  /** The version as the source writes it: `20240101120000`, `00001`, `1.2`. */
  sourceVersion: string;
  /**
   * The whole-number version it keeps, as the digits for the file name (`00001` stays `00001`);
   * undefined when it has none (a dotted Flyway version).
   */
  versionDigits: string | undefined;
  /** The name part of the file name, e.g. `create_users`. */
  name: string;
  /** The source files it comes from, relative to the source directory, the UP's first. */
  sources: string[];
  /** Comment lines that stand before the UP in the source ('' when none). */
  header: string;
  /** The UP's SQL, comments included; the tool's own markers removed. */
  up: string;
  /** The DOWN's SQL; undefined when the source has no down (the migration stays irreversible). */
  down: string | undefined;
  /** Runs outside a transaction, statement by statement (`-- aeturnis:no-transaction`). */
  noTransaction: boolean;
  /**
   * Only this section runs outside a transaction (`-- aeturnis:no-transaction up` / `down`),
   * as dbmate's `transaction:false` on one block; undefined when `noTransaction` decides both.
   */
  noTransactionSection?: 'up' | 'down' | undefined;
  /** What the conversion changed or decided that a user should know, one phrase each. */
  notes: string[];
  /** A placeholder for a code migration (`import --placeholders`): `up` refuses it. */
  placeholder?: boolean | undefined;
}

/** What one tool's converter makes of a source directory. Pure data. */
export interface ToolConversion {
  /** In the order the source tool applies them. */
  migrations: SourceMigration[];
  problems: ImportProblem[];
  /** Files the tool itself would not take as migrations (a README, helpers.go). */
  ignored: string[];
}

/** A converter: the source directory's files in, migrations or problems out. Pure. */
export type Converter = (files: readonly SourceFile[]) => ToolConversion;
