import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFAULT_JOURNAL_TABLE,
  DEFAULT_MIGRATIONS_DIR,
  DEFAULT_PARTITIONED_TABLE,
  DEFAULT_PARTITIONS_AHEAD,
  DEFAULT_SEEDS_DIR,
} from './config.js';
import {
  AeturnisError,
  ConnectionError,
  DatabaseError,
  InterruptedError,
  MigrationSqlError,
  UsageError,
  ValidationError,
} from './errors.js';
import { maskPassword } from './db/connection-config.js';
import { advisoryLockKey, parseTableName, type TableName } from './db/identifiers.js';
import { ensureJournal, readJournal } from './db/journal.js';
import { acquireRunnerLock, describeHolder, releaseRunnerLock } from './db/lock.js';
import { connectionErrorOf } from './db/connect.js';
import { isConnectionLoss, partialRunOf, runMigration, type Direction } from './db/runner.js';
import { openSession, type Session, type SessionEvent, type SessionOptions } from './db/session.js';
import { listDirectory, loadMigrations, readUtf8 } from './migrations/discover.js';
import type { Migration } from './migrations/parse.js';
import { parseMigrationFileName } from './migrations/parse.js';
import { computeStatus, findProblems, planDown, planRedo, planUp, type JournalRow, type MigrationStatus } from './migrations/plan.js';
import {
  describePartitions,
  maintainPartitions,
  MAX_PARTITIONS_AHEAD,
  type PartitionEvent,
  type PartitionReport,
  type PartitionDescription,
} from './partitions/ensure.js';
import type { VerifyEvent } from './verify/verify.js';

/** Everything a command reports while it runs; the CLI renders these, API callers may too. */
export type MigratorEvent =
  | SessionEvent
  | { type: 'lock-wait'; holder: string; waitedMs: number }
  | { type: 'migration-start'; direction: Direction; version: number; fileName: string }
  | { type: 'migration-done'; direction: Direction; version: number; fileName: string; executionMs: number }
  | { type: 'plan'; direction: Direction; migrations: { version: number; fileName: string }[] }
  | { type: 'nothing-to-do'; direction: Direction }
  | { type: 'seed-done'; fileName: string; executionMs: number }
  | { type: 'partition'; event: PartitionEvent }
  | { type: 'warning'; message: string }
  | VerifyEvent;

/** Options every command takes. */
export interface CommonOptions extends SessionOptions {
  /** Migrations directory (default: AETURNIS_MIGRATIONS_DIR or ./migrations). */
  dir?: string | undefined;
  /** Journal table, optionally schema-qualified (default schema_migrations). */
  table?: string | undefined;
  /** Bound the wait for the runner lock (default: wait as long as it takes). */
  lockTimeoutSeconds?: number | undefined;
  /** Progress callback. */
  onEvent?: ((event: MigratorEvent) => void) | undefined;
}

/** A migration that was applied or rolled back. */
export interface RanMigration {
  version: number;
  name: string;
  fileName: string;
  executionMs: number;
}

/** Result of {@link migrate}. */
export interface MigrateResult {
  /** Applied in this run, in order (empty on a dry run). */
  applied: RanMigration[];
  /** What would be (dry run) or was planned. */
  planned: { version: number; name: string; fileName: string }[];
  /** The audit_log partition step (undefined when skipped). */
  partitions: PartitionReport | undefined;
}

/** Options of {@link migrate}. */
export interface MigrateOptions extends CommonOptions {
  to?: number | undefined;
  dryRun?: boolean | undefined;
  allowOutOfOrder?: boolean | undefined;
  /** Ensure partitions of audit_log after migrating (default: ahead 3); `false` to skip. */
  partitions?: { table?: string; ahead?: number } | false | undefined;
}

/**
 * Applies every pending migration in order, each in its own transaction, under the runner
 * lock; then ensures audit_log partitions when that table exists.
 *
 * @example
 * import { migrate } from 'aeturnis-db';
 * const { applied } = await migrate({ databaseUrl: process.env.DATABASE_URL, dir: 'migrations' });
 * console.log(`applied ${applied.length} migrations`);
 */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const ahead = options.partitions === false ? undefined : options.partitions?.ahead;
  if (ahead !== undefined && !(Number.isSafeInteger(ahead) && ahead >= 0 && ahead <= MAX_PARTITIONS_AHEAD)) {
    // Checked before anything runs, so a bad value cannot fail the run after migrations applied.
    throw new UsageError(`partitions.ahead must be a whole number from 0 to ${MAX_PARTITIONS_AHEAD} (got ${ahead})`);
  }
  const migrations = loadMigrations(migrationsDir(options));
  const journal = journalTable(options);
  return withSession(options, async (session, emit) => {
    const rows = await readJournal(session.client, journal);
    const { pending } = planUp(migrations, rows, options);
    const planned = pending.map(({ version, name, fileName }) => ({ version, name, fileName }));
    if (options.dryRun) {
      emit({ type: 'plan', direction: 'up', migrations: planned });
      return { applied: [], planned, partitions: undefined };
    }
    if (pending.length === 0) emit({ type: 'nothing-to-do', direction: 'up' });
    const applied = await runAll(session, journal, pending, 'up', options, emit);
    let partitions: PartitionReport | undefined;
    if (options.partitions !== false) {
      partitions = await maintainPartitions(session.client, {
        table: options.partitions?.table ?? DEFAULT_PARTITIONED_TABLE,
        ahead: options.partitions?.ahead ?? DEFAULT_PARTITIONS_AHEAD,
        // An audit_log that is not ours (the user's own table, another tool's layout) is
        // reported and left as it is: the migrations applied fine, so up still succeeds.
        unmanaged: 'leave-alone',
        onEvent: (event) => emit({ type: 'partition', event }),
      });
    }
    return { applied, planned, partitions };
  }, options.dryRun ? undefined : { journal });
}

/** Options of {@link rollback}. */
export interface RollbackOptions extends CommonOptions {
  /** Roll back the newest `count` applied migrations (default 1). */
  count?: number | undefined;
  /** Roll back every applied migration with version > to (0: all). */
  to?: number | undefined;
  dryRun?: boolean | undefined;
}

/** Result of {@link rollback}. */
export interface RollbackResult {
  rolledBack: RanMigration[];
  planned: { version: number; name: string; fileName: string }[];
}

/**
 * Rolls back the newest applied migrations (default 1), newest first, each in its own
 * transaction, under the runner lock. Refuses (ValidationError) before changing anything when
 * one of them is irreversible, modified or missing.
 *
 * @example
 * await rollback({ databaseUrl, count: 2 });
 * await rollback({ databaseUrl, to: 0 }); // everything
 */
export async function rollback(options: RollbackOptions = {}): Promise<RollbackResult> {
  const migrations = loadMigrations(migrationsDir(options));
  const journal = journalTable(options);
  return withSession(options, async (session, emit) => {
    const rows = await readJournal(session.client, journal);
    const { rollback: selected } = planDown(migrations, rows, options);
    const planned = selected.map(({ version, name, fileName }) => ({ version, name, fileName }));
    if (options.dryRun) {
      emit({ type: 'plan', direction: 'down', migrations: planned });
      return { rolledBack: [], planned };
    }
    if (selected.length === 0) emit({ type: 'nothing-to-do', direction: 'down' });
    const rolledBack = await runAll(session, journal, selected, 'down', options, emit);
    return { rolledBack, planned };
  }, options.dryRun ? undefined : { journal });
}

/** Result of {@link redo}. */
export interface RedoResult {
  /** The migration rolled back and applied again; undefined when nothing was applied. */
  redone: { rolledBack: RanMigration; applied: RanMigration } | undefined;
  /** Its file had been edited since it was applied (its current DOWN and UP ran). */
  edited: boolean;
}

/**
 * Rolls back the newest applied migration and applies it again, under one hold of the runner
 * lock: the developer's edit loop. The file may have been edited since it was applied; every
 * other applied migration must still match its file. Each step is its own transaction, so if
 * UP fails after DOWN succeeded, the migration is left rolled back (and the error says so).
 *
 * @example
 * const { redone } = await redo({ databaseUrl });
 * console.log(redone ? `redid ${redone.applied.fileName}` : 'nothing applied yet');
 */
export async function redo(options: CommonOptions = {}): Promise<RedoResult> {
  const migrations = loadMigrations(migrationsDir(options));
  const journal = journalTable(options);
  return withSession(options, async (session, emit) => {
    const plan = planRedo(migrations, await readJournal(session.client, journal));
    if (!plan) {
      emit({ type: 'nothing-to-do', direction: 'down' });
      return { redone: undefined, edited: false };
    }
    const { migration, edited } = plan;
    if (edited) {
      emit({
        type: 'warning',
        message: `${migration.fileName} changed since it was applied: running the DOWN section as the file reads now`,
      });
    }
    const [rolledBack] = await runAll(session, journal, [migration], 'down', options, emit);
    let applied: RanMigration[];
    try {
      applied = await runAll(session, journal, [migration], 'up', options, emit);
    } catch (error) {
      if (error instanceof MigrationSqlError) {
        throw new MigrationSqlError({
          file: error.file,
          location: error.location,
          sqlState: error.sqlState,
          pgMessage: error.pgMessage,
          detail: [error.detail, `${migration.fileName} was rolled back and is now pending`].filter(Boolean).join('; '),
        });
      }
      throw error;
    }
    const again = applied[0];
    return { redone: rolledBack && again ? { rolledBack, applied: again } : undefined, edited };
  }, { journal });
}

/** Result of {@link status}. */
export interface StatusResult {
  migrations: MigrationStatus[];
  /** Problems `validate` would report. */
  problems: string[];
  /** Partition summary of audit_log (undefined when it does not exist). */
  partitions: PartitionDescription | undefined;
}

/**
 * One row per known migration (applied, pending, modified, missing), read-only: takes no lock
 * and creates nothing.
 *
 * @example
 * const { migrations } = await status({ databaseUrl });
 * const pending = migrations.filter((m) => m.state === 'pending');
 */
export async function status(options: CommonOptions & { partitionTable?: string } = {}): Promise<StatusResult> {
  const migrations = loadMigrations(migrationsDir(options));
  const journal = journalTable(options);
  return withSession(options, async (session) => {
    const rows = await readJournal(session.client, journal);
    const statusRows = computeStatus(migrations, rows);
    const summary = await describePartitions(session.client, options.partitionTable ?? DEFAULT_PARTITIONED_TABLE);
    return { migrations: statusRows, problems: findProblems(statusRows), partitions: summary.exists ? summary : undefined };
  });
}

/** Result of {@link validate}. */
export interface ValidateResult {
  ok: boolean;
  problems: string[];
}

/**
 * Checks every applied migration still has its file with the same checksum, and no pending
 * migration is older than the newest applied one. Read-only.
 *
 * @example
 * const { ok, problems } = await validate({ databaseUrl });
 * if (!ok) throw new Error(problems.join('\n'));
 */
export async function validate(options: CommonOptions = {}): Promise<ValidateResult> {
  const migrations = loadMigrations(migrationsDir(options));
  const journal = journalTable(options);
  return withSession(options, async (session) => {
    const rows = await readJournal(session.client, journal);
    const problems = findProblems(computeStatus(migrations, rows));
    return { ok: problems.length === 0, problems };
  });
}

/** Options of {@link ensurePartitions}. */
export interface EnsurePartitionsOptions extends CommonOptions {
  /** The partitioned table (default audit_log). */
  partitionTable?: string | undefined;
  ahead?: number | undefined;
  retain?: number | undefined;
  dryRun?: boolean | undefined;
  now?: Date | undefined;
}

/**
 * Ensures monthly partitions of audit_log (current month and `ahead` more), optionally dropping
 * those older than `retain` months; under the runner lock. Rejects (UsageError, exit 2) a table
 * that does not exist or is not laid out in UTC months, and a month whose name another relation
 * holds (after committing the rest).
 *
 * @example
 * const report = await ensurePartitions({ databaseUrl, ahead: 6 });
 * console.log(report.created.map((p) => p.name));
 */
export async function ensurePartitions(options: EnsurePartitionsOptions = {}): Promise<PartitionReport> {
  const journal = journalTable(options);
  return withSession(options, async (session, emit) => {
    return await maintainPartitions(session.client, {
      table: options.partitionTable ?? DEFAULT_PARTITIONED_TABLE,
      ahead: options.ahead ?? DEFAULT_PARTITIONS_AHEAD,
      ...(options.retain !== undefined ? { retain: options.retain } : {}),
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(options.now ? { now: options.now } : {}),
      // Asked for by name: a missing table, one not laid out in months, a month left without
      // a partition are errors (exit 2), not notes.
      unmanaged: 'fail',
      onEvent: (event) => emit({ type: 'partition', event }),
    });
  }, options.dryRun ? undefined : { journal, createJournal: false });
}

/** Options of {@link seed}. */
export interface SeedOptions extends CommonOptions {
  /** Seeds directory (default ./seeds). */
  seedsDir?: string | undefined;
  /** Run even when NODE_ENV=production. */
  force?: boolean | undefined;
}

/**
 * Runs `seeds/*.sql` in name order, each in its own transaction, under the runner lock.
 * Refuses when NODE_ENV=production unless `force`.
 *
 * @example
 * await seed({ databaseUrl, seedsDir: 'seeds' });
 */
export async function seed(options: SeedOptions = {}): Promise<{ ran: { fileName: string; executionMs: number }[] }> {
  const env = options.env ?? process.env;
  if (env.NODE_ENV === 'production' && !options.force) {
    throw new UsageError('refusing to seed with NODE_ENV=production (seeds are dev data); pass --force if you really mean it');
  }
  const dir = options.seedsDir ?? env.AETURNIS_SEEDS_DIR ?? DEFAULT_SEEDS_DIR;
  const files = listDirectory(dir, 'seeds directory', '--seeds-dir or AETURNIS_SEEDS_DIR').filter((f) => f.toLowerCase().endsWith('.sql'));
  const seeds = files.flatMap((fileName) => {
    const sql = readUtf8(join(dir, fileName), fileName);
    return sql === undefined ? [] : [{ fileName, sql }];
  });
  const journal = journalTable(options);
  return withSession(options, async (session, emit) => {
    const ran: { fileName: string; executionMs: number }[] = [];
    for (const { fileName, sql } of seeds) {
      const started = performance.now();
      try {
        await session.client.query(`BEGIN;\n${sql}\n;COMMIT`);
      } catch (error) {
        await session.client.query('ROLLBACK').catch(() => {});
        const pgError = error as { code?: string; message: string };
        throw new MigrationSqlError({ file: fileName, sqlState: pgError.code, pgMessage: pgError.message, detail: 'the seed was rolled back' });
      }
      const executionMs = performance.now() - started;
      ran.push({ fileName, executionMs });
      emit({ type: 'seed-done', fileName, executionMs });
    }
    return { ran };
  }, { journal, createJournal: false });
}

/**
 * Creates `<dir>/<next version>_<name>.sql` with an UP/DOWN skeleton and returns its path.
 * The version is one more than the highest existing one, zero-padded to 4+ digits.
 *
 * @example
 * createMigration({ name: 'add_guilds' }) // 'migrations/0005_add_guilds.sql'
 */
export function createMigration(options: { name: string; dir?: string | undefined; env?: Readonly<Record<string, string | undefined>> }): string {
  const name = options.name.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(name)) {
    throw new UsageError(`migration name "${options.name}" may only contain letters, digits, _ and - (e.g. add_guilds)`);
  }
  const dir = options.dir ?? options.env?.AETURNIS_MIGRATIONS_DIR ?? process.env.AETURNIS_MIGRATIONS_DIR ?? DEFAULT_MIGRATIONS_DIR;
  mkdirSync(dir, { recursive: true });
  let highest = 0;
  let width = 4;
  for (const fileName of readdirSync(dir)) {
    const parsed = parseMigrationFileName(fileName);
    if (!parsed) continue;
    if (parsed.version >= highest) {
      highest = parsed.version;
      width = Math.max(4, fileName.indexOf('_'));
    }
  }
  const version = String(highest + 1).padStart(width, '0');
  const path = join(dir, `${version}_${name}.sql`);
  const skeleton = `-- ${name}\n\n-- UP\n\n\n-- DOWN\n\n`;
  writeFileSync(path, skeleton, { flag: 'wx' });
  return path;
}

export function migrationsDir(options: CommonOptions): string {
  const env = options.env ?? process.env;
  return resolve(options.dir ?? env.AETURNIS_MIGRATIONS_DIR ?? DEFAULT_MIGRATIONS_DIR);
}

export function journalTable(options: CommonOptions): TableName {
  return parseTableName(options.table ?? DEFAULT_JOURNAL_TABLE, '--table');
}

/** Which runner lock a command holds for its whole run (none for read-only commands and dry runs). */
interface RunnerLock {
  journal: TableName;
  /** Create the journal table once the lock is held (default true). */
  createJournal?: boolean;
}

/**
 * Opens the command's session, holds the runner lock around `work` when asked, and always
 * releases both, however `work` ends.
 */
async function withSession<T>(
  options: CommonOptions,
  work: (session: Session, emit: (event: MigratorEvent) => void) => Promise<T>,
  runnerLock?: RunnerLock,
): Promise<T> {
  const emit = options.onEvent ?? (() => {});
  if (options.signal?.aborted) throw new InterruptedError(abortSignalName(options.signal));
  const session = await openSession(options, emit);
  const onAbort = (): void => {
    void session.cancelRunningQuery();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (!runnerLock) return await work(session, emit);
    await lockAndPrepare(session, runnerLock.journal, options, emit, { createJournal: runnerLock.createJournal ?? true });
    try {
      return await work(session, emit);
    } finally {
      await releaseRunnerLock(session.client, advisoryLockKey(runnerLock.journal)).catch(() => {});
    }
  } catch (error) {
    // A connection that died while idle fails its next query with a bare "not queryable":
    // report why it died instead.
    const code = (error as { code?: unknown } | null)?.code;
    const ownReason = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
    const cause = isConnectionLoss(error) && !ownReason ? (connectionErrorOf(session.client) ?? error) : error;
    throw typedError(cause, options.signal);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    await session.close();
  }
}

/**
 * API callers only ever see typed errors: an abort becomes InterruptedError, a stray PostgreSQL
 * error (not from a migration's SQL) DatabaseError (exit 1), a dropped socket ConnectionError
 * (exit 4). Messages match what the CLI printed for them before.
 */
function typedError(error: unknown, signal: AbortSignal | undefined): unknown {
  if (error instanceof AeturnisError || error instanceof InterruptedError) return error;
  if (signal?.aborted) return Object.assign(new InterruptedError(abortSignalName(signal)), { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  const message = maskPassword(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
  if (isConnectionLoss(error)) {
    // Terminated by the server (57P01, FATAL) or a closed socket, outside a migration's own SQL.
    const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` (SQLSTATE ${code})` : '';
    return Object.assign(new ConnectionError(`lost the database connection: ${message}${sqlState}`), { cause: error });
  }
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return Object.assign(new DatabaseError(message, code), { cause: error });
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return Object.assign(new ConnectionError(`lost the database connection: ${message}`), { cause: error });
  }
  return error;
}

async function lockAndPrepare(
  session: Session,
  journal: TableName,
  options: CommonOptions,
  emit: (event: MigratorEvent) => void,
  { createJournal = true }: { createJournal?: boolean } = {},
): Promise<void> {
  await acquireRunnerLock(session.client, advisoryLockKey(journal), {
    timeoutSeconds: options.lockTimeoutSeconds,
    signal: options.signal,
    onWait: (holder, waitedMs) => emit({ type: 'lock-wait', holder: describeHolder(holder), waitedMs }),
  });
  if (createJournal) await ensureJournal(session.client, journal);
}

async function runAll(
  session: Session,
  journal: TableName,
  migrations: Migration[],
  direction: Direction,
  options: CommonOptions,
  emit: (event: MigratorEvent) => void,
): Promise<RanMigration[]> {
  const done: RanMigration[] = [];
  const context = {
    client: session.client,
    journal,
    warn: (message: string) => emit({ type: 'warning', message }),
    signal: options.signal,
  };
  for (const migration of migrations) {
    if (options.signal?.aborted) throw interrupted(options.signal, done, migrations, direction, undefined);
    emit({ type: 'migration-start', direction, version: migration.version, fileName: migration.fileName });
    let executionMs: number;
    try {
      executionMs = await runMigration(context, migration, direction);
    } catch (error) {
      if (options.signal?.aborted) throw interrupted(options.signal, done, migrations, direction, migration, error);
      throw error;
    }
    const ran = { version: migration.version, name: migration.name, fileName: migration.fileName, executionMs };
    done.push(ran);
    emit({ type: 'migration-done', direction, ...ran });
  }
  return done;
}

/** Thrown when the run was aborted (SIGINT/SIGTERM in the CLI); says what did and did not run. */
export class RunInterruptedError extends InterruptedError {
  readonly completed: RanMigration[];
  readonly notRun: string[];
  readonly rolledBack: string | undefined;
  /**
   * For an interrupted `-- aeturnis:no-transaction` migration (which cannot be rolled back):
   * what of it stayed applied, e.g. `0007_index.sql ran 2 of 3 statements (they stayed applied); it is not recorded as applied`.
   */
  readonly partiallyApplied: string | undefined;
  /** `up` (completed = applied) or `down` (completed = rolled back; `rolledBack` names the migration whose DOWN was undone, so it stays applied). */
  readonly direction: Direction;
  constructor(
    signal: NodeJS.Signals,
    completed: RanMigration[],
    notRun: string[],
    rolledBack: string | undefined,
    partiallyApplied?: string | undefined,
    direction: Direction = 'up',
  ) {
    super(signal);
    this.completed = completed;
    this.notRun = notRun;
    this.rolledBack = rolledBack;
    this.partiallyApplied = partiallyApplied;
    this.direction = direction;
  }
}

function interrupted(
  signal: AbortSignal,
  done: RanMigration[],
  all: Migration[],
  direction: Direction,
  current: Migration | undefined,
  error?: unknown,
): RunInterruptedError {
  const finished = new Set(done.map((d) => d.version));
  const notRun = all.filter((m) => !finished.has(m.version) && m !== current).map((m) => m.fileName);
  if (current?.noTransaction) {
    // Statements of a no-transaction migration commit one by one: say what stayed, not "rolled back".
    const progress = partialRunOf(error);
    const ran = progress ? `ran ${progress.statementsApplied} of ${progress.statementCount} statements` : 'was stopped part-way';
    const journalState = direction === 'up' ? 'it is not recorded as applied' : 'it is still recorded as applied';
    const partial = `${current.fileName} (no-transaction) ${ran}, which stayed applied; ${journalState}`;
    return new RunInterruptedError(abortSignalName(signal), done, notRun, undefined, partial, direction);
  }
  return new RunInterruptedError(abortSignalName(signal), done, notRun, current?.fileName, undefined, direction);
}

function abortSignalName(signal: AbortSignal): NodeJS.Signals {
  const reason: unknown = signal.reason;
  return typeof reason === 'string' && reason.startsWith('SIG') ? (reason as NodeJS.Signals) : 'SIGINT';
}

export type { JournalRow, MigrationStatus, Migration, PartitionReport, PartitionDescription };
export { ValidationError };
