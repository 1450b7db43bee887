import type pg from 'pg';
import { ConnectionError, InterruptedError, MigrationSqlError, type SqlErrorLocation } from '../errors.js';
import type { Migration, Section } from '../migrations/parse.js';
import { lineOfOffset, positionInFile } from '../migrations/position.js';
import { splitSqlStatements, type SqlStatement } from '../migrations/split.js';
import { connectionErrorOf } from './connect.js';
import { journalDeleteSql, journalInsertSql } from './journal.js';
import { runSimpleQuery } from './simple-query.js';
import type { TableName } from './identifiers.js';

/** What the runner needs: a connection (holding the runner lock) and the journal table. */
export interface RunContext {
  client: pg.ClientBase;
  journal: TableName;
  /** Reports things the user should know that are not errors. */
  warn?: (message: string) => void;
  /**
   * Aborted on SIGINT/SIGTERM. The caller also cancels the statement in flight; this signal
   * catches what a cancel cannot: an abort landing between two statements (a no-transaction
   * migration stops before the next one) or just before COMMIT (rolled back instead).
   */
  signal?: AbortSignal | undefined;
}

export type Direction = 'up' | 'down';

const BEGIN_PREFIX = 'BEGIN;\n';

/**
 * Runs one migration's UP (or DOWN) and records (or forgets) it in the journal, atomically:
 * SQL and journal row commit together, or neither does. `-- aeturnis:no-transaction`
 * migrations run statement by statement, the journal row written after the last one.
 * Returns how long the section's SQL took, in milliseconds.
 *
 * A failure is thrown as {@link MigrationSqlError} naming the file, line and column.
 *
 * @example
 * const ms = await runMigration({ client, journal }, migration, 'up');
 */
export async function runMigration(context: RunContext, migration: Migration, direction: Direction): Promise<number> {
  const section = direction === 'up' ? migration.up : migration.down;
  if (!section) throw new Error(`${migration.fileName} has no ${direction.toUpperCase()} section`);
  return migration.noTransaction
    ? runStatementByStatement(context, migration, section, direction)
    : runInTransaction(context, migration, section, direction);
}

async function runInTransaction(context: RunContext, migration: Migration, section: Section, direction: Direction): Promise<number> {
  const { client } = context;
  const tracker = trackTransactionStatus(client);
  const started = performance.now();
  try {
    // Not client.query: for a big migration, pg would keep a Result per statement and copy the text twice.
    await runSimpleQuery(client, [BEGIN_PREFIX, section.sql]);
  } catch (error) {
    tracker.stop();
    if (isConnectionLoss(error)) {
      const outcome = direction === 'up' ? 'nothing of it was applied or recorded' : 'its DOWN was undone, so it stays applied';
      throw lostConnection(client, migration, direction, error, `the server rolled its transaction back: ${outcome}`);
    }
    await rollbackQuietly(client);
    throw await explainFailure(context, migration, section, error);
  }
  const executionMs = performance.now() - started;
  const endedItsOwnTransaction = tracker.status() !== 'T';
  tracker.stop();
  if (context.signal?.aborted && !endedItsOwnTransaction) {
    await rollbackQuietly(client);
    throw new InterruptedError(signalName(context.signal));
  }
  if (endedItsOwnTransaction) {
    context.warn?.(
      `${migration.fileName} ran COMMIT or ROLLBACK itself, so it was not atomic; remove them (aeturnis-db wraps each migration in a transaction) or mark it -- aeturnis:no-transaction`,
    );
  }
  const record = direction === 'up' ? journalInsertSql(context.journal, migration, executionMs) : journalDeleteSql(context.journal, migration);
  try {
    // One round trip: the journal change and COMMIT travel together.
    await client.query(endedItsOwnTransaction ? record : `${record};\nCOMMIT`);
  } catch (error) {
    if (isConnectionLoss(error)) {
      throw lostConnection(client, migration, direction, error, 'it was lost while committing, so it may or may not have been recorded: check with aeturnis-db status');
    }
    await rollbackQuietly(client);
    throw error;
  }
  return executionMs;
}

async function runStatementByStatement(
  context: RunContext,
  migration: Migration,
  section: Section,
  direction: Direction,
): Promise<number> {
  const { client } = context;
  const statements = splitSqlStatements(section.sql);
  const started = performance.now();
  for (const [index, statement] of statements.entries()) {
    if (context.signal?.aborted) {
      throw Object.assign(new InterruptedError(signalName(context.signal)), {
        statementsApplied: index,
        statementCount: statements.length,
      } satisfies PartialRun);
    }
    try {
      await client.query(statement.text);
    } catch (error) {
      const before =
        index === 0
          ? 'no statement of it was applied'
          : `statements 1-${index} stayed applied (it runs without a transaction)`;
      const journalState = direction === 'up' ? 'it is not recorded as applied' : 'it is still recorded as applied';
      const failed = `statement ${index + 1} of ${statements.length} (line ${lineOfOffset(section, statement.offset)})`;
      if (isConnectionLoss(error)) {
        throw lostConnection(client, migration, direction, error, `${failed} was running; ${before}; ${journalState}`, {
          statementsApplied: index,
          statementCount: statements.length,
        });
      }
      const sqlError = toSqlError(error, migration, section, {
        statement,
        detail: `${failed} failed; ${before}; ${journalState}`,
      });
      throw sqlError instanceof Error
        ? Object.assign(sqlError, { statementsApplied: index, statementCount: statements.length } satisfies PartialRun)
        : sqlError;
    }
  }
  const executionMs = performance.now() - started;
  const record = direction === 'up' ? journalInsertSql(context.journal, migration, executionMs) : journalDeleteSql(context.journal, migration);
  try {
    await client.query(record);
  } catch (error) {
    const progress: PartialRun = { statementsApplied: statements.length, statementCount: statements.length };
    const what = `all ${statements.length} statements ran (it runs without a transaction), but the journal was not updated`;
    if (isConnectionLoss(error)) throw lostConnection(client, migration, direction, error, what, progress);
    throw Object.assign(error instanceof Error ? error : new Error(String(error)), progress);
  }
  return executionMs;
}

/**
 * Builds the error for a failed transactional section. When PostgreSQL gives no position
 * (e.g. "relation already exists"), the statements are replayed one by one in a transaction
 * that is always rolled back, to find which one fails and report its line.
 */
async function explainFailure(context: RunContext, migration: Migration, section: Section, error: unknown): Promise<unknown> {
  const pgError = error as PgErrorFields;
  // 25001: CREATE INDEX CONCURRENTLY, VACUUM, ... refuse to run inside a transaction block.
  const hint =
    pgError.code === '25001'
      ? { detail: 'hint: put the line "-- aeturnis:no-transaction" before "-- UP" to run this migration statement by statement, outside a transaction' }
      : {};
  if (!pgError.code || pgError.code === '57014' || pgError.position) {
    return toSqlError(error, migration, section, { prefixLength: BEGIN_PREFIX.length, ...hint });
  }
  const statements = splitSqlStatements(section.sql);
  if (statements.length <= 1) {
    return toSqlError(error, migration, section, { statement: statements[0], ...hint });
  }
  // The replay is only a better error message: if it cannot run, report what we have.
  const failing = await findFailingStatement(context.client, statements, pgError.code).catch(() => undefined);
  return toSqlError(error, migration, section, { statement: failing, ...hint });
}

/**
 * How far a `-- aeturnis:no-transaction` migration got before it failed or was interrupted;
 * attached to the error thrown for it, so callers can say what stayed applied.
 */
export interface PartialRun {
  /** Statements that ran to completion and stayed applied. */
  statementsApplied: number;
  statementCount: number;
}

/** Reads {@link PartialRun} from an error thrown by {@link runMigration}, if it has one. */
export function partialRunOf(error: unknown): PartialRun | undefined {
  const fields = error as Partial<PartialRun> | null;
  return typeof fields?.statementsApplied === 'number' && typeof fields.statementCount === 'number'
    ? { statementsApplied: fields.statementsApplied, statementCount: fields.statementCount }
    : undefined;
}

/**
 * True when the error means our session is gone: a FATAL error (pg_terminate_backend, server
 * shutdown), a connection-class SQLSTATE, or the socket closing. The server rolls back whatever
 * transaction the session had open, so there is nothing to roll back or replay on our side.
 */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as Error & { code?: unknown; severity?: unknown };
  if (severity === 'FATAL' || severity === 'PANIC') return true;
  if (typeof code === 'string' && (/^08/.test(code) || /^57P0[1-3]$/.test(code) || /^E[A-Z]+$/.test(code))) return true;
  return /Connection terminated|not queryable|ECONNRESET|EPIPE/i.test(error.message);
}

function signalName(signal: AbortSignal): NodeJS.Signals {
  const reason: unknown = signal.reason;
  return typeof reason === 'string' && reason.startsWith('SIG') ? (reason as NodeJS.Signals) : 'SIGINT';
}

function lostConnection(
  client: pg.ClientBase,
  migration: Migration,
  direction: Direction,
  error: unknown,
  outcome: string,
  progress?: PartialRun,
): ConnectionError {
  // The query's own error says why when the server sent one (57P01, FATAL); a query that found
  // the connection already dead only says "not queryable", so then take the recorded reason.
  const own = error as PgErrorFields;
  const pgError = (own.code && /^[0-9A-Z]{5}$/.test(own.code) ? own : (connectionErrorOf(client) ?? error)) as PgErrorFields;
  const reason = `${(pgError.message ?? String(error)).split('\n')[0]}${pgError.code && /^[0-9A-Z]{5}$/.test(pgError.code) ? `, SQLSTATE ${pgError.code}` : ''}`;
  const verb = direction === 'up' ? 'applying' : 'rolling back';
  const lost = new ConnectionError(`${migration.fileName}: lost the database connection while ${verb} it (${reason}); ${outcome}`);
  return progress ? Object.assign(lost, progress) : lost;
}

async function findFailingStatement(client: pg.ClientBase, statements: SqlStatement[], code: string): Promise<SqlStatement | undefined> {
  try {
    await client.query('BEGIN');
    for (const statement of statements) {
      try {
        await client.query(statement.text);
      } catch (error) {
        return (error as PgErrorFields).code === code ? statement : undefined;
      }
    }
    return undefined;
  } finally {
    await rollbackQuietly(client);
  }
}

interface PgErrorFields {
  code?: string;
  position?: string;
  detail?: string;
  hint?: string;
  message: string;
}

function toSqlError(
  error: unknown,
  migration: Migration,
  section: Section,
  where: { prefixLength?: number; statement?: SqlStatement | undefined; detail?: string },
): unknown {
  const pgError = error as PgErrorFields;
  if (!(error instanceof Error) || typeof pgError.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pgError.code)) return error;
  let location: SqlErrorLocation | undefined;
  const position = pgError.position ? Number(pgError.position) : undefined;
  if (position !== undefined && Number.isFinite(position)) {
    const mapped = positionInFile(section, position, {
      prefixLength: where.statement ? 0 : (where.prefixLength ?? 0),
      textOffset: where.statement?.offset ?? 0,
    });
    if (mapped) location = { file: migration.fileName, ...mapped };
  }
  if (!location && where.statement) {
    location = { file: migration.fileName, line: lineOfOffset(section, where.statement.offset), column: columnOfOffset(section.sql, where.statement.offset) };
  }
  const extras = [pgError.detail, pgError.hint ? `hint: ${pgError.hint}` : undefined, where.detail].filter(Boolean).join('; ');
  return new MigrationSqlError({
    file: migration.fileName,
    location,
    sqlState: pgError.code,
    pgMessage: pgError.message,
    ...(extras ? { detail: extras } : {}),
  });
}

function columnOfOffset(sql: string, offset: number): number {
  const lineStart = sql.lastIndexOf('\n', offset - 1) + 1;
  return offset - lineStart + 1;
}

async function rollbackQuietly(client: pg.ClientBase): Promise<void> {
  try {
    await client.query('ROLLBACK');
  } catch {
    // The connection is gone: the server rolls the transaction back itself.
  }
}

interface ProtocolConnection {
  on(event: 'readyForQuery', listener: (message: { status: string }) => void): void;
  off(event: 'readyForQuery', listener: (message: { status: string }) => void): void;
}

/**
 * Follows the transaction status byte of ReadyForQuery ('I' idle, 'T' in a transaction,
 * 'E' failed transaction) so we can tell whether a migration's SQL ended our transaction.
 */
function trackTransactionStatus(client: pg.ClientBase): { status(): string; stop(): void } {
  const connection = (client as unknown as { connection?: ProtocolConnection }).connection;
  let last = 'T';
  if (!connection || typeof connection.on !== 'function') return { status: () => 'T', stop: () => {} };
  const listener = (message: { status: string }): void => {
    last = message.status;
  };
  connection.on('readyForQuery', listener);
  return { status: () => last, stop: () => connection.off('readyForQuery', listener) };
}
