import { readFileSync } from 'node:fs';
import { AeturnisError, ExitCode, InterruptedError, RunInterruptedError, UsageError, ValidationError } from '../errors.js';
import { readJournal } from '../journal/journal.js';
import { errorCode, isSqlState } from '../connection/pg-error.js';
import { isConnectionLoss } from '../run/errors.js';
import { openSession } from '../connection/session.js';
import { currentVersion, describeFleet, versionsAfter, worstExitCode, type TargetOutcome, type TargetVersions } from '../fleet/outcome.js';
import { rollOut, type Slot } from '../fleet/runner.js';
import { readOnlyQuery, targetsQueryRefusal } from '../fleet/targets-query.js';
import { parseTargetsFile, targetsFromRows, type FleetTarget } from '../fleet/targets.js';
import { maskPassword, maskUrl } from '../redact.js';
import type { MigratorEvent } from './events.js';
import { sharedMigrationFiles, type CommonOptions } from './options.js';
import { typedError, withSession, type CommandScope } from './scope.js';

export {
  currentVersion,
  describeFleet,
  FleetFailedError,
  type TargetOutcome,
  type TargetState,
  type TargetVersions,
} from '../fleet/outcome.js';
export type { FleetTarget } from '../fleet/targets.js';
export type { NotStartedReason } from '../fleet/runner.js';
export { targetsInShard, type Shard } from '../fleet/shard.js';

/** The default number of targets running at once (one connection each). */
export const DEFAULT_FLEET_CONCURRENCY = 4;

/** What a fleet run reports: a target starting, each of its events, its outcome. */
export type FleetEvent<R = unknown> =
  | { type: 'target-start'; target: FleetTarget }
  | { type: 'target-event'; target: FleetTarget; event: MigratorEvent }
  | { type: 'target-done'; target: FleetTarget; outcome: TargetOutcome<R> };

/** Options of {@link runFleet}: the options every target's command gets, and how to roll out. */
export interface FleetOptions<R = unknown> extends Omit<CommonOptions, 'databaseUrl' | 'connection' | 'onEvent'> {
  targets: readonly FleetTarget[];
  /** Targets running at once (default 4). */
  concurrency?: number | undefined;
  /** Start no target after the first failure. */
  failFast?: boolean | undefined;
  /** Run the first N targets first; start the others only if all of them succeed. */
  canary?: number | undefined;
  /**
   * Read each target's journal before the command, so its outcome has `versions` (before →
   * after): `track` computes "after" from the migrations the command reports (up, down);
   * `reread` reads the journal again after a success (commands that record rows without
   * running migrations: adopt, baseline). Unset: no versions (read-only commands).
   */
  journal?: 'track' | 'reread' | undefined;
  onEvent?: ((event: FleetEvent<R>) => void) | undefined;
}

/** Result of {@link runFleet}. */
export interface FleetResult<R> {
  /** One per target, in the targets' order. */
  outcomes: TargetOutcome<R>[];
  /** The highest of the targets' exit codes. */
  exitCode: number;
  /** One line: how many succeeded, failed, did not start. */
  summary: string;
}

/**
 * Runs a command on every target, in one process: each target gets the command's options with
 * its own `databaseUrl` (so its own connection, runner lock and journal) and an `onEvent` that
 * tags its events. A failing target does not stop the others (unless `failFast`); nothing
 * throws for a target's failure: it is in that target's outcome, and the fleet's exit code is
 * the worst of them. An aborted `signal` starts no more targets and interrupts the running ones.
 *
 * @example
 * const targets = readTargetsFile('targets.txt');
 * const { outcomes, exitCode } = await runFleet({ targets, concurrency: 8, journal: 'track' }, (options) => migrate({ ...options, dir: 'migrations' }));
 * for (const o of outcomes) console.log(o.target, o.state, o.error ?? '');
 */
export async function runFleet<R>(options: FleetOptions<R>, command: (options: CommonOptions) => Promise<R>): Promise<FleetResult<R>> {
  const concurrency = options.concurrency ?? DEFAULT_FLEET_CONCURRENCY;
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new UsageError(`concurrency must be a whole number of at least 1 (got ${concurrency})`);
  const { targets, failFast, canary, journal, onEvent, ...common } = options;
  // One read of the migration files for the whole run: the same migrations for every target,
  // and no per-target garbage from reading and hashing them again (memory stays flat).
  const base = { ...common, migrationFiles: common.migrationFiles ?? sharedMigrationFiles() };
  const emit = onEvent ?? (() => {});
  const slots = await rollOut(
    targets,
    (target) => runTarget(target, { base, journal, emit }, command),
    (outcome) => outcome.exitCode !== ExitCode.ok,
    { concurrency, failFast, canary, signal: options.signal },
  );
  const outcomes = slots.map((slot, index) => outcomeOf(slot, targets[index] as FleetTarget));
  return { outcomes, exitCode: worstExitCode(outcomes), summary: describeFleet(outcomes) };
}

interface TargetRun<R> {
  base: Omit<CommonOptions, 'databaseUrl' | 'connection' | 'onEvent'>;
  journal: FleetOptions['journal'];
  emit: (event: FleetEvent<R>) => void;
}

async function runTarget<R>(
  target: FleetTarget,
  run: TargetRun<R>,
  command: (options: CommonOptions) => Promise<R>,
): Promise<TargetOutcome<R>> {
  const started = performance.now();
  const applied: { version: number; fileName: string }[] = [];
  const rolledBack: { version: number; fileName: string }[] = [];
  const onEvent = (event: MigratorEvent): void => {
    if (event.type === 'migration-done') (event.direction === 'up' ? applied : rolledBack).push(event);
    run.emit({ type: 'target-event', target, event });
  };
  const options: CommonOptions = { ...run.base, databaseUrl: target.url, onEvent };
  const outcome: TargetOutcome<R> = { ...identity(target), state: 'succeeded', exitCode: ExitCode.ok, ms: 0, applied: [], rolledBack: [] };
  run.emit({ type: 'target-start', target });
  let before: number[] | undefined;
  try {
    if (run.journal) before = await appliedVersions(options);
    outcome.result = await command(options);
    if (run.journal === 'reread' && before)
      outcome.versions = {
        before: currentVersion(before),
        after: currentVersion(await appliedVersions({ ...options, signal: undefined })),
      };
  } catch (error) {
    if (error instanceof TargetFailedWithResult) outcome.result = error.result as R;
    Object.assign(outcome, failureOf(error instanceof TargetFailedWithResult ? error.failure : error, options.signal));
  }
  outcome.applied = applied.map((m) => m.fileName);
  outcome.rolledBack = rolledBack.map((m) => m.fileName);
  if (before && !outcome.versions) outcome.versions = trackedVersions(before, applied, rolledBack);
  outcome.ms = performance.now() - started;
  run.emit({ type: 'target-done', target, outcome });
  return outcome;
}

function trackedVersions(
  before: number[],
  applied: readonly { version: number }[],
  rolledBack: readonly { version: number }[],
): TargetVersions {
  const after = versionsAfter(
    before,
    applied.map((m) => m.version),
    rolledBack.map((m) => m.version),
  );
  return { before: currentVersion(before), after: currentVersion(after) };
}

function identity(target: FleetTarget): Pick<TargetOutcome<unknown>, 'target' | 'source' | 'url'> {
  return { target: target.name, source: target.source, url: maskUrl(target.url) };
}

function outcomeOf<R>(slot: Slot<TargetOutcome<R>>, target: FleetTarget): TargetOutcome<R> {
  if (slot.started) return slot.outcome;
  return { ...identity(target), state: 'not-started', exitCode: ExitCode.ok, notStarted: slot.reason, ms: 0, applied: [], rolledBack: [] };
}

/**
 * Thrown by a fleet command whose target failed but still has a result worth printing (drift's
 * differences): the target fails with `failure`'s exit code and line, and its --json `result`
 * is `result`.
 */
export class TargetFailedWithResult<R> extends Error {
  constructor(
    readonly failure: AeturnisError,
    readonly result: R,
  ) {
    super(failure.message);
  }
}

/** A target's error as its outcome: state, exit code and one line without a password. */
function failureOf(error: unknown, signal: AbortSignal | undefined): Pick<TargetOutcome<unknown>, 'state' | 'exitCode' | 'error'> {
  const typed = typedError(error, signal);
  if (typed instanceof RunInterruptedError) return { state: 'interrupted', exitCode: typed.exitCode, error: typed.describe() };
  if (typed instanceof InterruptedError)
    return { state: 'interrupted', exitCode: typed.exitCode, error: `interrupted by ${typed.signal} before it changed anything` };
  const exitCode = typed instanceof AeturnisError ? typed.exitCode : ExitCode.sqlFailed;
  return { state: 'failed', exitCode, error: oneLine(typed) };
}

function oneLine(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  if (error instanceof ValidationError && error.problems.length > 0 && !message.includes(error.problems[0] ?? '')) {
    message = `${message}: ${error.problems.join('; ')}`;
  }
  return maskPassword(message).split('\n')[0] ?? 'unknown error';
}

/** The versions in a target's journal (none when it has no journal yet). Read-only: takes no lock. */
async function appliedVersions(options: CommonOptions): Promise<number[]> {
  // Another tool's table where the journal should be reads as "nothing applied yet": the command
  // itself refuses it (or, for adopt, takes it over).
  const read = async ({ session, journal }: CommandScope): Promise<number[]> =>
    (await readJournal(session.client, journal)).rows.map((row) => row.version);
  return withSession(options, read, undefined, { resolve: { acceptForeign: true } });
}

/**
 * Reads a targets file (see parseTargetsFile in src/fleet/targets.ts): `${VAR}` from `env`.
 * A file that cannot be read, a line that does not parse or a file listing no target: UsageError.
 *
 * @example
 * const targets = readTargetsFile('targets.txt'); // [{ name: 'eu-1', url: 'postgres://...', source: 'targets.txt:1' }, ...]
 */
export function readTargetsFile(file: string, env: Readonly<Record<string, string | undefined>> = process.env): FleetTarget[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --targets ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const targets = parseTargetsFile(text, file, env);
  if (targets.length === 0) throw new UsageError(`--targets ${file} lists no targets (one name=URL or URL a line)`);
  return targets;
}

/**
 * Runs `sql` on the configured database (a control database: `--database-url`, DATABASE_URL,
 * PG*) as one statement in a read-only transaction it cannot leave, rolled back (see
 * fleet/targets-query.ts), and turns its rows into targets: columns `name` and `url`. An SQL
 * error, a write or a second statement is a UsageError naming --targets-query (exit 2); not
 * reaching the database, exit 4.
 *
 * @example
 * const targets = await queryTargets("SELECT name, url FROM tenants WHERE active", { databaseUrl: controlUrl });
 */
export async function queryTargets(sql: string, options: CommonOptions = {}): Promise<FleetTarget[]> {
  const session = await openSession(options, options.onEvent ?? (() => {})).catch((error: unknown) => {
    throw typedError(error, options.signal);
  });
  try {
    await session.client.query('SET default_transaction_read_only = on');
    const { rows, columns } = await readOnlyQuery(session.client, sql);
    return targetsFromRows(rows, columns, options.env ?? process.env);
  } catch (error) {
    const code = errorCode(error);
    if (isSqlState(code) && !(error instanceof AeturnisError) && !isConnectionLoss(error)) {
      throw new UsageError(targetsQueryRefusal(code, maskPassword((error as Error).message)));
    }
    throw typedError(error, options.signal);
  } finally {
    await session.close();
  }
}
