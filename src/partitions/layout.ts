/**
 * Pure judgement of a range-partitioned table's layout: are its partitions UTC calendar months
 * (the layout this tool ships and maintains), or another tool's daily, weekly, yearly or
 * other-time-zone monthly partitions (pg_partman, TimescaleDB-style, hand-rolled cron jobs)?
 * Such a table is not ours: creating monthly partitions and a default partition in it would
 * break its own maintenance. No I/O.
 *
 * A hand-made partition of odd length (a three-month archive, part of a month) is no evidence
 * either way, so a monthly table with a few of them stays ours, and so does a table with no
 * partitions yet.
 *
 * @example
 * judgeLayout([
 *   { name: 'audit_log_p20261115', from: new Date('2026-11-15Z'), to: new Date('2026-11-16Z'), isDefault: false },
 *   { name: 'audit_log_p20261116', from: new Date('2026-11-16Z'), to: new Date('2026-11-17Z'), isDefault: false },
 * ]);
 * // { monthly: false, grain: 'day', problem: 'its partitions are daily (2 of 2, e.g. audit_log_p20261115 [...]), not UTC calendar months' }
 */
import { monthEnd, monthOf, monthStart } from './months.js';
import { type ExistingPartition, formatRange } from './plan.js';

/** What one partition's range looks like, as far as telling layouts apart goes. */
export type PartitionGrain = 'utc-month' | 'sub-day' | 'day' | 'week' | 'other-zone-month' | 'year' | 'other';

/** The grains that show another tool's layout. */
type ForeignGrain = Exclude<PartitionGrain, 'utc-month' | 'other'>;

export type LayoutVerdict =
  | { monthly: true }
  | {
      monthly: false;
      grain: ForeignGrain;
      /** Partitions of that grain, and range partitions in all. */
      count: number;
      total: number;
      /** One line: `its partitions are daily (9 of 9, e.g. ...), not UTC calendar months`. */
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
};

const within = (value: number, low: number, high: number): boolean => value >= low && value <= high;

/** True when `instant` is within a UTC offset of the start of a UTC month (but not on it). */
function nearMonthStart(instant: number): boolean {
  const probe = new Date(instant + WIDEST_OFFSET);
  if (!Number.isFinite(probe.getTime())) return false;
  const nearest = monthStart(monthOf(probe)).getTime();
  return instant !== nearest && Math.abs(instant - nearest) <= WIDEST_OFFSET;
}

/** Classifies one partition range (`null` bounds are MINVALUE / MAXVALUE). */
export function grainOf(from: Date | null, to: Date | null): PartitionGrain {
  if (from === null || to === null) return 'other';
  const start = from.getTime();
  const span = to.getTime() - start;
  if (start === monthStart(monthOf(from)).getTime() && to.getTime() === monthEnd(monthOf(from)).getTime()) return 'utc-month';
  if (span < DAY - SLACK) return 'sub-day';
  if (within(span, DAY - SLACK, DAY + SLACK)) return 'day';
  if (within(span, 7 * DAY - SLACK, 7 * DAY + SLACK)) return 'week';
  if (within(span, 28 * DAY - SLACK, 31 * DAY + SLACK) && nearMonthStart(start) && nearMonthStart(to.getTime())) return 'other-zone-month';
  if (within(span, 365 * DAY - SLACK, 366 * DAY + SLACK)) return 'year';
  return 'other';
}

/**
 * Monthly unless another tool's grain is more common among the range partitions than UTC
 * calendar months (a tie stays monthly). The default partition does not count.
 */
export function judgeLayout(partitions: readonly ExistingPartition[]): LayoutVerdict {
  const ranges = partitions.filter((partition) => !partition.isDefault);
  const byGrain = new Map<PartitionGrain, ExistingPartition[]>();
  for (const partition of ranges) {
    const grain = grainOf(partition.from, partition.to);
    byGrain.set(grain, [...(byGrain.get(grain) ?? []), partition]);
  }
  const months = byGrain.get('utc-month')?.length ?? 0;
  let foreign: { grain: ForeignGrain; members: ExistingPartition[] } | undefined;
  for (const grain of Object.keys(ADJECTIVE) as ForeignGrain[]) {
    const members = byGrain.get(grain) ?? [];
    if (members.length > (foreign?.members.length ?? 0)) foreign = { grain, members };
  }
  if (!foreign || foreign.members.length <= months) return { monthly: true };
  const example = foreign.members[0] as ExistingPartition;
  const count = foreign.members.length;
  return {
    monthly: false,
    grain: foreign.grain,
    count,
    total: ranges.length,
    problem:
      `its partitions are ${ADJECTIVE[foreign.grain]} (${count} of ${ranges.length}, e.g. ${example.name} ` +
      `${formatRange(example.from, example.to)}), not UTC calendar months`,
  };
}
