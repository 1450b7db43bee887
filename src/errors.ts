/**
 * Typed errors. Every failure the tool can report maps to one exit-code category, so the CLI
 * never has to guess and programmatic callers can branch on `error.exitCode` or `instanceof`.
 */

/** The documented exit codes (see the README's "Exit codes" section). */
export const ExitCode = {
  ok: 0,
  sqlFailed: 1,
  usage: 2,
  validation: 3,
  connection: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class: a failure with a user-facing one-line message and an exit-code category. */
export class AeturnisError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad flag, bad setting, bad migration file (exit 2). */
export class UsageError extends AeturnisError {
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** A migration file that breaks the file format (exit 2). Names the file. */
export class MigrationFileError extends UsageError {
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.file = file;
  }
}

/** Refused before changing anything: modified, missing, out of order, irreversible (exit 3). */
export class ValidationError extends AeturnisError {
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(message, ExitCode.validation);
    this.problems = problems;
  }
}

/** Could not connect, or the runner lock was not obtained in time (exit 4). */
export class ConnectionError extends AeturnisError {
  constructor(message: string) {
    super(message, ExitCode.connection);
  }
}

/** The runner lock was not obtained within `--lock-timeout` (exit 4). */
export class LockTimeoutError extends ConnectionError {}

/**
 * PostgreSQL refused something outside a migration's own SQL, for example creating the journal
 * table without the CREATE privilege on the schema (exit 1). Carries the SQLSTATE; the original
 * `pg` error is its `cause`.
 */
export class DatabaseError extends AeturnisError {
  readonly sqlState: string;
  constructor(message: string, sqlState: string) {
    super(`${message} (SQLSTATE ${sqlState})`, ExitCode.sqlFailed);
    this.sqlState = sqlState;
  }
}

/** Where in a migration file an SQL error happened. */
export interface SqlErrorLocation {
  file: string;
  line: number;
  column: number;
}

/** A migration's SQL failed; its transaction was rolled back (exit 1). */
export class MigrationSqlError extends AeturnisError {
  readonly file: string;
  readonly location: SqlErrorLocation | undefined;
  readonly sqlState: string | undefined;
  readonly pgMessage: string;
  /** What else the user should know (statement k of n, PostgreSQL's detail and hint). */
  readonly detail: string | undefined;
  constructor(opts: {
    file: string;
    location?: SqlErrorLocation | undefined;
    sqlState?: string | undefined;
    pgMessage: string;
    detail?: string;
  }) {
    const where = opts.location ? `${opts.location.file}:${opts.location.line}:${opts.location.column}` : opts.file;
    const code = opts.sqlState ? ` (SQLSTATE ${opts.sqlState})` : '';
    super(`${where}: ${opts.pgMessage}${code}${opts.detail ? ` — ${opts.detail}` : ''}`, ExitCode.sqlFailed);
    this.file = opts.file;
    this.location = opts.location;
    this.sqlState = opts.sqlState;
    this.pgMessage = opts.pgMessage;
    this.detail = opts.detail;
  }
}

/**
 * The run was interrupted (SIGINT/SIGTERM in the CLI, an aborted `signal` in the API): the
 * statement in flight was cancelled and its migration rolled back. `exitCode` is the shell
 * convention the CLI exits with: 130 for SIGINT, 143 for SIGTERM.
 */
export class InterruptedError extends Error {
  readonly signal: NodeJS.Signals;
  readonly exitCode: number;
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = new.target.name;
    this.signal = signal;
    this.exitCode = signal === 'SIGTERM' ? 143 : 130;
  }
}

/**
 * The signal an AbortSignal was aborted for: its reason when that names a signal (the CLI aborts
 * with 'SIGINT' or 'SIGTERM'), else SIGINT.
 */
export function signalOf(signal: AbortSignal): NodeJS.Signals {
  const reason: unknown = signal.reason;
  return typeof reason === 'string' && /^SIG[A-Z0-9]+$/.test(reason) ? (reason as NodeJS.Signals) : 'SIGINT';
}

/** A migration that completed before an interruption. */
export interface CompletedMigration {
  version: number;
  name: string;
  fileName: string;
  executionMs: number;
}

/** What {@link RunInterruptedError} reports. */
export interface RunInterruption {
  signal: NodeJS.Signals;
  /** `up` (completed = applied) or `down` (completed = rolled back). */
  direction: 'up' | 'down';
  completed: CompletedMigration[];
  notRun: string[];
  /** The migration whose transaction was cancelled and rolled back (for `down`: its DOWN was undone, so it stays applied). */
  rolledBack?: string | undefined;
  /**
   * For an interrupted `-- aeturnis:no-transaction` migration (which cannot be rolled back):
   * what of it stayed applied, e.g. `0007_index.sql ran 2 of 3 statements (they stayed applied); it is not recorded as applied`.
   */
  partiallyApplied?: string | undefined;
}

/** Thrown when a run was aborted (SIGINT/SIGTERM in the CLI); says what did and did not run. */
export class RunInterruptedError extends InterruptedError {
  readonly completed: CompletedMigration[];
  readonly notRun: string[];
  readonly rolledBack: string | undefined;
  readonly partiallyApplied: string | undefined;
  readonly direction: 'up' | 'down';
  constructor(run: RunInterruption) {
    super(run.signal);
    this.completed = run.completed;
    this.notRun = run.notRun;
    this.rolledBack = run.rolledBack;
    this.partiallyApplied = run.partiallyApplied;
    this.direction = run.direction;
  }

  /**
   * One line: what was rolled back, what stayed, what completed and what did not run.
   */
  describe(): string {
    const applied = this.completed.map((m) => m.fileName);
    const rolledBack = this.rolledBack
      ? this.direction === 'down'
        ? `the DOWN of ${this.rolledBack} was cancelled and undone, so it stays applied; `
        : `${this.rolledBack} was rolled back; `
      : '';
    const partial = this.partiallyApplied ? `${this.partiallyApplied}; ` : '';
    const completed = applied.length > 0 ? `completed: ${applied.join(', ')}` : 'nothing completed';
    const notRun = this.notRun.length > 0 ? `; not run: ${this.notRun.join(', ')}` : '';
    return `interrupted by ${this.signal}: ${rolledBack}${partial}${completed}${notRun}`;
  }
}
