import { randomBytes } from 'node:crypto';
import { MigrationSqlError } from '../errors.js';
import { runsWithoutTransaction, type Migration, type Section } from '../migrations/parse.js';
import { lineOfOffset } from '../migrations/position.js';
import { splitSqlStatements, type SqlStatement } from '../migrations/split.js';
import { BlockerWatch } from '../lock-retries/blockers.js';
import { fileLockTimeouts } from '../migrations/statement-words.js';
import { quoteLiteral } from '../identifiers.js';
import { journalDeleteSql, journalInsertSql, partialDeleteSql, registryWriteSql, setGuardSql } from '../journal/sql.js';
import type { ResumePoint } from '../migrations/resume.js';
import { recordPartialRun } from '../journal/partial-runs.js';
import { isMarkedLockRetryable, LOCK_NOT_AVAILABLE, markLockRetryable, withLockRetries } from '../lock-retries/retry.js';
import { lockAttempts } from '../lock-retries/schedule.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { isConnectionLoss, lostConnection, rollbackQuietly, statementRange, toSqlError, withPartialRun, type Direction } from './errors.js';
import { runStatementByStatement } from './statements.js';
import { runSimpleQuery, traceOf } from './simple-query.js';
import type { Journal } from '../journal/journal.js';
import { afterCommit, resetSession, type RunContext } from './context.js';

const STATEMENT_TIMEOUT_OFF = "SELECT pg_catalog.set_config('statement_timeout', '0', true)";

/**
 * Runs one migration's UP (or DOWN) and records (or forgets) it in the journal, atomically: SQL
 * and journal row commit together, or neither does. A transactional migration is ONE message
 * (`BEGIN`, its SQL, the journal write, `COMMIT`): one round trip, and its SQL runs exactly once
 * — a failure is placed by counting the statements the server finished, never by running them
 * again. `-- aeturnis:no-transaction` migrations (or only the section its `up` / `down` form
 * names) run statement by statement, the journal row written after the last one. Each migration ends with the session back in its starting state.
 * With `context.lockRetries`, each attempt runs with a short lock_timeout; one that cannot get
 * a lock in time is rolled back and run again on the schedule (see lock-retries/retry.ts).
 * Returns how long the section's SQL took, in milliseconds.
 *
 * A failure is thrown as {@link MigrationSqlError} naming the file, line and column.
 */
export async function runMigration(context: RunContext, migration: Migration, direction: Direction, resume?: ResumePoint): Promise<number> {
  const section = direction === 'up' ? migration.up : migration.down;
  if (!section) throw new Error(`${migration.fileName} has no ${direction.toUpperCase()} section`);
  // One watch (and at most one second connection) for the whole run when the caller keeps one.
  const watch = context.blockerWatch ?? new BlockerWatch(context.client);
  try {
    if (runsWithoutTransaction(migration, direction))
      return await runStatementByStatement(context, migration, section, direction, resume, watch);
    const outcome = resume
      ? `this run was rolled back (${statementRange(resume.fromStatement)} stay applied from an earlier run)`
      : direction === 'up'
        ? 'it was rolled back: nothing of it was applied'
        : 'its DOWN was rolled back: it stays applied';
    return await withLockRetries(
      {
        migration,
        direction,
        attempts: lockAttempts(context.lockRetries, sectionLockTimeoutMs(section.sql) ?? migration.lockTimeoutMs),
        watch,
        retryable: isMarkedLockRetryable,
        whereOf: (error) =>
          error instanceof MigrationSqlError && error.location
            ? `${error.location.file}:${error.location.line}:${error.location.column}`
            : migration.fileName,
        outcome,
        signal: context.signal,
        onRetry: context.onLockRetry,
      },
      (attempt) => runInTransaction(context, migration, section, direction, resume, attempt.lockTimeoutMs),
    );
  } finally {
    if (watch !== context.blockerWatch) await watch.close();
  }
}

/** The message of one transactional migration, and how to read the server's answer to it. */
interface TransactionMessage {
  parts: string[];
  marker: string;
  /** Statements of our own before the section's SQL: BEGIN, the guard, and the lock_timeout when set. */
  prefixStatements: number;
  /** Statements of our own between the marker and the journal write. */
  statementsBeforeRecord: number;
  prefixLength: number;
  textOffset: number;
}

function buildMessage(
  context: RunContext,
  migration: Migration,
  section: Section,
  direction: Direction,
  from: SqlStatement | undefined,
  attempt: { resumed: boolean; lockTimeoutMs: number | undefined },
): TransactionMessage {
  const guard = randomBytes(8).toString('hex');
  const marker = `aeturnis-db:${guard}`;
  const { journal, baseline } = context;
  const record = !journal
    ? []
    : [
        direction === 'up' ? journalInsertSql(journal, migration, 'server', guard) : journalDeleteSql(journal, migration.version, guard),
        ...(attempt.resumed && journal.partialExists ? [partialDeleteSql(journal, migration.version)] : []),
      ];
  // After the settings are reset (an unqualified name resolves as the run began), and after the
  // record: the statements counted up to the journal write stay as they were.
  const registry = journal ? registryWriteSql(journal, migration, direction) : [];
  const suffix = [
    `SELECT ${quoteLiteral(marker)}`,
    // A statement_timeout the file SET must not cut the cleanup or the journal write short (each
    // statement of the message gets its own timeout); RESET ALL comes only after the record, as it
    // would also clear the journal guard.
    STATEMENT_TIMEOUT_OFF,
    ...baseline.identity,
    ...baseline.objects,
    ...record,
    ...baseline.settings,
    ...registry,
    'COMMIT',
  ];
  // SET LOCAL: a SET lock_timeout in the file still wins from its own statement on.
  const prefixStatements = [
    'BEGIN',
    setGuardSql(guard),
    ...(attempt.lockTimeoutMs !== undefined ? [`SET LOCAL lock_timeout = ${attempt.lockTimeoutMs}`] : []),
  ];
  const prefix = `${prefixStatements.join(';\n')};\n`;
  const textOffset = from?.offset ?? 0;
  return {
    parts: [prefix, textOffset > 0 ? section.sql.slice(textOffset) : section.sql, `\n;\n${suffix.join(';\n')}`],
    marker,
    prefixStatements: prefixStatements.length,
    statementsBeforeRecord: 1 + baseline.identity.length + baseline.objects.length,
    prefixLength: prefix.length,
    textOffset,
  };
}

async function runInTransaction(
  context: RunContext,
  migration: Migration,
  section: Section,
  direction: Direction,
  resume: ResumePoint | undefined,
  lockTimeoutMs: number | undefined,
): Promise<number> {
  const { client } = context;
  // Split only when needed (a resume, a failure): a 20 MB data migration would otherwise keep
  // 200,000 statement texts in memory for nothing, and every migration would pay the lexing.
  let split: SqlStatement[] | undefined;
  const statements = (): SqlStatement[] => {
    split ??= splitSqlStatements(section.sql);
    return split;
  };
  const from = resume?.fromStatement ?? 0;
  const message = buildMessage(context, migration, section, direction, from > 0 ? statements()[from] : undefined, {
    resumed: resume !== undefined,
    lockTimeoutMs,
  });
  let markerAt = -1;
  let serverMs: number | undefined;
  const started = performance.now();
  try {
    const { tags } = await runSimpleQuery(client, message.parts, (fields, tagsSoFar) => {
      if (markerAt < 0 && fields[0] === message.marker) markerAt = tagsSoFar;
      else if (markerAt >= 0 && tagsSoFar === markerAt + 1 + message.statementsBeforeRecord && direction === 'up')
        serverMs = Number(fields[0]);
    });
    await afterCommit(client, context.baseline);
    const recordTag = tags[markerAt + 1 + message.statementsBeforeRecord] ?? '';
    if (context.journal && !/ 1$/.test(recordTag)) {
      await recordAfterOwnCommit(context, context.journal, migration, direction, tags.slice(message.prefixStatements, markerAt));
    }
  } catch (error) {
    if (isConnectionLoss(error)) {
      const outcome =
        markerAt >= 0
          ? 'it was lost while committing, so it may or may not have been recorded: check with aeturnis-db status'
          : `the server rolled its transaction back: ${direction === 'up' ? 'nothing of it was applied or recorded' : 'its DOWN was undone, so it stays applied'}`;
      throw lostConnection(client, migration, direction, error, outcome);
    }
    await rollbackQuietly(client);
    // What is not transactional (a PREPARE, an advisory lock) outlives the rollback.
    await resetSession(client, context.baseline).catch(() => {});
    if (error instanceof MigrationSqlError) throw error;
    const userTags = (traceOf(error)?.tags ?? []).slice(message.prefixStatements, markerAt >= 0 ? markerAt : undefined);
    // Rolled back whole (the file ran no COMMIT of its own): safe to run again after a lock timeout.
    const retryable = pgErrorOf(error)?.code === LOCK_NOT_AVAILABLE && lastOwnCommit(userTags) < 0;
    if (markerAt >= 0) throw markRetryableIf(retryable, journalWriteFailed(context, migration, direction, error, userTags));
    throw markRetryableIf(
      retryable,
      await sectionFailed(context, migration, section, direction, { error, statements: statements(), from, userTags, message }),
    );
  }
  return serverMs !== undefined && Number.isFinite(serverMs) ? serverMs : performance.now() - started;
}

function markRetryableIf(retryable: boolean, error: unknown): unknown {
  return retryable ? markLockRetryable(error) : error;
}

/** Index (within `tags`) of the last COMMIT the file ran itself, or -1. */
function lastOwnCommit(tags: readonly string[]): number {
  return tags.lastIndexOf('COMMIT');
}

/**
 * The file ended our transaction itself (COMMIT or ROLLBACK), so the guarded journal write did
 * nothing. After a COMMIT everything it ran is committed: record it now (as before, with a
 * warning). After a ROLLBACK nobody can say what stayed: refuse to claim it.
 */
async function recordAfterOwnCommit(
  context: RunContext,
  journal: Journal,
  migration: Migration,
  direction: Direction,
  userTags: string[],
): Promise<void> {
  if (userTags.includes('ROLLBACK') || lastOwnCommit(userTags) < 0) {
    throw new MigrationSqlError({
      file: migration.fileName,
      pgMessage: 'it ran ROLLBACK (or ended its transaction) itself, so what it changed may not be applied',
      detail: `it is ${direction === 'up' ? 'not recorded as applied' : 'still recorded as applied'}; remove transaction control statements from it (aeturnis-db wraps each migration in a transaction)`,
    });
  }
  context.warn?.(
    `${migration.fileName} ran COMMIT itself, so it was not atomic; remove it (aeturnis-db wraps each migration in a transaction) or mark the file -- aeturnis:no-transaction`,
  );
  const { client } = context;
  const record = direction === 'up' ? journalInsertSql(journal, migration, 0) : journalDeleteSql(journal, migration.version);
  const registry = registryWriteSql(journal, migration, direction);
  try {
    await client.query([...context.baseline.identity, record, ...registry].join(';\n'));
  } catch (error) {
    throw journalWriteFailed(context, migration, direction, error, userTags);
  }
}

/** The journal write failed after the migration's SQL ran: name the file and what became of it. */
function journalWriteFailed(context: RunContext, migration: Migration, direction: Direction, error: unknown, userTags: string[]): unknown {
  const pgError = pgErrorOf(error);
  if (!pgError) return error;
  const committed = lastOwnCommit(userTags) >= 0;
  const outcome = committed
    ? `it ran COMMIT itself, so what it changed before that stayed applied, but it is ${direction === 'up' ? 'not recorded as applied' : 'still recorded as applied'}`
    : direction === 'up'
      ? 'its transaction was rolled back, so nothing of it was applied'
      : 'its transaction was rolled back, so its DOWN was undone and it stays applied';
  return new MigrationSqlError({
    file: migration.fileName,
    sqlState: pgError.code,
    pgMessage: `${direction === 'up' ? 'recording it in' : 'removing it from'} the journal ${context.journal?.display ?? ''} failed: ${pgError.message}`,
    detail: outcome,
  });
}

interface SectionFailure {
  error: unknown;
  statements: SqlStatement[];
  from: number;
  userTags: string[];
  message: TransactionMessage;
}

/**
 * The migration's own SQL failed: everything since its last own COMMIT (all of it, normally) was
 * rolled back. The failing statement is the one after the last that finished; when the file had
 * committed part of itself, that part is recorded as a partial run.
 */
async function sectionFailed(
  context: RunContext,
  migration: Migration,
  section: Section,
  direction: Direction,
  failure: SectionFailure,
): Promise<unknown> {
  const { statements, from, userTags, message } = failure;
  const failing = statements[from + userTags.length];
  const notes: string[] = [];
  if (pgErrorOf(failure.error)?.code === '25001') {
    // CREATE INDEX CONCURRENTLY, VACUUM, ... refuse to run inside a transaction block.
    notes.push(
      'hint: put the line "-- aeturnis:no-transaction" before "-- UP" to run this migration statement by statement, outside a transaction',
    );
  }
  const commitAt = lastOwnCommit(userTags);
  let progress = from > 0 ? { statementsApplied: from, statementCount: statements.length } : undefined;
  if (commitAt >= 0 && context.journal) {
    progress = { statementsApplied: from + commitAt + 1, statementCount: statements.length };
    notes.push(await recordOwnCommit(context, context.journal, migration, direction, statements, progress.statementsApplied));
  } else if (from > 0) {
    notes.push(`${statementRange(from)} stayed applied from an earlier run; the rest was rolled back`);
  }
  const sqlError = toSqlError(failure.error, migration, section, {
    sent: { prefixLength: message.prefixLength, textOffset: message.textOffset },
    statement: pgErrorOf(failure.error)?.position ? undefined : failing,
    ...(notes.length > 0 ? { detail: notes.join('; ') } : {}),
  });
  return progress ? withPartialRun(sqlError, progress) : sqlError;
}

async function recordOwnCommit(
  context: RunContext,
  journal: Journal,
  migration: Migration,
  direction: Direction,
  statements: SqlStatement[],
  applied: number,
): Promise<string> {
  const section = direction === 'up' ? migration.up : migration.down;
  const commit = statements[applied - 1];
  const line = section && commit ? lineOfOffset(section, commit.offset) : undefined;
  const stayed = `it ran COMMIT itself${line ? ` (line ${line})` : ''}: ${statementRange(applied)} of ${statements.length} stayed committed, the rest was rolled back`;
  const failed = await recordPartialRun(context.client, journal, () => resetSession(context.client, context.baseline), {
    migration,
    direction,
    statements,
    applied,
    invalidIndexes: [],
    error: undefined,
  });
  return failed
    ? `${stayed}; ${failed}`
    : `${stayed}; recorded as partially applied: the next ${direction} resumes at statement ${applied + 1}`;
}

/**
 * The lock_timeout a transactional section SETs itself (its last SET), which every attempt then
 * runs with. Most files never mention lock_timeout: they are not split for it.
 */
function sectionLockTimeoutMs(sql: string): number | undefined {
  if (!/lock_timeout/i.test(sql)) return undefined;
  return fileLockTimeouts(splitSqlStatements(sql)).at(-1);
}
