import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { MigrationSqlError, UsageError } from '../errors.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { positionInFile } from '../migrations/position.js';

/**
 * `--scratch-setup FILE`: SQL run on a scratch database (verify's, `types --from-migrations`')
 * before the first migration, for what the target got from outside its migrations: schemas a
 * setup script creates, extensions an administrator installed, roles. It runs again after every
 * rebuild of the scratch database. Roles belong to the server: a role the file creates outlives
 * the scratch database, so the file should create it only when missing.
 */
export interface ScratchSetup {
  /** The path as given (for messages). */
  file: string;
  sql: string;
}

/**
 * Reads the setup file before anything touches a database; one line (exit 2) when it cannot be
 * read.
 */
export function readScratchSetup(file: string | undefined): ScratchSetup | undefined {
  if (file === undefined) return undefined;
  if (file.trim() === '') throw new UsageError('--scratch-setup needs a file');
  try {
    return {
      file,
      sql: readFileSync(file, 'utf8')
        .replace(/^\uFEFF/, '')
        .replace(/\r\n/g, '\n'),
    };
  } catch (error) {
    throw new UsageError(`--scratch-setup ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
}

/**
 * Runs the setup file on the scratch database as one simple query (one implicit transaction).
 * A failure names the file, line and column and the scratch database (exit 1).
 */
export async function runScratchSetup(client: pg.ClientBase, setup: ScratchSetup, database: string): Promise<void> {
  try {
    await client.query(setup.sql);
  } catch (error) {
    const pgError = pgErrorOf(error);
    if (!pgError) throw error;
    const position = Number(pgError.position);
    const at = Number.isFinite(position) ? positionInFile({ sql: setup.sql, startLine: 1 }, position) : undefined;
    throw new MigrationSqlError({
      file: setup.file,
      location: at ? { file: setup.file, ...at } : undefined,
      sqlState: pgError.code,
      pgMessage: `--scratch-setup failed on scratch database ${database}: ${pgError.message}`,
    });
  }
}

/**
 * When an UP fails on the scratch database because a schema or a role is missing, the cause is
 * usually not the migration but what the target got from outside the migrations: the error then
 * says so and names the way out. Returns the error unchanged otherwise. Pure.
 */
export function withSetupHint(error: MigrationSqlError, flag: string, given: boolean): MigrationSqlError {
  const missing = missingObject(error);
  if (!missing) return error;
  const hint =
    missing.kind === 'role'
      ? `roles belong to the server, and this one has no role ${missing.name}: if the target's server got it from a setup script, create it in ${flag} (only when missing: it stays on the server)`
      : `the scratch database is built from the migrations alone: if the target got ${missing.name ? `schema ${missing.name}` : 'the schemas of its search_path'} from outside them (a setup script), ${given ? 'create it in' : 'pass that script with'} ${flag}`;
  return new MigrationSqlError({
    file: error.file,
    location: error.location,
    sqlState: error.sqlState,
    pgMessage: error.pgMessage,
    detail: error.detail ? `${error.detail}; ${hint}` : hint,
  });
}

/** The schema or role an error says is missing. Pure. */
function missingObject(error: MigrationSqlError): { kind: 'schema' | 'role'; name: string | undefined } | undefined {
  // 3F000 is also "no schema has been selected to create in": no schema of search_path exists
  if (error.sqlState === '3F000') return { kind: 'schema', name: /schema (".*?") does not exist/.exec(error.pgMessage)?.[1] };
  if (error.sqlState === '42704') {
    const name = /role (".*?") does not exist/.exec(error.pgMessage)?.[1];
    if (name) return { kind: 'role', name };
  }
  return undefined;
}
