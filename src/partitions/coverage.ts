/**
 * Pure: which UTC months a table's partitions cover between its first and last month, and
 * which months in between have no partition at all (a gap, e.g. a month whose name a plain
 * table holds). For the `status` line. No I/O.
 *
 * @example
 * const { covered, missing } = monthCoverage([nov, dec, feb]); // three monthly ranges
 * formatSpans(covered); // '2026-11..2026-12, 2027-02'
 * formatSpans(missing); // '2027-01'
 */
import { type Month, formatMonth, monthFromIndex, monthIndex, monthOf } from './months.js';

/** Consecutive months, `first..last` (the same month for one). */
export interface MonthSpan {
  first: Month;
  last: Month;
}

export interface MonthCoverage {
  /** Runs of months some partition overlaps, oldest first. */
  covered: MonthSpan[];
  /** The months between those runs that no partition overlaps. */
  missing: MonthSpan[];
}

interface IndexSpan {
  first: number;
  last: number;
}

/**
 * Covered and missing months of the range partitions given (`null` bounds: MINVALUE / MAXVALUE,
 * clipped to the lowest finite lower bound and the highest finite upper bound). A month a
 * partition covers only in part counts as covered: rows of it have somewhere to go.
 */
export function monthCoverage(ranges: readonly { from: Date | null; to: Date | null }[]): MonthCoverage {
  const froms = ranges.flatMap((range) => (range.from ? [monthIndex(monthOf(range.from))] : []));
  const tos = ranges.flatMap((range) => (range.to ? [monthIndex(monthOf(new Date(range.to.getTime() - 1)))] : []));
  if (froms.length === 0 || tos.length === 0) return { covered: [], missing: [] };
  const lowest = Math.min(...froms);
  const highest = Math.max(...tos);
  const spans = ranges
    .map((range) => ({
      first: Math.max(lowest, range.from ? monthIndex(monthOf(range.from)) : lowest),
      last: Math.min(highest, range.to ? monthIndex(monthOf(new Date(range.to.getTime() - 1))) : highest),
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
  const toMonths = (span: IndexSpan): MonthSpan => ({ first: monthFromIndex(span.first), last: monthFromIndex(span.last) });
  return { covered: covered.map(toMonths), missing: missing.map(toMonths) };
}

/** `2026-11..2026-12, 2027-02`. */
export function formatSpans(spans: readonly MonthSpan[]): string {
  return spans
    .map(({ first, last }) => (monthIndex(first) === monthIndex(last) ? formatMonth(first) : `${formatMonth(first)}..${formatMonth(last)}`))
    .join(', ');
}
