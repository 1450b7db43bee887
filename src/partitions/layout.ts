/**
 * Pure judgement of a range-partitioned table's layout: are its partitions of the interval it is
 * registered with (UTC calendar months for `month`), or of another grain — daily, weekly, yearly
 * or other-time-zone monthly partitions made by pg_partman, TimescaleDB-style tools or cron jobs?
 * Creating partitions of the registered interval among them would break that layout. No I/O.
 *
 * A hand-made partition of odd length (a three-month archive, part of a month) is no evidence
 * either way, so a monthly table with a few of them stays ours, and so does a table with no
 * partitions yet.
 */
import { INTERVAL_ADJECTIVE, type PartitionInterval, periodEnd, periodOf, periodStart } from './periods.js';
import { type ExistingPartition, formatRange } from './plan.js';

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
