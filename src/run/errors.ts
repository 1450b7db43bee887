import type pg from 'pg';
import { ConnectionError, MigrationSqlError, type SqlErrorLocation } from '../errors.js';
import type { Migration, Section } from '../migrations/parse.js';
import { lineOfOffset, positionInFile } from '../migrations/position.js';
import type { SqlStatement } from '../migrations/split.js';
import { connectionErrorOf } from '../connection/connect.js';
import { isNodeErrno, isSqlState, pgErrorOf } from '../connection/pg-error.js';

export type Direction = 'up' | 'down';

/**
 * How far a migration got before it failed or was interrupted, when part of it stayed applied
 * (a `-- aeturnis:no-transaction` migration, or a file that ran COMMIT itself); attached to the
 * error thrown for it, so callers can say what stayed applied.
 */
export interface PartialRun {
  /** Statements that ran to completion and stayed applied. */
  statementsApplied: number;
  statementCount: number;
}

/**
 * Reads {@link PartialRun} from an error thrown by the runner, if it has one.
 */
export function partialRunOf(error: unknown): PartialRun | undefined {
  const fields = error as Partial<PartialRun> | null;
  return typeof fields?.statementsApplied === 'number' && typeof fields.statementCount === 'number'
    ? { statementsApplied: fields.statementsApplied, statementCount: fields.statementCount }
    : undefined;
}

/** Attaches {@link PartialRun} to an error (when it is an object). */
export function withPartialRun<T>(error: T, progress: PartialRun): T {
  return typeof error === 'object' && error !== null ? Object.assign(error, progress) : error;
}

/**
 * True when the error means our session is gone: a FATAL error (pg_terminate_backend, server
 * shutdown), a connection-class SQLSTATE, or the socket closing. The server rolls back whatever
 * transaction the session had open, so there is nothing to roll back on our side.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as Error & { code?: unknown; severity?: unknown };
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  if (typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || isNodeErrno(code))) return true;
  return /Connection terminated|not queryable|ECONNRESET|EPIPE/i.test(error.message);
}

/**
 * The error for a lost connection while a migration ran, saying what became of it.
 *
 * The query's own error says why when the server sent one (57P01, FATAL); a query that found the
 * connection already dead only says "not queryable", so then take the recorded reason.
 */
export function lostConnection(
  client: pg.ClientBase,
  migration: Migration,
  direction: Direction,
  error: unknown,
  outcome: string,
  progress?: PartialRun,
): ConnectionError {
  const own = pgErrorOf(error);
  const recorded = connectionErrorOf(client);
  const cause = own ?? pgErrorOf(recorded) ?? { message: (recorded ?? (error as Error)).message ?? String(error), code: undefined };
  const reason = `${cause.message.split('\n')[0]}${isSqlState(cause.code) ? `, SQLSTATE ${cause.code}` : ''}`;
  const verb = direction === 'up' ? 'applying' : 'rolling back';
  const lost = new ConnectionError(`${migration.fileName}: lost the database connection while ${verb} it (${reason}); ${outcome}`);
  return progress ? withPartialRun(lost, progress) : lost;
}

/** Where in the sent text the section's SQL began, to map PostgreSQL's error position back. */
export interface SentText {
  /** Characters the runner sent before the section's SQL. */
  prefixLength: number;
  /** Where the sent SQL starts inside the section (a resumed run skips the statements that ran). */
  textOffset: number;
}

/**
 * Builds the {@link MigrationSqlError} for a failed section: the file, the line and column
 * (from PostgreSQL's position, else the start of the failing statement), PostgreSQL's message,
 * SQLSTATE, detail and hint. Returns the error unchanged when it is not a PostgreSQL error.
 */
export function toSqlError(
  error: unknown,
  migration: Migration,
  section: Section,
  where: { sent?: SentText; statement?: SqlStatement | undefined; detail?: string | undefined },
): unknown {
  const pgError = pgErrorOf(error);
  if (!pgError || !(error instanceof Error)) return error;
  const location = locate(pgError.position, migration, section, where);
  const extras = [pgError.detail, pgError.hint ? `hint: ${pgError.hint}` : undefined, where.detail].filter(Boolean).join('; ');
  return new MigrationSqlError({
    file: migration.fileName,
    location,
    sqlState: pgError.code,
    pgMessage: pgError.message,
    ...(extras ? { detail: extras } : {}),
  });
}

function locate(
  position: string | undefined,
  migration: Migration,
  section: Section,
  where: { sent?: SentText; statement?: SqlStatement | undefined },
): SqlErrorLocation | undefined {
  const offset = position === undefined ? NaN : Number(position);
  if (Number.isFinite(offset)) {
    // A statement sent on its own starts at its offset; a whole text after the runner's prefix.
    const mapped = where.statement
      ? positionInFile(section, offset, { textOffset: where.statement.offset })
      : positionInFile(section, offset, { prefixLength: where.sent?.prefixLength ?? 0, textOffset: where.sent?.textOffset ?? 0 });
    if (mapped) return { file: migration.fileName, ...mapped };
  }
  if (!where.statement) return undefined;
  return {
    file: migration.fileName,
    line: lineOfOffset(section, where.statement.offset),
    column: columnOfOffset(section.sql, where.statement.offset),
  };
}

function columnOfOffset(sql: string, offset: number): number {
  const lineStart = sql.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart + 1;
}

/** Rolls back, ignoring a dead connection (the server rolls the transaction back itself then). */
export async function rollbackQuietly(client: pg.ClientBase): Promise<void> {
  try {
    await client.query('ROLLBACK');
  } catch {
    // The connection is gone.
  }
}

/**
 * "statements 1-3" / "statement 1" / "no statement", for messages.
 */
export function statementRange(count: number): string {
  if (count <= 0) return 'no statement';
  return count === 1 ? 'statement 1' : `statements 1-${count}`;
}
