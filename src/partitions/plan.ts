/**
 * Pure planning of monthly partition maintenance: given the partitions that exist (read from the
 * catalog, by their bounds, never by their names), the clock, `ahead` and `retain`, decide what to
 * create, what is already covered, what cannot be created because an existing partition overlaps
 * part of the month, and what retention drops. No I/O.
 *
 * @example
 * const plan = planPartitions({
 *   table: 'audit_log',
 *   now: new Date('2026-11-15T12:00:00Z'),
 *   ahead: 3,
 *   retain: 3,
 *   existing: [
 *     { name: 'audit_log_default', from: null, to: null, isDefault: true },
 *     { name: 'audit_log_2026_07', from: new Date('2026-07-01Z'), to: new Date('2026-08-01Z'), isDefault: false },
 *     { name: 'audit_log_2026_11', from: new Date('2026-11-01Z'), to: new Date('2026-12-01Z'), isDefault: false },
 *   ],
 * });
 * // plan.create: 2026-12, 2027-01, 2027-02; plan.alreadyCovered: 2026-11 by audit_log_2026_11;
 * // plan.drop: audit_log_2026_07 (its upper bound 2026-08-01 <= cutoff 2026-08-01)
 */
import {
  type Month,
  defaultPartitionName,
  formatMonth,
  monthEnd,
  monthStart,
  monthsToEnsure,
  partitionName,
  retentionCutoff,
} from './months.js';

/** A partition as found in the catalog. `from: null` is MINVALUE, `to: null` is MAXVALUE. */
export interface ExistingPartition {
  name: string;
  from: Date | null;
  to: Date | null;
  isDefault: boolean;
}

export interface PlanInput {
  /** The bare (unqualified, unquoted) relation name of the partitioned table. */
  table: string;
  existing: readonly ExistingPartition[];
  now: Date;
  /** Months after the current one to ensure (default 3). */
  ahead?: number;
  /** Retention in months; undefined: nothing is dropped. See {@link retentionCutoff}. */
  retain?: number | undefined;
  /**
   * Names of other relations in the table's schema that are NOT partitions of this table (a
   * stray `audit_log_2026_11` table, a view...). A month whose partition name is taken becomes a
   * conflict instead of a failed CREATE.
   */
  takenNames?: Iterable<string>;
}

/** A month already covered, wholly, by one existing partition (or, rarely, by several adjoining ones). */
export interface CoveredMonth {
  month: Month;
  /** The covering partition's name (several names joined with `', '` when the month is pieced together). */
  by: string;
  /** Every partition that covers part of the month (usually one). */
  partitions: string[];
}

/** A month that will not be created: an existing partition covers only part of it, or its name is taken. */
export interface MonthConflict {
  month: Month;
  /**
   * `partly-covered`: rows of the month still have a partition for part of it; `name-taken`: no
   * partition covers any of it and `<table>_YYYY_MM` is held by another relation (a gap).
   */
  kind: 'partly-covered' | 'name-taken';
  /** The partition name the month would have had, `<table>_YYYY_MM`. */
  name: string;
  /** The partitions overlapping the month (empty when the conflict is a taken name). */
  overlapping: string[];
  /** A one-line explanation, naming the month, the partitions and their ranges. */
  message: string;
}

/** A partition retention will detach and drop. */
export interface PlannedDrop {
  name: string;
  from: Date | null;
  to: Date;
}

export interface PartitionPlan {
  /** Every month that must be covered: current UTC month and `ahead` more, oldest first. */
  months: Month[];
  /** Months to create as `<table>_YYYY_MM` (oldest first). */
  create: Month[];
  alreadyCovered: CoveredMonth[];
  conflicts: MonthConflict[];
  /** Partitions to detach and drop (oldest first); never the default partition. */
  drop: PlannedDrop[];
  /** The existing default partition's name, or null when there is none. */
  defaultPartition: string | null;
  /** True when the default partition is missing and `<table>_default` can be created. */
  createDefault: boolean;
  /** Why a missing default partition cannot be created (its name is taken), else null. */
  defaultProblem: string | null;
  /** Upper bounds `<=` this instant are dropped; null without `retain`. */
  retentionCutoff: Date | null;
}

/** `2026-11-01T00:00:00Z` for messages; `MINVALUE`/`MAXVALUE` for open ends. */
export function formatInstant(instant: Date | null, open: 'MINVALUE' | 'MAXVALUE'): string {
  if (instant === null) return open;
  return instant.toISOString().replace(/\.000Z$/, 'Z');
}

/** `[2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)`. */
export function formatRange(from: Date | null, to: Date | null): string {
  return `[${formatInstant(from, 'MINVALUE')}, ${formatInstant(to, 'MAXVALUE')})`;
}

const lowerKey = (bound: Date | null): number => (bound === null ? -Infinity : bound.getTime());
const upperKey = (bound: Date | null): number => (bound === null ? Infinity : bound.getTime());

/** What becomes of one month: created, already covered, or a conflict. */
type MonthVerdict = { create: Month } | { covered: CoveredMonth } | { conflict: MonthConflict };

/** A month no partition overlaps: created, unless a relation (or a misplaced partition) holds its name. */
function judgeFreeMonth(input: PlanInput, month: Month, name: string, taken: ReadonlySet<string>): MonthVerdict {
  if (!taken.has(name)) return { create: month };
  const holder = input.existing.find((partition) => partition.name === name);
  const why = holder
    ? `partition ${name} exists with range ${formatRange(holder.from, holder.to)}`
    : `a relation named ${name} already exists and is not a partition of ${input.table}`;
  return { conflict: { month, kind: 'name-taken', name, overlapping: [], message: `month ${formatMonth(month)} not created: ${why}` } };
}

/** Do the overlapping partitions (disjoint, sorted by lower bound) cover the whole month? */
function coversWholly(overlapping: readonly ExistingPartition[], start: number, end: number): boolean {
  let cursor = start;
  for (const partition of overlapping) {
    if (lowerKey(partition.from) > cursor) return false; // gap
    cursor = Math.max(cursor, upperKey(partition.to));
    if (cursor >= end) return true;
  }
  return cursor >= end;
}

/** Decides one month against the range partitions (sorted by lower bound). */
function judgeMonth(input: PlanInput, ranges: readonly ExistingPartition[], month: Month, taken: ReadonlySet<string>): MonthVerdict {
  const start = monthStart(month).getTime();
  const end = monthEnd(month).getTime();
  const overlapping = ranges.filter((partition) => lowerKey(partition.from) < end && upperKey(partition.to) > start);
  const name = partitionName(input.table, month);
  if (overlapping.length === 0) return judgeFreeMonth(input, month, name, taken);
  const names = overlapping.map((partition) => partition.name);
  if (coversWholly(overlapping, start, end)) return { covered: { month, by: names.join(', '), partitions: names } };
  const parts = overlapping.map((partition) => `${partition.name} ${formatRange(partition.from, partition.to)}`).join(', ');
  const message =
    `month ${formatMonth(month)} ${formatRange(monthStart(month), monthEnd(month))} is only partly covered by ` +
    `${parts}; ${name} not created (resolve the overlap by hand)`;
  return { conflict: { month, kind: 'partly-covered', name, overlapping: names, message } };
}

/** The range partitions whose whole range ended at or before `cutoff`, oldest first. */
function planDrops(ranges: readonly ExistingPartition[], cutoff: Date | null): PlannedDrop[] {
  if (cutoff === null) return [];
  const drop: PlannedDrop[] = [];
  for (const partition of ranges) {
    if (partition.to !== null && partition.to.getTime() <= cutoff.getTime())
      drop.push({ name: partition.name, from: partition.from, to: partition.to });
  }
  return drop.sort((first, second) => first.to.getTime() - second.to.getTime() || first.name.localeCompare(second.name));
}

/** Whether a missing default partition can be created, or why not. */
function planDefault(
  input: PlanInput,
  taken: ReadonlySet<string>,
): Pick<PartitionPlan, 'defaultPartition' | 'createDefault' | 'defaultProblem'> {
  const defaultPartition = input.existing.find((partition) => partition.isDefault)?.name ?? null;
  if (defaultPartition !== null) return { defaultPartition, createDefault: false, defaultProblem: null };
  const name = defaultPartitionName(input.table);
  if (!taken.has(name)) return { defaultPartition, createDefault: true, defaultProblem: null };
  const defaultProblem = `default partition missing and not created: a relation named ${name} already exists and is not the default partition of ${input.table}`;
  return { defaultPartition, createDefault: false, defaultProblem };
}

/** Builds the plan. Throws RangeError on a bad `ahead`/`retain`/`now`. */
export function planPartitions(input: PlanInput): PartitionPlan {
  const months = monthsToEnsure(input.now, input.ahead ?? 3);
  const cutoff = input.retain === undefined ? null : retentionCutoff(input.now, input.retain);
  const ranges = input.existing
    .filter((partition) => !partition.isDefault)
    .sort((first, second) => lowerKey(first.from) - lowerKey(second.from) || first.name.localeCompare(second.name));
  const taken = new Set<string>(input.takenNames ?? []);
  for (const partition of input.existing) taken.add(partition.name);

  const plan: PartitionPlan = {
    months,
    create: [],
    alreadyCovered: [],
    conflicts: [],
    drop: planDrops(ranges, cutoff),
    ...planDefault(input, taken),
    retentionCutoff: cutoff,
  };
  for (const month of months) {
    const verdict = judgeMonth(input, ranges, month, taken);
    if ('create' in verdict) plan.create.push(verdict.create);
    else if ('covered' in verdict) plan.alreadyCovered.push(verdict.covered);
    else plan.conflicts.push(verdict.conflict);
  }
  return plan;
}

/** True when applying the plan would change nothing. */
export function planIsEmpty(plan: PartitionPlan): boolean {
  return plan.create.length === 0 && plan.drop.length === 0 && !plan.createDefault;
}
