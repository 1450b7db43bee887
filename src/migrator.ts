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
  RunInterruptedError,
  signalOf,
  UsageError,
  ValidationError,
} from './errors.js';
import { maskPassword } from './db/connection-config.js';
import { parseTableName, type TableName } from './db/identifiers.js';
import { ensureJournal, readJournal, resolveJournal, type Journal } from './db/journal.js';
import { acquireRunnerLock, describeHolder, releaseRunnerLock } from './db/lock.js';
import { connectionErrorOf } from './db/connect.js';
import { isConnectionLoss, partialRunOf } from './db/run-errors.js';
import { runMigration, type Direction, type ResumePoint, type RunContext } from './db/runner.js';
import type { LockRetryEvent } from './db/lock-retry.js';
import { resolveLockRetries, type LockRetries } from './db/lock-retry-schedule.js';
import { captureSessionBaseline, FRESH_SESSION, type SessionBaseline } from './db/session-state.js';
import { openSession, type Session, type SessionEvent, type SessionOptions } from './db/session.js';
import { listDirectory, loadMigrations, readUtf8 } from './migrations/discover.js';
import type { Migration } from './migrations/parse.js';
import { parseMigrationFileName } from './migrations/parse.js';
import { computeStatus, findProblems, planDown, planRedo, planUp, type JournalRow, type MigrationStatus } from './migrations/plan.js';
import { isSqlState } from './db/pg-error.js';
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
  | { type: 'migration-resume'; direction: Direction; version: number; fileName: string; resume: ResumePoint }
  | { type: 'migration-done'; direction: Direction; version: number; fileName: string; executionMs: number }
  | { type: 'plan'; direction: Direction; migrations: { version: number; fileName: string }[] }
  | { type: 'nothing-to-do'; direction: Direction }
  | { type: 'seed-done'; fileName: string; executionMs: number }
  | { type: 'partition'; event: PartitionEvent }
  | { type: 'warning'; message: string }
  | LockRetryEvent
  | VerifyEvent;

/** Options every command takes. */
export interface CommonOptions extends SessionOptions {
  /** Migrations directory (default: AETURNIS_MIGRATIONS_DIR or ./migrations). */
  dir?: string | undefined;
  /** Journal table, optionally schema-qualified (default schema_migrations). */
  table?: string | undefined;
  /** Bound the wait for the runner lock (default: wait as long as it takes). */
  lockTimeoutSeconds?: number | undefined;
  /**
   * Lock retries: `false` or `'off'` to turn them off, a schedule such as
   * `'100ms..1s,50ms..60s,40m'` (or a parsed one) to choose it; default AETURNIS_LOCK_RETRIES,
   * else the default schedule (README, "Lock retries").
   */
  lockRetries?: LockRetries | string | false | undefined;
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
  return withSession(options, async (scope, emit) => {
    const { rows, partial } = await readJournal(scope.session.client, scope.journal);
    const { pending, resume } = planUp(migrations, rows, options, partial);
    const planned = pending.map(({ version, name, fileName }) => ({ version, name, fileName }));
    if (options.dryRun) {
      emit({ type: 'plan', direction: 'up', migrations: planned });
      return { applied: [], planned, partitions: undefined };
    }
    if (pending.length === 0) emit({ type: 'nothing-to-do', direction: 'up' });
    const applied = await runAll(scope, pending, resume, 'up', options, emit);
    let partitions: PartitionReport | undefined;
    if (options.partitions !== false) {
      partitions = await maintainPartitions(scope.session.client, {
        table: options.partitions?.table ?? DEFAULT_PARTITIONED_TABLE,
        ahead: options.partitions?.ahead ?? DEFAULT_PARTITIONS_AHEAD,
        // An audit_log that is not ours (the user's own table, another tool's layout) is
        // reported and left as it is: the migrations applied fine, so up still succeeds.
        unmanaged: 'leave-alone',
        onEvent: (event) => emit({ type: 'partition', event }),
      });
    }
    return { applied, planned, partitions };
  }, options.dryRun ? undefined : {});
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
  return withSession(options, async (scope, emit) => {
    const { rows, partial } = await readJournal(scope.session.client, scope.journal);
    const { rollback: selected, resume } = planDown(migrations, rows, options, partial);
    const planned = selected.map(({ version, name, fileName }) => ({ version, name, fileName }));
    if (options.dryRun) {
      emit({ type: 'plan', direction: 'down', migrations: planned });
      return { rolledBack: [], planned };
    }
    if (selected.length === 0) emit({ type: 'nothing-to-do', direction: 'down' });
    const rolledBack = await runAll(scope, selected, resume, 'down', options, emit);
    return { rolledBack, planned };
  }, options.dryRun ? undefined : {});
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
  return withSession(options, async (scope, emit) => {
    const plan = planRedo(migrations, (await readJournal(scope.session.client, scope.journal)).rows);
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
    const [rolledBack] = await runAll(scope, [migration], new Map(), 'down', options, emit);
    let applied: RanMigration[];
    try {
      applied = await runAll(scope, [migration], new Map(), 'up', options, emit);
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
  }, {});
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
  return withSession(options, async ({ session, journal }) => {
    const { rows, partial } = await readJournal(session.client, journal);
    const statusRows = computeStatus(migrations, rows, partial);
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
  return withSession(options, async ({ session, journal }) => {
    const { rows, partial } = await readJournal(session.client, journal);
    const problems = findProblems(computeStatus(migrations, rows, partial));
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
  return withSession(options, async ({ session }, emit) => {
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
  }, options.dryRun ? undefined : { createJournal: false });
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
  assertDevelopmentEnvironment(env, options.force, 'seed', 'seeds are dev data');
  const dir = options.seedsDir ?? env.AETURNIS_SEEDS_DIR ?? DEFAULT_SEEDS_DIR;
  const files = listDirectory(dir, 'seeds directory', '--seeds-dir or AETURNIS_SEEDS_DIR').filter((f) => f.toLowerCase().endsWith('.sql'));
  const seeds = files.flatMap((fileName) => {
    const sql = readUtf8(join(dir, fileName), fileName);
    return sql === undefined ? [] : [{ fileName, sql }];
  });
  return withSession(options, async ({ session }, emit) => {
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
  }, { createJournal: false });
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

/**
 * The environments `seed` and `reset` run in without `--force`: NODE_ENV unset or a development
 * name, in any case. Anything else (production, staging, prod, ...) could be a real database.
 */
const DEVELOPMENT_ENVIRONMENTS = new Set(['development', 'dev', 'test', 'local']);

/**
 * Refuses (exit 2) to run dev-only work outside a development environment unless forced.
 *
 * @example
 * assertDevelopmentEnvironment({ NODE_ENV: 'Production' }, false, 'seed', 'seeds are dev data') // throws UsageError
 */
export function assertDevelopmentEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  force: boolean | undefined,
  command: string,
  why: string,
): void {
  const nodeEnv = env.NODE_ENV;
  if (force || nodeEnv === undefined || nodeEnv === '' || DEVELOPMENT_ENVIRONMENTS.has(nodeEnv.trim().toLowerCase())) return;
  throw new UsageError(
    `refusing to ${command} with NODE_ENV=${nodeEnv} (${why}; only development, dev, test, local or no NODE_ENV run without it): pass --force if you really mean it`,
  );
}

/** Which runner lock a command holds for its whole run (none for read-only commands and dry runs). */
interface RunnerLock {
  /** Create the journal table once the lock is held (default true). */
  createJournal?: boolean;
}

/** What every command works with: its connection, its journal (resolved once) and the session's starting state. */
interface CommandScope {
  session: Session;
  journal: Journal;
  baseline: SessionBaseline;
}

/**
 * Opens the command's session, resolves its journal, holds the runner lock around `work` when
 * asked, and always releases both, however `work` ends.
 */
async function withSession<T>(
  options: CommonOptions,
  work: (scope: CommandScope, emit: (event: MigratorEvent) => void) => Promise<T>,
  runnerLock?: RunnerLock,
): Promise<T> {
  const emit = options.onEvent ?? (() => {});
  if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));
  const requested = journalTable(options);
  const session = await openSession(options, emit);
  const onAbort = (): void => {
    void session.cancelRunningQuery();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const journal = await resolveJournal(session.client, requested);
    const baseline = options.connection ? await captureSessionBaseline(session.client) : FRESH_SESSION;
    const scope: CommandScope = { session, journal, baseline };
    if (!runnerLock) return await work(scope, emit);
    await lockAndPrepare(scope, options, emit, { createJournal: runnerLock.createJournal ?? true });
    try {
      return await work(scope, emit);
    } finally {
      await releaseRunnerLock(session.client, journal.lockKey).catch(() => {});
    }
  } catch (error) {
    // A connection that died while idle fails its next query with a bare "not queryable":
    // report why it died instead.
    const ownReason = isSqlState((error as { code?: unknown } | null)?.code);
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
  if (signal?.aborted) return Object.assign(new InterruptedError(signalOf(signal)), { cause: error });
  const code = (error as { code?: unknown } | null)?.code;
  const message = maskPassword(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
  if (isConnectionLoss(error)) {
    // Terminated by the server (57P01, FATAL) or a closed socket, outside a migration's own SQL.
    const sqlState = isSqlState(code) ? ` (SQLSTATE ${code})` : '';
    return Object.assign(new ConnectionError(`lost the database connection: ${message}${sqlState}`), { cause: error });
  }
  if (isSqlState(code)) return Object.assign(new DatabaseError(message, code), { cause: error });
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    return Object.assign(new ConnectionError(`lost the database connection: ${message}`), { cause: error });
  }
  return error;
}

async function lockAndPrepare(
  scope: CommandScope,
  options: CommonOptions,
  emit: (event: MigratorEvent) => void,
  { createJournal = true }: { createJournal?: boolean } = {},
): Promise<void> {
  await acquireRunnerLock(scope.session.client, scope.journal.lockKey, {
    timeoutSeconds: options.lockTimeoutSeconds,
    signal: options.signal,
    onWait: (holder, waitedMs) => emit({ type: 'lock-wait', holder: describeHolder(holder), waitedMs }),
  });
  if (createJournal) await ensureJournal(scope.session.client, scope.journal);
}

async function runAll(
  scope: CommandScope,
  migrations: Migration[],
  resume: ReadonlyMap<number, ResumePoint>,
  direction: Direction,
  options: CommonOptions,
  emit: (event: MigratorEvent) => void,
): Promise<RanMigration[]> {
  const done: RanMigration[] = [];
  const context: RunContext = {
    client: scope.session.client,
    journal: scope.journal,
    baseline: scope.baseline,
    warn: (message: string) => emit({ type: 'warning', message }),
    signal: options.signal,
    lockRetries: resolveLockRetries(options.lockRetries, options.env ?? process.env),
    onLockRetry: emit,
  };
  for (const migration of migrations) {
    if (options.signal?.aborted) throw interrupted(options.signal, done, migrations, direction, undefined);
    const resumeAt = resume.get(migration.version);
    if (resumeAt) emit({ type: 'migration-resume', direction, version: migration.version, fileName: migration.fileName, resume: resumeAt });
    emit({ type: 'migration-start', direction, version: migration.version, fileName: migration.fileName });
    let executionMs: number;
    try {
      executionMs = await runMigration(context, migration, direction, resumeAt);
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


export type { JournalRow, MigrationStatus, Migration, PartitionReport, PartitionDescription };
export { ValidationError, RunInterruptedError };

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
  const run = { signal: signalOf(signal), direction, completed: done, notRun };
  const progress = partialRunOf(error);
  if (current?.noTransaction || (progress && progress.statementsApplied > 0)) {
    // Statements of a no-transaction migration commit one by one: say what stayed, not "rolled back".
    const ran = progress ? `ran ${progress.statementsApplied} of ${progress.statementCount} statements` : 'was stopped part-way';
    const journalState = direction === 'up' ? 'it is not recorded as applied' : 'it is still recorded as applied';
    const kind = current?.noTransaction ? ' (no-transaction)' : '';
    return new RunInterruptedError({ ...run, partiallyApplied: `${current?.fileName}${kind} ${ran}, which stayed applied; ${journalState}` });
  }
  return new RunInterruptedError({ ...run, rolledBack: current?.fileName });
}
