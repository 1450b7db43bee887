/**
 * Pure calendar-month arithmetic for monthly range partitions. No I/O, no dependence on the
 * machine's time zone: every computation uses the UTC calendar (`getUTC*`, `setUTCFullYear`), so
 * results are identical under `TZ=Pacific/Kiritimati`, `TZ=America/Los_Angeles` or `TZ=UTC`.
 *
 * @example
 * const m = monthOf(new Date('2026-12-31T23:30:00Z')); // { year: 2026, month: 12 }
 * addMonths(m, 1);                                      // { year: 2027, month: 1 }
 * partitionName('audit_log', m);                        // 'audit_log_2026_12'
 * isoBound(m);                                          // '2026-12-01 00:00:00+00'
 */

/** A calendar month of the UTC calendar. `month` is 1..12 (January = 1). */
export interface Month {
  year: number;
  /** 1..12 */
  month: number;
}

/** The UTC calendar month containing `date`. Throws on an invalid Date. */
export function monthOf(date: Date): Month {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError('monthOf: invalid Date');
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

/** Months since year 0 (a total order): `year * 12 + (month - 1)`. */
export function monthIndex(month: Month): number {
  return month.year * 12 + (month.month - 1);
}

/** Inverse of {@link monthIndex}. */
export function monthFromIndex(index: number): Month {
  const year = Math.floor(index / 12);
  return { year, month: index - year * 12 + 1 };
}

/**
 * `month` shifted by `offset` months (negative goes back). Year rollover both ways.
 *
 * @example addMonths({ year: 2026, month: 11 }, 3) // { year: 2027, month: 2 }
 */
export function addMonths(month: Month, offset: number): Month {
  if (!Number.isInteger(offset)) throw new RangeError(`addMonths: offset must be an integer, got ${offset}`);
  return monthFromIndex(monthIndex(month) + offset);
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareMonths(first: Month, second: Month): number {
  return monthIndex(first) - monthIndex(second);
}

/** True when both denote the same month. */
export function sameMonth(first: Month, second: Month): boolean {
  return monthIndex(first) === monthIndex(second);
}

/**
 * The first instant of the month, `YYYY-MM-01T00:00:00.000Z`.
 * (Built with `setUTCFullYear`, not `Date.UTC`, so years 0..99 are not mapped to 19xx.)
 */
export function monthStart(month: Month): Date {
  const start = new Date(0);
  start.setUTCFullYear(month.year, month.month - 1, 1);
  start.setUTCHours(0, 0, 0, 0);
  return start;
}

/** The first instant of the next month: the exclusive upper bound of `month`. */
export function monthEnd(month: Month): Date {
  return monthStart(addMonths(month, 1));
}

function pad(value: number, width: number): string {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${digits}` : digits;
}

/** `'2026-11'`. */
export function formatMonth(month: Month): string {
  return `${pad(month.year, 4)}-${pad(month.month, 2)}`;
}

/**
 * The partition name for `month` of the table whose bare (unqualified, unquoted) relation name
 * is `table`: `<table>_YYYY_MM`.
 *
 * @example partitionName('audit_log', { year: 2026, month: 11 }) // 'audit_log_2026_11'
 */
export function partitionName(table: string, month: Month): string {
  return `${table}_${pad(month.year, 4)}_${pad(month.month, 2)}`;
}

/** The name of the default partition of `table` (bare relation name): `<table>_default`. */
export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/**
 * The SQL literal text of the lower bound of `month` as a `timestamptz`:
 * `'2026-11-01 00:00:00+00'` (ISO 8601, explicit UTC offset, so it means the same instant under
 * any session `TimeZone` or `DateStyle`). The upper bound of `month` is `isoBound(addMonths(month, 1))`.
 */
export function isoBound(month: Month): string {
  return `${pad(month.year, 4)}-${pad(month.month, 2)}-01 00:00:00+00`;
}

/**
 * The months that must have a partition: the current UTC month of `now` and the next `ahead`
 * months (`ahead + 1` months, oldest first).
 *
 * @example monthsToEnsure(new Date('2026-11-15T00:00:00Z'), 3) // 2026-11, 2026-12, 2027-01, 2027-02
 */
export function monthsToEnsure(now: Date, ahead: number): Month[] {
  if (!Number.isInteger(ahead) || ahead < 0) throw new RangeError(`ahead must be an integer >= 0, got ${ahead}`);
  const first = monthOf(now);
  const out: Month[] = [];
  for (let offset = 0; offset <= ahead; offset++) out.push(addMonths(first, offset));
  return out;
}

/**
 * The retention cutoff: the start of (current UTC month - `retain`). A partition is dropped when
 * its upper bound is `<=` this instant, i.e. when its whole range ended before the month that is
 * `retain` months before the current one.
 *
 * So `retain = M` keeps the current month and the M months before it. With now = 2026-11-15 and
 * retain = 3 the cutoff is 2026-08-01: August, September, October and November 2026 are kept;
 * July 2026 (upper bound 2026-08-01) and everything earlier is dropped. `retain = 0` keeps only
 * the current month (and the future).
 */
export function retentionCutoff(now: Date, retain: number): Date {
  if (!Number.isInteger(retain) || retain < 0) throw new RangeError(`retain must be an integer >= 0, got ${retain}`);
  return monthStart(addMonths(monthOf(now), -retain));
}
