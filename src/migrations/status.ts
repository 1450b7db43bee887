import type { Migration } from './parse.js';

/** One row of the journal table (`schema_migrations`). */
export interface JournalRow {
  version: number;
  /**
   * The version exactly as stored (a bigint: rows written by hand may exceed 2^53, where
   * `version` loses precision). Defaults to `String(version)`.
   */
  versionText?: string | undefined;
  name: string;
  checksum: string;
  appliedAt: Date;
  executionMs: number;
  /**
   * Recorded without running it: `adopt --from TOOL` (the tool's name) or `baseline`
   * (`'baseline'`). Undefined for a migration aeturnis-db applied.
   */
  adoptedFrom?: string | undefined;
  /**
   * Recorded by `adopt` (or `baseline`) while its file was a placeholder for another tool's code
   * migration (`import --placeholders`): the code file, and the placeholder's checksum.
   */
  adoptedPlaceholder?: { of: string; checksum: string } | undefined;
}

/** A migration that stopped part way and could not be rolled back (see journal/partial-runs.ts). */
export interface PartialRow {
  version: number;
  /** `up`: partly applied, not in the journal. `down`: partly rolled back, still in the journal. */
  direction: 'up' | 'down';
  name: string;
  checksum: string;
  statementsApplied: number;
  statementCount: number;
  appliedSha256: string;
  /** INVALID indexes the failing statement left behind (schema-qualified, quoted). */
  invalidIndexes: string[];
  error: string | null;
  failedAt: Date;
}

/** State of a known migration: a file, a journal row, or both. */
export type MigrationState = 'applied' | 'pending' | 'modified' | 'missing' | 'partial';

/** One row of `status`. */
export interface MigrationStatus {
  version: number;
  /** The version as text, exact even beyond 2^53. */
  versionText: string;
  name: string;
  state: MigrationState;
  /** `undefined` for pending migrations. */
  appliedAt: Date | undefined;
  executionMs: number | undefined;
  /** `undefined` for missing migrations (applied, but no file). */
  fileName: string | undefined;
  /** Pending, and older than the newest applied migration. */
  outOfOrder: boolean;
  /** For `partial`: how far it got. */
  partial: PartialRow | undefined;
  /** Recorded by `adopt --from TOOL` (the tool) or `baseline` (`'baseline'`), not applied by aeturnis-db. */
  adoptedFrom: string | undefined;
  /**
   * Applied here while it was a placeholder for `of` (the other tool ran that code), rewritten in
   * SQL since; `checksumRecorded`: `up` has recorded the rewritten file's checksum.
   */
  rewrittenPlaceholder?: { of: string; checksumRecorded: boolean } | undefined;
}

const keyOf = (row: JournalRow): string => row.versionText ?? String(row.version);

/**
 * Joins files, journal and partial runs into one row per known migration, ordered by version.
 * Pure.
 */
export function computeStatus(
  migrations: readonly Migration[],
  journal: readonly JournalRow[],
  partialRuns: readonly PartialRow[] = [],
): MigrationStatus[] {
  const applied = new Map(journal.map((row) => [keyOf(row), row]));
  const partial = new Map(partialRuns.map((row) => [row.version, row]));
  const newestApplied = journal.reduce((max, row) => Math.max(max, row.version), 0);
  const rows: MigrationStatus[] = [];
  for (const migration of migrations) {
    const key = String(migration.version);
    const row = applied.get(key);
    applied.delete(key);
    const stopped = partial.get(migration.version);
    partial.delete(migration.version);
    rows.push(fileRow(migration, row, stopped, newestApplied));
  }
  for (const row of applied.values()) {
    const stopped = partial.get(row.version);
    partial.delete(row.version);
    rows.push({
      ...base(row.version, keyOf(row), row.name),
      state: stopped ? 'partial' : 'missing',
      appliedAt: row.appliedAt,
      executionMs: row.executionMs,
      partial: stopped,
      adoptedFrom: row.adoptedFrom,
    });
  }
  for (const stopped of partial.values()) {
    rows.push({ ...base(stopped.version, String(stopped.version), stopped.name), state: 'partial', partial: stopped });
  }
  return rows.sort((a, b) => compareVersions(a.versionText, b.versionText));
}

function base(version: number, versionText: string, name: string): MigrationStatus {
  return {
    version,
    versionText,
    name,
    state: 'pending',
    appliedAt: undefined,
    executionMs: undefined,
    fileName: undefined,
    outOfOrder: false,
    partial: undefined,
    adoptedFrom: undefined,
  };
}

function fileRow(
  migration: Migration,
  row: JournalRow | undefined,
  stopped: PartialRow | undefined,
  newestApplied: number,
): MigrationStatus {
  const status = { ...base(migration.version, String(migration.version), migration.name), fileName: migration.fileName };
  // A partial DOWN leaves the journal row in place; a partial UP has none.
  const partial = stopped && (stopped.direction === 'down') === (row !== undefined) ? stopped : undefined;
  if (row) {
    const rewritten = isRewrittenPlaceholder(migration, row);
    const state = partial ? 'partial' : row.checksum === migration.checksum || rewritten ? 'applied' : 'modified';
    const from = row.adoptedPlaceholder;
    const rewrittenPlaceholder =
      state === 'applied' && from && !migration.placeholder ? { of: from.of, checksumRecorded: !rewritten } : undefined;
    return {
      ...status,
      state,
      appliedAt: row.appliedAt,
      executionMs: row.executionMs,
      partial,
      adoptedFrom: row.adoptedFrom,
      ...(rewrittenPlaceholder ? { rewrittenPlaceholder } : {}),
    };
  }
  if (partial) return { ...status, state: 'partial', partial };
  return { ...status, outOfOrder: migration.version < newestApplied };
}

/**
 * A file that was a placeholder when `adopt` recorded it (the other tool ran its code on this
 * database), rewritten in SQL since, its new checksum not recorded yet: applied, not modified,
 * and its SQL must not run here. Only while the journal row is the one adopt wrote with the
 * placeholder's checksum and the file is no placeholder any more; once `up` records the new
 * checksum, any later edit is `modified` as for every file. Pure.
 */
export function isRewrittenPlaceholder(migration: Pick<Migration, 'checksum' | 'placeholder'>, row: JournalRow): boolean {
  const adopted = row.adoptedPlaceholder;
  return adopted !== undefined && row.checksum === adopted.checksum && migration.checksum !== row.checksum && !migration.placeholder;
}

/**
 * Orders versions given as decimal text (exact beyond 2^53).
 */
export function compareVersions(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Options of {@link findProblems}. */
export interface ProblemOptions {
  allowOutOfOrder?: boolean | undefined;
  /** `up` resumes partly applied migrations itself: they are not a reason to refuse it. */
  resumingPartialUps?: boolean | undefined;
}

/**
 * Every problem `validate` (and `up`) reports, as human-readable lines. Empty when all is well.
 * With `allowOutOfOrder`, out-of-order pending migrations are not a problem.
 */
export function findProblems(rows: readonly MigrationStatus[], options: ProblemOptions = {}): string[] {
  const problems: string[] = [];
  const newestApplied = rows.reduce(
    (max, r) => (r.state === 'pending' || (r.state === 'partial' && !r.appliedAt) ? max : Math.max(max, r.version)),
    0,
  );
  for (const row of rows) {
    if (row.state === 'modified') {
      problems.push(`${row.fileName} was modified after it was applied (checksum differs)`);
    } else if (row.state === 'missing') {
      problems.push(`version ${row.versionText} (${row.name}) is applied but its file is missing`);
    } else if (row.state === 'partial' && row.partial) {
      if (options.resumingPartialUps && row.partial.direction === 'up' && row.fileName) continue;
      problems.push(describePartial(row, row.partial));
    } else if (row.outOfOrder && !options.allowOutOfOrder) {
      problems.push(
        `${row.fileName} is pending but older than the newest applied version ${newestApplied} (out of order; use --allow-out-of-order to apply it)`,
      );
    }
  }
  return problems;
}

/**
 * One line for a partial run: what ran, when, and what comes next.
 */
function describePartial(row: Pick<MigrationStatus, 'fileName' | 'versionText' | 'name'>, partial: PartialRow): string {
  const file = row.fileName ?? `version ${row.versionText} (${row.name}, file missing)`;
  const ran =
    partial.statementsApplied === 0
      ? 'no statement'
      : partial.statementsApplied === 1
        ? 'statement 1'
        : `statements 1-${partial.statementsApplied}`;
  const what = partial.direction === 'up' ? 'partially applied' : 'partially rolled back';
  const section = partial.direction === 'up' ? '' : ' of its DOWN';
  const next =
    partial.statementsApplied < partial.statementCount
      ? `aeturnis-db ${partial.direction} resumes at statement ${partial.statementsApplied + 1}`
      : `aeturnis-db ${partial.direction} only records it`;
  const indexes = partial.invalidIndexes
    .map((name) => `; INVALID index ${name} left behind (${partial.direction} drops it first; or DROP INDEX CONCURRENTLY ${name})`)
    .join('');
  return `${file} is ${what}: ${ran} of ${partial.statementCount}${section} ran (${partial.failedAt.toISOString()}); ${next}${indexes}`;
}
