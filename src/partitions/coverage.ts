/**
 * Pure: which periods a table's partitions cover between its first and last period, and which
 * periods in between have no partition at all (a gap, e.g. a month whose name a plain table
 * holds). For the `status` line. No I/O.
 */
import { type PartitionInterval, type Period, formatPeriod, periodOf } from './periods.js';

/** Consecutive periods, `first..last` (the same period for one). */
export interface PeriodSpan {
  first: Period;
  last: Period;
}

export interface PeriodCoverage {
  /** Runs of periods some partition overlaps, oldest first. */
  covered: PeriodSpan[];
  /** The periods between those runs that no partition overlaps. */
  missing: PeriodSpan[];
}

interface IndexSpan {
  first: number;
  last: number;
}

/**
 * Covered and missing periods of the range partitions given (`null` bounds: MINVALUE / MAXVALUE,
 * clipped to the lowest finite lower bound and the highest finite upper bound). A period a
 * partition covers only in part counts as covered: rows of it have somewhere to go.
 */
export function periodCoverage(ranges: readonly { from: Date | null; to: Date | null }[], interval: PartitionInterval): PeriodCoverage {
  const indexOf = (date: Date): number => periodOf(date, interval).index;
  const lastIndexOf = (upper: Date): number => indexOf(new Date(upper.getTime() - 1));
  const froms = ranges.flatMap((range) => (range.from ? [indexOf(range.from)] : []));
  const tos = ranges.flatMap((range) => (range.to ? [lastIndexOf(range.to)] : []));
  if (froms.length === 0 || tos.length === 0) return { covered: [], missing: [] };
  const lowest = Math.min(...froms);
  const highest = Math.max(...tos);
  const spans = ranges
    .map((range) => ({
      first: Math.max(lowest, range.from ? indexOf(range.from) : lowest),
      last: Math.min(highest, range.to ? lastIndexOf(range.to) : highest),
    }))
    .filter((span) => span.first <= span.last)
    .sort((earlier, later) => earlier.first - later.first);
  const covered: IndexSpan[] = [];
  const missing: IndexSpan[] = [];
  for (const span of spans) {
    const previous = covered[covered.length - 1];
    if (previous && span.first <= previous.last + 1) {
      previous.last = Math.max(previous.last, span.last);
      continue;
    }
    if (previous) missing.push({ first: previous.last + 1, last: span.first - 1 });
    covered.push({ ...span });
  }
  const toPeriods = (span: IndexSpan): PeriodSpan => ({ first: { interval, index: span.first }, last: { interval, index: span.last } });
  return { covered: covered.map(toPeriods), missing: missing.map(toPeriods) };
}

/** `2026-11..2026-12, 2027-02`. */
export function formatSpans(spans: readonly PeriodSpan[]): string {
  return spans
    .map(({ first, last }) => (first.index === last.index ? formatPeriod(first) : `${formatPeriod(first)}..${formatPeriod(last)}`))
    .join(', ');
}
