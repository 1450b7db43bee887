import { createHash } from 'node:crypto';
import { ValidationError } from '../errors.js';
import type { Migration } from './parse.js';
import { splitSqlStatements, type SqlStatement } from './split.js';
import type { PartialRow } from './status.js';

/**
 * Resuming a migration that stopped part way (see journal/partial-runs.ts): the statements that ran
 * are not run again — a migration's SQL runs exactly once — so the next run starts at the first
 * statement that did not. That is only sound while those statements read as they did when they
 * ran: a hash of their text is kept with the partial run and compared here. Pure.
 */

/** Where a partly applied migration continues. */
export interface ResumePoint {
  /** 0-based index of the first statement to run; the ones before it ran in an earlier run. */
  fromStatement: number;
  statementCount: number;
  /** When the earlier run stopped. */
  stoppedAt: Date;
  /** INVALID indexes the failed run left, dropped before the statement that built them runs again. */
  invalidIndexes: string[];
}

/**
 * SHA-256 of the statements that ran, so a resume can tell whether they were edited since.
 */
export function appliedStatementsSha256(statements: readonly SqlStatement[], count: number): string {
  const hash = createHash('sha256');
  for (const statement of statements.slice(0, count)) hash.update(statement.text).update('\0');
  return hash.digest('hex');
}

/**
 * Where `migration` resumes after the partial run `partial`; throws {@link ValidationError}
 * (exit 3) when the statements that ran were edited since.
 */
export function resumePoint(migration: Migration, partial: PartialRow): ResumePoint {
  const section = partial.direction === 'up' ? migration.up : migration.down;
  const statements = splitSqlStatements(section?.sql ?? '');
  const applied = partial.statementsApplied;
  if (applied > statements.length || appliedStatementsSha256(statements, applied) !== partial.appliedSha256) {
    const ran = applied === 1 ? 'statement 1' : `statements 1-${applied}`;
    const problem =
      `${migration.fileName} was partially ${partial.direction === 'up' ? 'applied' : 'rolled back'} (${ran} of ${partial.statementCount} ran at ` +
      `${partial.failedAt.toISOString()}) and ${applied === 1 ? 'that statement has' : 'those statements have'} changed since, so it cannot resume: ` +
      `restore ${applied === 1 ? 'it as it was' : 'them as they were'} (the statements after ${applied === 1 ? 'it' : 'them'} may change)`;
    throw new ValidationError(`refusing to run ${partial.direction}: ${problem}`, [problem]);
  }
  return { fromStatement: applied, statementCount: statements.length, stoppedAt: partial.failedAt, invalidIndexes: partial.invalidIndexes };
}
