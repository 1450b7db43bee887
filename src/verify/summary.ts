import { ExitCode } from '../errors.js';
import type { VerifiedMigration } from './round-trip.js';
import { plural } from '../plural.js';

/** The one line (and exit code) a verify run ends with. */
export interface VerifySummary {
  /** 0 every round trip holds; 3 a DOWN does not undo its UP; 1 an SQL statement failed (the worst wins). */
  exitCode: typeof ExitCode.ok | typeof ExitCode.validation | typeof ExitCode.sqlFailed;
  message: string;
  /** Every problem, each `<file without .sql>: <problem>`, in migration order. */
  problems: string[];
  /** Migrations that were checked (not irreversible, not baseline). */
  checked: number;
}

/**
 * Sums up a verify run. Pure.
 */
export function summarizeVerify(migrations: readonly VerifiedMigration[]): VerifySummary {
  const checked = migrations.filter((m) => m.outcome !== 'irreversible').length;
  const sqlFailed = migrations.filter((m) => m.outcome === 'failed').length;
  const notHolding = sqlFailed + migrations.filter((m) => m.outcome === 'mismatch').length;
  if (notHolding === 0) {
    const message =
      checked === 0 ? 'Nothing to verify' : `Verified ${plural(checked, 'migration')}: every DOWN undoes its UP and UP runs again`;
    return { exitCode: ExitCode.ok, message, problems: [], checked };
  }
  const problems = migrations.flatMap((m) => m.problems.map((problem) => `${m.fileName.replace(/\.sql$/, '')}: ${problem}`));
  const sql = sqlFailed > 0 ? ` (${sqlFailed} failed with an SQL error)` : '';
  return {
    exitCode: sqlFailed > 0 ? ExitCode.sqlFailed : ExitCode.validation,
    message: `verify failed: ${notHolding} of ${checked} migrations do not round-trip${sql}`,
    problems,
    checked,
  };
}
