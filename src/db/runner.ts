import type pg from 'pg';
import { MigrationSqlError, type SqlErrorLocation } from '../errors.js';
import type { Migration, Section } from '../migrations/parse.js';
import { lineOfOffset, positionInFile } from '../migrations/position.js';
import { splitSqlStatements, type SqlStatement } from '../migrations/split.js';
import { journalDeleteSql, journalInsertSql } from './journal.js';
import type { TableName } from './identifiers.js';

/** What the runner needs: a connection (holding the runner lock) and the journal table. */
export interface RunContext {
  client: pg.ClientBase;
  journal: TableName;
  /** Reports things the user should know that are not errors. */
  warn?: (message: string) => void;
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
    await client.query(BEGIN_PREFIX + section.sql);
  } catch (error) {
    await rollbackQuietly(client);
    tracker.stop();
    throw await explainFailure(context, migration, section, error);
  }
  const executionMs = performance.now() - started;
  const endedItsOwnTransaction = tracker.status() !== 'T';
  tracker.stop();
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
    try {
      await client.query(statement.text);
    } catch (error) {
      const before =
        index === 0
          ? 'no statement of it was applied'
          : `statements 1-${index} stayed applied (it runs without a transaction)`;
      throw toSqlError(error, migration, section, {
        statement,
        detail: `statement ${index + 1} of ${statements.length} (line ${lineOfOffset(section, statement.offset)}) failed; ${before}; it is not recorded as applied`,
      });
    }
  }
  const executionMs = performance.now() - started;
  const record = direction === 'up' ? journalInsertSql(context.journal, migration, executionMs) : journalDeleteSql(context.journal, migration);
  await client.query(record);
  return executionMs;
}

/**
 * Builds the error for a failed transactional section. When PostgreSQL gives no position
 * (e.g. "relation already exists"), the statements are replayed one by one in a transaction
 * that is always rolled back, to find which one fails and report its line.
 */
async function explainFailure(context: RunContext, migration: Migration, section: Section, error: unknown): Promise<unknown> {
  const pgError = error as PgErrorFields;
  if (!pgError.code || pgError.code === '57014' || pgError.position) {
    return toSqlError(error, migration, section, { prefixLength: BEGIN_PREFIX.length });
  }
  const statements = splitSqlStatements(section.sql);
  if (statements.length <= 1) {
    return toSqlError(error, migration, section, { statement: statements[0] });
  }
  const failing = await findFailingStatement(context.client, statements, pgError.code);
  return toSqlError(error, migration, section, { statement: failing });
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
