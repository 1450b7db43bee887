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
export function formatInstant(d: Date | null, open: 'MINVALUE' | 'MAXVALUE'): string {
  if (d === null) return open;
  return d.toISOString().replace(/\.000Z$/, 'Z');
}

/** `[2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)`. */
export function formatRange(from: Date | null, to: Date | null): string {
  return `[${formatInstant(from, 'MINVALUE')}, ${formatInstant(to, 'MAXVALUE')})`;
}

const lowerKey = (d: Date | null): number => (d === null ? -Infinity : d.getTime());
const upperKey = (d: Date | null): number => (d === null ? Infinity : d.getTime());

/** Builds the plan. Throws RangeError on a bad `ahead`/`retain`/`now`. */
export function planPartitions(input: PlanInput): PartitionPlan {
  const ahead = input.ahead ?? 3;
  const months = monthsToEnsure(input.now, ahead);
  const cutoff = input.retain === undefined ? null : retentionCutoff(input.now, input.retain);

  const defaults = input.existing.filter((p) => p.isDefault);
  const ranges = input.existing
    .filter((p) => !p.isDefault)
    .slice()
    .sort((a, b) => lowerKey(a.from) - lowerKey(b.from) || a.name.localeCompare(b.name));

  const taken = new Set<string>(input.takenNames ?? []);
  for (const p of input.existing) taken.add(p.name);

  const create: Month[] = [];
  const alreadyCovered: CoveredMonth[] = [];
  const conflicts: MonthConflict[] = [];

  for (const month of months) {
    const start = monthStart(month).getTime();
    const end = monthEnd(month).getTime();
    const overlapping = ranges.filter((p) => lowerKey(p.from) < end && upperKey(p.to) > start);
    const name = partitionName(input.table, month);

    if (overlapping.length === 0) {
      if (taken.has(name)) {
        const holder = input.existing.find((p) => p.name === name);
        const why = holder
          ? `partition ${name} exists with range ${formatRange(holder.from, holder.to)}`
          : `a relation named ${name} already exists and is not a partition of ${input.table}`;
        conflicts.push({
          month,
          kind: 'name-taken',
          name,
          overlapping: [],
          message: `month ${formatMonth(month)} not created: ${why}`,
        });
      } else {
        create.push(month);
      }
      continue;
    }

    // Sweep: do the overlapping partitions (disjoint, sorted by lower bound) cover [start, end)?
    let cursor = start;
    for (const p of overlapping) {
      if (lowerKey(p.from) > cursor) break; // gap
      cursor = Math.max(cursor, upperKey(p.to));
      if (cursor >= end) break;
    }
    const names = overlapping.map((p) => p.name);
    if (cursor >= end) {
      alreadyCovered.push({ month, by: names.join(', '), partitions: names });
    } else {
      const parts = overlapping.map((p) => `${p.name} ${formatRange(p.from, p.to)}`).join(', ');
      conflicts.push({
        month,
        kind: 'partly-covered',
        name,
        overlapping: names,
        message:
          `month ${formatMonth(month)} ${formatRange(monthStart(month), monthEnd(month))} is only partly covered by ` +
          `${parts}; ${name} not created (resolve the overlap by hand)`,
      });
    }
  }

  const drop: PlannedDrop[] = [];
  if (cutoff !== null) {
    for (const p of ranges) {
      if (p.to !== null && p.to.getTime() <= cutoff.getTime()) drop.push({ name: p.name, from: p.from, to: p.to });
    }
    drop.sort((a, b) => a.to.getTime() - b.to.getTime() || a.name.localeCompare(b.name));
  }

  const defaultPartition = defaults[0]?.name ?? null;
  let createDefault = false;
  let defaultProblem: string | null = null;
  if (defaultPartition === null) {
    const dname = defaultPartitionName(input.table);
    if (taken.has(dname)) {
      defaultProblem = `default partition missing and not created: a relation named ${dname} already exists and is not the default partition of ${input.table}`;
    } else {
      createDefault = true;
    }
  }

  return {
    months,
    create,
    alreadyCovered,
    conflicts,
    drop,
    defaultPartition,
    createDefault,
    defaultProblem,
    retentionCutoff: cutoff,
  };
}

/** True when applying the plan would change nothing. */
export function planIsEmpty(plan: PartitionPlan): boolean {
  return plan.create.length === 0 && plan.drop.length === 0 && !plan.createDefault;
}
