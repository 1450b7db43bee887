/**
 * Pure planning of partition upkeep for one interval (day, week, month, year): given the
 * partitions that exist (read from the catalog, by their bounds, never by their names), the
 * clock, `ahead` and `retain`, decide what to create, what is already covered, what cannot be
 * created because an existing partition overlaps part of the period, and what retention removes;
 * and, before any of that, whether the table's layout is one upkeep may plan for at all. No I/O.
 */
import {
  INTERVAL_ADJECTIVE,
  type PartitionInterval,
  type Period,
  defaultPartitionName,
  formatPeriod,
  formatRange,
  partitionNameOf,
  periodEnd,
  periodOf,
  periodStart,
  periodsToEnsure,
  retentionCutoffOf,
} from './periods.js';

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
  /** How long each partition is (default month). */
  interval?: PartitionInterval;
  existing: readonly ExistingPartition[];
  now: Date;
  /** Periods after the current one to ensure (default 3). */
  ahead?: number;
  /** Retention in periods; undefined: nothing is removed. See {@link retentionCutoffOf}. */
  retain?: number | undefined;
  /**
   * Names of other relations in the table's schema that are NOT partitions of this table (a
   * stray `audit_log_2026_11` table, a view...). A period whose partition name is taken becomes a
   * conflict instead of a failed CREATE.
   */
  takenNames?: Iterable<string>;
}

/** A period already covered, wholly, by one existing partition (or, rarely, by several adjoining ones). */
export interface CoveredPeriod {
  period: Period;
  /** The covering partition's name (several names joined with `', '` when the period is pieced together). */
  by: string;
  /** Every partition that covers part of the month (usually one). */
  partitions: string[];
}

/** A period that will not be created: an existing partition covers only part of it, or its name is taken. */
export interface PeriodConflict {
  period: Period;
  /**
   * `partly-covered`: rows of the period still have a partition for part of it; `name-taken`: no
   * partition covers any of it and its partition name is held by another relation (a gap).
   */
  kind: 'partly-covered' | 'name-taken';
  /** The partition name the period would have had, e.g. `<table>_YYYY_MM`. */
  name: string;
  /** The partitions overlapping the period (empty when the conflict is a taken name). */
  overlapping: string[];
  /** A one-line explanation, naming the period, the partitions and their ranges. */
  message: string;
}

/** A partition retention will detach (and drop, unless it keeps detached tables). */
export interface PlannedDrop {
  name: string;
  from: Date | null;
  to: Date;
}

export interface PartitionPlan {
  /** Every period that must be covered: the current one and `ahead` more, oldest first. */
  periods: Period[];
  /** Periods to create (oldest first). */
  create: Period[];
  alreadyCovered: CoveredPeriod[];
  conflicts: PeriodConflict[];
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

const lowerKey = (bound: Date | null): number => (bound === null ? -Infinity : bound.getTime());
const upperKey = (bound: Date | null): number => (bound === null ? Infinity : bound.getTime());

/** True when the range partition holds any instant of `[start, end)` (epoch ms); MINVALUE / MAXVALUE ends included. */
export function overlaps(partition: Pick<ExistingPartition, 'from' | 'to'>, start: number, end: number): boolean {
  return lowerKey(partition.from) < end && upperKey(partition.to) > start;
}

/** What becomes of one period: created, already covered, or a conflict. */
type PeriodVerdict = { create: Period } | { covered: CoveredPeriod } | { conflict: PeriodConflict };

/** A period no partition overlaps: created, unless a relation (or a misplaced partition) holds its name. */
function judgeFreePeriod(input: PlanInput, period: Period, name: string, taken: ReadonlySet<string>): PeriodVerdict {
  if (!taken.has(name)) return { create: period };
  const holder = input.existing.find((partition) => partition.name === name);
  const why = holder
    ? `partition ${name} exists with range ${formatRange(holder.from, holder.to)}`
    : `a relation named ${name} already exists and is not a partition of ${input.table}`;
  const message = `${period.interval} ${formatPeriod(period)} not created: ${why}`;
  return { conflict: { period, kind: 'name-taken', name, overlapping: [], message } };
}

/** Do the overlapping partitions (disjoint, sorted by lower bound) cover the whole period? */
function coversWholly(overlapping: readonly ExistingPartition[], start: number, end: number): boolean {
  let cursor = start;
  for (const partition of overlapping) {
    if (lowerKey(partition.from) > cursor) return false; // gap
    cursor = Math.max(cursor, upperKey(partition.to));
    if (cursor >= end) return true;
  }
  return cursor >= end;
}

/** Decides one period against the range partitions (sorted by lower bound). */
function judgePeriod(input: PlanInput, ranges: readonly ExistingPartition[], period: Period, taken: ReadonlySet<string>): PeriodVerdict {
  const start = periodStart(period).getTime();
  const end = periodEnd(period).getTime();
  const overlapping = ranges.filter((partition) => overlaps(partition, start, end));
  const name = partitionNameOf(input.table, period);
  if (overlapping.length === 0) return judgeFreePeriod(input, period, name, taken);
  const names = overlapping.map((partition) => partition.name);
  if (coversWholly(overlapping, start, end)) return { covered: { period, by: names.join(', '), partitions: names } };
  const parts = overlapping.map((partition) => `${partition.name} ${formatRange(partition.from, partition.to)}`).join(', ');
  const message =
    `${period.interval} ${formatPeriod(period)} ${formatRange(periodStart(period), periodEnd(period))} is only partly covered by ` +
    `${parts}; ${name} not created (resolve the overlap by hand)`;
  return { conflict: { period, kind: 'partly-covered', name, overlapping: names, message } };
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
  const interval = input.interval ?? 'month';
  const periods = periodsToEnsure(input.now, interval, input.ahead ?? 3);
  const cutoff = input.retain === undefined ? null : retentionCutoffOf(input.now, interval, input.retain);
  const ranges = input.existing
    .filter((partition) => !partition.isDefault)
    .sort((first, second) => lowerKey(first.from) - lowerKey(second.from) || first.name.localeCompare(second.name));
  const taken = new Set<string>(input.takenNames ?? []);
  for (const partition of input.existing) taken.add(partition.name);

  const plan: PartitionPlan = {
    periods,
    create: [],
    alreadyCovered: [],
    conflicts: [],
    drop: planDrops(ranges, cutoff),
    ...planDefault(input, taken),
    retentionCutoff: cutoff,
  };
  for (const period of periods) {
    const verdict = judgePeriod(input, ranges, period, taken);
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

/*
 * The layout: are the table's partitions of the interval it is registered with (UTC calendar
 * months for `month`), or of another grain — daily, weekly, yearly or other-time-zone monthly
 * partitions made by pg_partman, TimescaleDB-style tools or cron jobs? Creating partitions of
 * the registered interval among them would break that layout. A hand-made partition of odd
 * length (a three-month archive, part of a month) is no evidence either way, so a monthly table
 * with a few of them stays ours, and so does a table with no partitions yet.
 */

/** What one partition's range looks like, as far as telling layouts apart goes. */
export type PartitionGrain = 'utc-month' | 'sub-day' | 'day' | 'week' | 'other-zone-month' | 'year' | 'other';

/** The grains that tell a layout (a hand-made partition of odd length tells nothing). */
type ForeignGrain = Exclude<PartitionGrain, 'other'>;

/** The grain of each interval's partitions. */
const GRAIN_OF: Record<PartitionInterval, ForeignGrain> = { day: 'day', week: 'week', month: 'utc-month', year: 'year' };

export type LayoutVerdict =
  | { fits: true }
  | {
      fits: false;
      grain: ForeignGrain;
      /** Partitions of that grain, and range partitions in all. */
      count: number;
      total: number;
      /** One line: `its partitions are daily (9 of 9, e.g. ...), not monthly`. */
      problem: string;
    };

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** DST days are 23 or 25 hours long in a local-time daily layout. */
const SLACK = HOUR;
/** The widest UTC offset in use (UTC+14): a local month start lies this close to a UTC one. */
const WIDEST_OFFSET = 14 * HOUR;

const ADJECTIVE: Record<ForeignGrain, string> = {
  'sub-day': 'shorter than a day',
  day: 'daily',
  week: 'weekly',
  'other-zone-month': 'months of a time zone other than UTC',
  year: 'yearly',
  'utc-month': 'UTC calendar months',
};

const within = (value: number, low: number, high: number): boolean => value >= low && value <= high;

/** True when `instant` is within a UTC offset of the start of a UTC month (but not on it). */
function nearMonthStart(instant: number): boolean {
  const probe = new Date(instant + WIDEST_OFFSET);
  if (!Number.isFinite(probe.getTime())) return false;
  const nearest = periodStart(periodOf(probe, 'month')).getTime();
  return instant !== nearest && Math.abs(instant - nearest) <= WIDEST_OFFSET;
}

/** Classifies one partition range (`null` bounds are MINVALUE / MAXVALUE). */
export function grainOf(from: Date | null, to: Date | null): PartitionGrain {
  if (from === null || to === null) return 'other';
  const start = from.getTime();
  const span = to.getTime() - start;
  const month = periodOf(from, 'month');
  if (start === periodStart(month).getTime() && to.getTime() === periodEnd(month).getTime()) return 'utc-month';
  if (span < DAY - SLACK) return 'sub-day';
  if (within(span, DAY - SLACK, DAY + SLACK)) return 'day';
  if (within(span, 7 * DAY - SLACK, 7 * DAY + SLACK)) return 'week';
  if (within(span, 28 * DAY - SLACK, 31 * DAY + SLACK) && nearMonthStart(start) && nearMonthStart(to.getTime())) return 'other-zone-month';
  if (within(span, 365 * DAY - SLACK, 366 * DAY + SLACK)) return 'year';
  return 'other';
}

/**
 * Of the interval unless another grain is more common among the range partitions than the
 * interval's own (a tie stays). The default partition does not count.
 */
export function judgeLayout(partitions: readonly ExistingPartition[], interval: PartitionInterval = 'month'): LayoutVerdict {
  const ranges = partitions.filter((partition) => !partition.isDefault);
  const byGrain = new Map<PartitionGrain, ExistingPartition[]>();
  for (const partition of ranges) {
    const grain = grainOf(partition.from, partition.to);
    byGrain.set(grain, [...(byGrain.get(grain) ?? []), partition]);
  }
  const own = GRAIN_OF[interval];
  const ownCount = byGrain.get(own)?.length ?? 0;
  let foreign: { grain: ForeignGrain; members: ExistingPartition[] } | undefined;
  for (const grain of Object.keys(ADJECTIVE) as ForeignGrain[]) {
    if (grain === own) continue;
    const members = byGrain.get(grain) ?? [];
    if (members.length > (foreign?.members.length ?? 0)) foreign = { grain, members };
  }
  if (!foreign || foreign.members.length <= ownCount) return { fits: true };
  const example = foreign.members[0] as ExistingPartition;
  const count = foreign.members.length;
  return {
    fits: false,
    grain: foreign.grain,
    count,
    total: ranges.length,
    problem:
      `its partitions are ${ADJECTIVE[foreign.grain]} (${count} of ${ranges.length}, e.g. ${example.name} ` +
      `${formatRange(example.from, example.to)}), not ${interval === 'month' ? 'UTC calendar months' : INTERVAL_ADJECTIVE[interval]}`,
  };
}
