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
  const t = date.getTime();
  if (!Number.isFinite(t)) throw new RangeError('monthOf: invalid Date');
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1 };
}

/** Months since year 0 (a total order): `year * 12 + (month - 1)`. */
export function monthIndex(m: Month): number {
  return m.year * 12 + (m.month - 1);
}

/** Inverse of {@link monthIndex}. */
export function monthFromIndex(index: number): Month {
  const year = Math.floor(index / 12);
  return { year, month: index - year * 12 + 1 };
}

/**
 * `m` shifted by `n` months (negative goes back). Year rollover both ways.
 *
 * @example addMonths({ year: 2026, month: 11 }, 3) // { year: 2027, month: 2 }
 */
export function addMonths(m: Month, n: number): Month {
  if (!Number.isInteger(n)) throw new RangeError(`addMonths: n must be an integer, got ${n}`);
  return monthFromIndex(monthIndex(m) + n);
}

/** Negative, zero or positive as `a` is before, equal to or after `b`. */
export function compareMonths(a: Month, b: Month): number {
  return monthIndex(a) - monthIndex(b);
}

/** True when both denote the same month. */
export function sameMonth(a: Month, b: Month): boolean {
  return monthIndex(a) === monthIndex(b);
}

/**
 * The first instant of the month, `YYYY-MM-01T00:00:00.000Z`.
 * (Built with `setUTCFullYear`, not `Date.UTC`, so years 0..99 are not mapped to 19xx.)
 */
export function monthStart(m: Month): Date {
  const d = new Date(0);
  d.setUTCFullYear(m.year, m.month - 1, 1);
  d.setUTCHours(0, 0, 0, 0);
  return d;
}

/** The first instant of the next month: the exclusive upper bound of month `m`. */
export function monthEnd(m: Month): Date {
  return monthStart(addMonths(m, 1));
}

function pad(n: number, width: number): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/** `'2026-11'`. */
export function formatMonth(m: Month): string {
  return `${pad(m.year, 4)}-${pad(m.month, 2)}`;
}

/**
 * The partition name for month `m` of the table whose bare (unqualified, unquoted) relation name
 * is `table`: `<table>_YYYY_MM`.
 *
 * @example partitionName('audit_log', { year: 2026, month: 11 }) // 'audit_log_2026_11'
 */
export function partitionName(table: string, m: Month): string {
  return `${table}_${pad(m.year, 4)}_${pad(m.month, 2)}`;
}

/** The name of the default partition of `table` (bare relation name): `<table>_default`. */
export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/**
 * The SQL literal text of the lower bound of month `m` as a `timestamptz`:
 * `'2026-11-01 00:00:00+00'` (ISO 8601, explicit UTC offset, so it means the same instant under
 * any session `TimeZone` or `DateStyle`). The upper bound of `m` is `isoBound(addMonths(m, 1))`.
 */
export function isoBound(m: Month): string {
  return `${pad(m.year, 4)}-${pad(m.month, 2)}-01 00:00:00+00`;
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
  for (let i = 0; i <= ahead; i++) out.push(addMonths(first, i));
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
