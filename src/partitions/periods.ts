/**
 * Pure calendar arithmetic of partition periods — UTC days, ISO weeks (Monday to Monday), UTC
 * calendar months and UTC years — and the names their partitions get. No I/O and no dependence
 * on the machine's time zone: only the UTC calendar is read (`getUTC*`, `setUTCFullYear`), so
 * results are the same under any `TZ`. Every interval has one shape: a period is its interval
 * and an index counted from a fixed origin, so "the next one" is `index + 1` whatever the
 * interval.
 */
/** How long each partition of a table is. */
export type PartitionInterval = 'day' | 'week' | 'month' | 'year';

export const INTERVALS: readonly PartitionInterval[] = ['day', 'week', 'month', 'year'];

/** One partition's worth of time: `index` counts intervals from the interval's origin. */
export interface Period {
  interval: PartitionInterval;
  index: number;
}

import { MAX_PERIODS_AHEAD } from '../config.js';

const DAY_MS = 86_400_000;
/** 1970-01-01 was a Thursday: the ISO week holding it began on Monday 1969-12-29, 3 days earlier. */
const EPOCH_WEEKDAY_OFFSET = 3;

/** The most periods `ahead` accepts, per interval: about ten years of partitions. */
export const MAX_AHEAD: Record<PartitionInterval, number> = { day: MAX_PERIODS_AHEAD, week: 520, month: 120, year: 10 };

/** The adjective for messages: `daily`, `weekly`, `monthly`, `yearly`. */
export const INTERVAL_ADJECTIVE: Record<PartitionInterval, string> = { day: 'daily', week: 'weekly', month: 'monthly', year: 'yearly' };

/** Months since year 0, January = 0: `year * 12 + month - 1`. */
const monthIndexOf = (date: Date): number => date.getUTCFullYear() * 12 + date.getUTCMonth();

/**
 * 00:00 UTC on the first day of `month` (0-based) of `year`. With `setUTCFullYear`, not
 * `Date.UTC`, so years 0..99 are not read as 19xx.
 */
function firstOfMonth(year: number, month: number): Date {
  const start = new Date(0);
  start.setUTCFullYear(year, month, 1);
  start.setUTCHours(0, 0, 0, 0);
  return start;
}

function assertDate(date: Date): number {
  const time = date.getTime();
  if (!Number.isFinite(time)) throw new RangeError('invalid Date');
  return time;
}

/** The period of `interval` that holds `date`. */
export function periodOf(date: Date, interval: PartitionInterval): Period {
  const time = assertDate(date);
  const days = Math.floor(time / DAY_MS);
  if (interval === 'day') return { interval, index: days };
  if (interval === 'week') return { interval, index: Math.floor((days + EPOCH_WEEKDAY_OFFSET) / 7) };
  if (interval === 'month') return { interval, index: monthIndexOf(date) };
  return { interval, index: date.getUTCFullYear() };
}

/** `period` shifted by `offset` periods (negative goes back). */
export function addPeriods(period: Period, offset: number): Period {
  if (!Number.isInteger(offset)) throw new RangeError(`offset must be an integer, got ${offset}`);
  return { interval: period.interval, index: period.index + offset };
}

/** The first instant of the period (00:00 UTC of its first day). */
export function periodStart(period: Period): Date {
  const { interval, index } = period;
  if (interval === 'day') return new Date(index * DAY_MS);
  if (interval === 'week') return new Date((index * 7 - EPOCH_WEEKDAY_OFFSET) * DAY_MS);
  if (interval === 'month') return firstOfMonth(Math.floor(index / 12), index - Math.floor(index / 12) * 12);
  return firstOfMonth(index, 0);
}

/** The first instant of the next period: the exclusive upper bound. */
export function periodEnd(period: Period): Date {
  return periodStart(addPeriods(period, 1));
}

function pad(value: number, width: number): string {
  const digits = String(Math.abs(value)).padStart(width, '0');
  return value < 0 ? `-${digits}` : digits;
}

/** ISO 8601 week-numbering year and week of a week period (the year holding its Thursday). */
function isoWeek(period: Period): { year: number; week: number } {
  const thursday = new Date(periodStart(period).getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const januaryFirst = periodStart({ interval: 'year', index: year }).getTime();
  const week = Math.floor((thursday.getTime() - januaryFirst) / DAY_MS / 7) + 1;
  return { year, week };
}

/** The parts of the period's name: `['2026', '12', '07']`, `['2026', 'w50']`, `['2026', '12']`, `['2026']`. */
function nameParts(period: Period): string[] {
  const start = periodStart(period);
  const year = pad(start.getUTCFullYear(), 4);
  const month = pad(start.getUTCMonth() + 1, 2);
  if (period.interval === 'day') return [year, month, pad(start.getUTCDate(), 2)];
  if (period.interval === 'week') {
    const iso = isoWeek(period);
    return [pad(iso.year, 4), `w${pad(iso.week, 2)}`];
  }
  if (period.interval === 'month') return [year, month];
  return [year];
}

/**
 * The partition name for `period` of the table whose bare relation name is `table`:
 * `<table>_YYYY_MM_DD`, `<table>_IYYY_wIW`, `<table>_YYYY_MM`, `<table>_YYYY`.
 */
export function partitionNameOf(table: string, period: Period): string {
  return [table, ...nameParts(period)].join('_');
}

/** The default partition of the table whose bare relation name is `table`: `<table>_default`. */
export function defaultPartitionName(table: string): string {
  return `${table}_default`;
}

/** For messages: `2026-12-07`, `2026-W50`, `2026-12`, `2026`. */
export function formatPeriod(period: Period): string {
  const parts = nameParts(period);
  if (period.interval === 'week') return `${parts[0]}-W${(parts[1] ?? '').slice(1)}`;
  return parts.join('-');
}

/** The periods that must have a partition: the one holding `now` and the next `ahead`, oldest first. */
export function periodsToEnsure(now: Date, interval: PartitionInterval, ahead: number): Period[] {
  if (!Number.isInteger(ahead) || ahead < 0) throw new RangeError(`ahead must be an integer >= 0, got ${ahead}`);
  const first = periodOf(now, interval);
  return Array.from({ length: ahead + 1 }, (_, offset) => addPeriods(first, offset));
}

/**
 * The retention cutoff: the start of (current period - `retain`). A partition whose upper bound
 * is `<=` it has wholly ended before the oldest period kept, so `retain = M` keeps the current
 * period and the M before it.
 */
export function retentionCutoffOf(now: Date, interval: PartitionInterval, retain: number): Date {
  if (!Number.isInteger(retain) || retain < 0) throw new RangeError(`retain must be an integer >= 0, got ${retain}`);
  return periodStart(addPeriods(periodOf(now, interval), -retain));
}

/**
 * `'2026-11-01 00:00:00+00'`: an instant as an SQL literal text with an explicit UTC offset, so
 * it means the same instant under any session `TimeZone` or `DateStyle`.
 */
export function isoInstant(instant: Date): string {
  const iso = instant.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ (years 0..9999)
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}+00`;
}
