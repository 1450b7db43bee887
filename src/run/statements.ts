import { InterruptedError, MigrationSqlError, signalOf } from '../errors.js';
import type { Migration, Section } from '../migrations/parse.js';
import { lineOfOffset } from '../migrations/position.js';
import { splitSqlStatements, type SqlStatement } from '../migrations/split.js';
import { journalDeleteSql, journalInsertSql, partialDeleteSql, registryWriteSql } from '../journal/sql.js';
import { fileLockTimeouts } from '../migrations/statement-words.js';
import { pgErrorOf } from '../connection/pg-error.js';
import type { ResumePoint } from '../migrations/resume.js';
import type { BlockerWatch } from '../lock-retries/blockers.js';
import { LOCK_NOT_AVAILABLE, LockRetriesExhaustedError, withLockRetries } from '../lock-retries/retry.js';
import { lockAttempts } from '../lock-retries/schedule.js';
import { SessionLockTimeout, statementRetries, type StatementRetry } from '../lock-retries/no-transaction.js';
import { dropInvalidIndexes, invalidIndexes, recordPartialRun } from '../journal/partial-runs.js';
import { isConnectionLoss, lostConnection, statementRange, toSqlError, withPartialRun, type Direction, type PartialRun } from './errors.js';
import type { Journal } from '../journal/journal.js';

/** The no-transaction path always records: it needs the journal. */
type RecordedContext = RunContext & { journal: Journal };
import { resetSession, type RunContext } from './context.js';

/**
 * Runs a `-- aeturnis:no-transaction` section statement by statement (CREATE INDEX CONCURRENTLY
 * and friends refuse to run inside a transaction block, implicit ones included), then restores
 * the session and writes the journal in one message. Statements commit one by one, so a failure
 * part way leaves the earlier ones applied: that is recorded as a partial run (with any INVALID
 * index the failure left), and the next run resumes at the failing statement.
 *
 * With lock retries, each statement that can safely run again gets the lock-retry schedule of
 * its own (see lock-retries/no-transaction.ts for which ones, and how lock_timeout is set
 * without a transaction).
 */
export async function runStatementByStatement(
  runContext: RunContext,
  migration: Migration,
  section: Section,
  direction: Direction,
  resume: ResumePoint | undefined,
  watch: BlockerWatch,
): Promise<number> {
  const { journal } = runContext;
  if (!journal) throw new Error(`${migration.fileName}: a -- aeturnis:no-transaction file runs only as a recorded migration`);
  const context: RecordedContext = { ...runContext, journal };
  const { client } = context;
  const statements = splitSqlStatements(section.sql);
  const from = resume?.fromStatement ?? 0;
  if (resume && resume.invalidIndexes.length > 0) await dropInvalidIndexes(client, resume.invalidIndexes);
  const invalidBefore = new Set(await invalidIndexes(client));
  const retries = statementRetries(statements);
  const ownLockTimeouts = fileLockTimeouts(statements);
  const lockTimeout = new SessionLockTimeout(client);
  const managed = (context.lockRetries !== undefined && context.lockRetries !== 'off') || migration.lockTimeoutMs !== undefined;
  if (managed) await lockTimeout.start();
  const started = performance.now();
  for (let index = from; index < statements.length; index++) {
    const statement = statements[index] as SqlStatement;
    const progress: PartialRun = { statementsApplied: index, statementCount: statements.length };
    if (context.signal?.aborted) {
      await recordStop(context, migration, direction, statements, index, invalidBefore, 'interrupted');
      throw withPartialRun(new InterruptedError(signalOf(context.signal)), progress);
    }
    const failed = `statement ${index + 1} of ${statements.length} (line ${lineOfOffset(section, statement.offset)})`;
    const retry = retries[index] ?? 'no-retry';
    try {
      await runStatement(
        {
          context,
          migration,
          direction,
          watch,
          lockTimeout,
          invalidBefore,
          retry,
          where: `${migration.fileName}: ${failed}`,
          ownLockTimeoutMs: ownLockTimeouts[index],
        },
        statement.text,
      );
    } catch (error) {
      const stayed =
        index === 0 ? 'no statement of it was applied' : `${statementRange(index)} stayed applied (it runs without a transaction)`;
      const journalState = direction === 'up' ? 'it is not recorded as applied' : 'it is still recorded as applied';
      if (isConnectionLoss(error)) {
        throw lostConnection(client, migration, direction, error, `${failed} was running; ${stayed}; ${journalState}`, progress);
      }
      await lockTimeout.restore();
      if (error instanceof LockRetriesExhaustedError && retry === 'drop-invalid-then-retry')
        await dropNewInvalidIndexes(client, invalidBefore).catch(() => {});
      const recorded = await recordStop(context, migration, direction, statements, index, invalidBefore, (error as Error).message);
      if (error instanceof LockRetriesExhaustedError)
        throw withPartialRun(error.withOutcome([stayed, journalState, ...recorded].join('; ')), progress);
      const sqlError = toSqlError(error, migration, section, {
        statement,
        detail: [`${failed} failed`, stayed, journalState, ...recorded].join('; '),
      });
      throw withPartialRun(sqlError, progress);
    }
  }
  const executionMs = performance.now() - started;
  await recordCompletion(context, migration, direction, statements, executionMs, resume !== undefined);
  return executionMs;
}

/** One statement of a no-transaction migration and how to retry it. */
interface StatementRun {
  context: RunContext;
  migration: Migration;
  direction: Direction;
  watch: BlockerWatch;
  lockTimeout: SessionLockTimeout;
  invalidBefore: ReadonlySet<string>;
  retry: StatementRetry;
  /** `file: statement k of n (line L)`, for retry lines and errors. */
  where: string;
  /** The lock_timeout the file has SET before this statement, which wins over the schedule's. */
  ownLockTimeoutMs: number | undefined;
}

/**
 * Runs one statement, on the lock-retry schedule when it is safe to run again; a CREATE INDEX
 * CONCURRENTLY that timed out in a later phase has its INVALID index dropped before the retry.
 */
async function runStatement(run: StatementRun, text: string): Promise<void> {
  const { context, migration } = run;
  const retried = run.retry !== 'no-retry';
  await withLockRetries(
    {
      migration,
      direction: run.direction,
      attempts: lockAttempts(retried ? context.lockRetries : 'off', run.ownLockTimeoutMs ?? migration.lockTimeoutMs),
      watch: run.watch,
      retryable: (error) => retried && pgErrorOf(error)?.code === LOCK_NOT_AVAILABLE,
      whereOf: () => run.where,
      outcome: '',
      signal: context.signal,
      onRetry: context.onLockRetry,
    },
    async (attempt) => {
      await run.lockTimeout.use(attempt.lockTimeoutMs);
      if (attempt.number > 1 && run.retry === 'drop-invalid-then-retry') await dropNewInvalidIndexes(context.client, run.invalidBefore);
      await context.client.query(text);
    },
  );
}

/** Drops the INVALID indexes that were not there when the migration started (a failed CREATE INDEX CONCURRENTLY's). */
async function dropNewInvalidIndexes(client: RunContext['client'], invalidBefore: ReadonlySet<string>): Promise<void> {
  const leftBehind = (await invalidIndexes(client)).filter((name) => !invalidBefore.has(name));
  await dropInvalidIndexes(client, leftBehind);
}

/** Restores the session, then writes the journal and forgets the partial run in one message (one implicit transaction). */
async function recordCompletion(
  context: RecordedContext,
  migration: Migration,
  direction: Direction,
  statements: SqlStatement[],
  executionMs: number,
  resumed: boolean,
): Promise<void> {
  const { client, journal, baseline } = context;
  const record = direction === 'up' ? journalInsertSql(journal, migration, executionMs) : journalDeleteSql(journal, migration.version);
  const forget = resumed && journal.partialExists ? [partialDeleteSql(journal, migration.version)] : [];
  const registry = registryWriteSql(journal, migration, direction);
  try {
    // Its own message first: the file's SETs (default_transaction_read_only, statement_timeout,
    // client_encoding) would otherwise apply to the journal write's implicit transaction.
    await resetSession(client, baseline);
    await client.query([record, ...forget, ...registry].join(';\n'));
  } catch (error) {
    const progress: PartialRun = { statementsApplied: statements.length, statementCount: statements.length };
    const what = `all ${statements.length} statements ran (it runs without a transaction) and stayed applied, but the journal was not updated`;
    if (isConnectionLoss(error)) throw lostConnection(client, migration, direction, error, what, progress);
    const recorded = await recordStop(context, migration, direction, statements, statements.length, new Set(), (error as Error).message);
    const pgError = pgErrorOf(error);
    if (!pgError) throw withPartialRun(error, progress);
    throw withPartialRun(
      new MigrationSqlError({
        file: migration.fileName,
        sqlState: pgError.code,
        pgMessage: `${direction === 'up' ? 'recording it in' : 'removing it from'} the journal ${journal.display} failed: ${pgError.message}`,
        detail: [what, ...recorded].join('; '),
      }),
      progress,
    );
  }
}

/**
 * Records where the migration stopped (when anything of it stayed: statements that ran, or an
 * INVALID index the failing statement left) and returns sentences for the error message.
 */
async function recordStop(
  context: RecordedContext,
  migration: Migration,
  direction: Direction,
  statements: SqlStatement[],
  applied: number,
  invalidBefore: ReadonlySet<string>,
  reason: string,
): Promise<string[]> {
  const { client, journal, baseline } = context;
  const leftBehind = (await invalidIndexes(client).catch(() => [] as string[])).filter((name) => !invalidBefore.has(name));
  if (applied === 0 && leftBehind.length === 0) return [];
  const failure = await recordPartialRun(client, journal, () => resetSession(client, baseline), {
    migration,
    direction,
    statements,
    applied,
    invalidIndexes: leftBehind,
    error: reason,
  });
  const indexes = leftBehind.map(
    (name) =>
      `it left the INVALID index ${name} behind (the next ${direction} drops it before retrying; or DROP INDEX CONCURRENTLY ${name})`,
  );
  const resumeAt =
    applied < statements.length ? `the next ${direction} resumes at statement ${applied + 1}` : `the next ${direction} only records it`;
  return [...indexes, failure ?? `recorded as partially applied in ${journal.schema}.${journal.partialTable}: ${resumeAt}`];
}
