/**
 * Errors of partition maintenance, in the project's exit-code categories (see `../errors.ts`).
 */
import { AeturnisError, ExitCode, UsageError } from '../errors.js';
import type { PartitionReport } from './types.js';

/**
 * The table exists but cannot be maintained: not partitioned, not RANGE-partitioned on a single
 * `timestamptz`/`timestamp`/`date` column, an unreadable partition bound, or a name so long that
 * `<table>_YYYY_MM` would exceed PostgreSQL's 63-byte identifier limit. Exit 2 (configuration).
 */
export class PartitionSetupError extends UsageError {
  readonly table: string;
  /** The message without the table name, e.g. `partitioned by LIST (kind); ...`. */
  readonly problem: string;
  constructor(table: string, problem: string) {
    super(`${table}: ${problem}`);
    this.table = table;
    this.problem = problem;
  }
}

/**
 * Months that got no partition because another relation holds their name (a gap rows of those
 * months fall through to the default partition), in a run asked to fail on that. Everything
 * else the run did was committed; `report` says what. Exit 2.
 */
export class PartitionMonthsMissingError extends PartitionSetupError {
  readonly report: PartitionReport;
  constructor(table: string, problem: string, report: PartitionReport) {
    super(table, problem);
    this.report = report;
  }
}

/**
 * An SQL statement of partition upkeep failed; its step's transaction was rolled back and the
 * steps before it stay done (`outcome` says so, or says what else stayed). Exit 1.
 */
export class PartitionSqlError extends AeturnisError {
  readonly table: string;
  readonly sqlState: string | undefined;
  readonly pgMessage: string;
  /** What was being done, e.g. `creating audit_log_2026_11`. */
  readonly step: string;
  constructor(opts: { table: string; step: string; pgMessage: string; sqlState?: string | undefined; outcome?: string }) {
    const code = opts.sqlState ? ` (SQLSTATE ${opts.sqlState})` : '';
    const outcome = opts.outcome ?? 'that step was rolled back; the steps before it stay done';
    super(`${opts.table}: ${opts.step} failed: ${opts.pgMessage}${code}; ${outcome}`, ExitCode.sqlFailed);
    this.table = opts.table;
    this.step = opts.step;
    this.pgMessage = opts.pgMessage;
    this.sqlState = opts.sqlState;
  }
}
