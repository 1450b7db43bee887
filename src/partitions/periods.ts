/**
 * Pure calendar arithmetic of partition periods — UTC days, ISO weeks (Monday to Monday), UTC
 * calendar months and UTC years — the names their partitions get, and partition bounds: how a
 * period's bound is written as an SQL literal and how `pg_get_expr` prints one back. No I/O and
 * no dependence on the machine's time zone: only the UTC calendar is read (`getUTC*`,
 * `setUTCFullYear`), so results are the same under any `TZ`. Every interval has one shape: a
 * period is its interval and an index counted from a fixed origin, so "the next one" is
 * `index + 1` whatever the interval.
 */
import { MAX_PERIODS_AHEAD } from '../config.js';
import { quoteLiteral } from '../identifiers.js';

/** How long each partition of a table is. */
export type PartitionInterval = 'day' | 'week' | 'month' | 'year';

export const INTERVALS: readonly PartitionInterval[] = ['day', 'week', 'month', 'year'];

/** One partition's worth of time: `index` counts intervals from the interval's origin. */
export interface Period {
  interval: PartitionInterval;
  index: number;
}

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

/** `2026-11-01T00:00:00Z` for messages; `MINVALUE`/`MAXVALUE` for open ends. */
function formatInstant(instant: Date | null, open: 'MINVALUE' | 'MAXVALUE'): string {
  if (instant === null) return open;
  return instant.toISOString().replace(/\.000Z$/, 'Z');
}

/** `[2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)`. */
export function formatRange(from: Date | null, to: Date | null): string {
  return `[${formatInstant(from, 'MINVALUE')}, ${formatInstant(to, 'MAXVALUE')})`;
}

/** The partition key types periods work on. */
export type KeyType = 'timestamptz' | 'timestamp' | 'date';

/** The bound literal of a period boundary (00:00 UTC of a day) for the key type. */
export function boundLiteral(instant: Date, type: KeyType): string {
  const iso = isoInstant(instant); // 'YYYY-MM-DD 00:00:00+00'
  if (type === 'timestamptz') return quoteLiteral(iso);
  if (type === 'timestamp') return quoteLiteral(iso.slice(0, -3));
  return quoteLiteral(iso.slice(0, 10));
}

/*
 * Bounds as `pg_get_expr(c.relpartbound, c.oid)` prints them, only split into their parts.
 * Turning a literal into an instant is left to PostgreSQL (`catalog.ts`), because how a
 * `timestamptz` literal prints depends on the session's `TimeZone` and `DateStyle`
 * (`'2026-11-01 00:00:00+00'`, `'2026-11-01 14:00:00+14'`, `'01/11/2026 14:00:00 +14'` are one
 * instant); casting the text back in the same session is the only robust reading.
 */

/** One side of a single-column range bound. */
export type BoundValue = { kind: 'minvalue' } | { kind: 'maxvalue' } | { kind: 'literal'; text: string };

/** A parsed bound expression. `unsupported` covers LIST/HASH bounds and multi-column ranges. */
export type ParsedBound = { kind: 'default' } | { kind: 'range'; from: BoundValue; to: BoundValue } | { kind: 'unsupported'; text: string };

/** Reads a quoted literal whose opening quote is at `start`. Returns its text and the index after `)`. */
function readLiteral(text: string, start: number): { value: BoundValue; next: number } | null {
  let literal = '';
  let position = start + 1;
  for (;;) {
    if (position >= text.length) return null;
    const char = text[position];
    if (char === "'") {
      if (text[position + 1] !== "'") break;
      literal += "'"; // a doubled quote
      position += 2;
      continue;
    }
    literal += char;
    position += 1;
  }
  position += 1; // the closing quote
  if (text[position] !== ')') return null; // a typed constant or a second column: not ours
  return { value: { kind: 'literal', text: literal }, next: position + 1 };
}

/** Reads one bound item starting at `start` (just after `(`). Returns the value and the index after `)`. */
function readItem(text: string, start: number): { value: BoundValue; next: number } | null {
  if (text[start] === "'") return readLiteral(text, start);
  const close = text.indexOf(')', start);
  if (close < 0) return null;
  const word = text.slice(start, close).trim().toUpperCase();
  if (word === 'MINVALUE') return { value: { kind: 'minvalue' }, next: close + 1 };
  if (word === 'MAXVALUE') return { value: { kind: 'maxvalue' }, next: close + 1 };
  return null;
}

/**
 * Parses `DEFAULT` and single-column range bounds
 * `FOR VALUES FROM (<lit>|MINVALUE) TO (<lit>|MAXVALUE)`; anything else is `unsupported`.
 */
export function parsePartitionBound(expr: string): ParsedBound {
  const text = expr.trim();
  if (/^DEFAULT$/i.test(text)) return { kind: 'default' };
  const head = /^FOR\s+VALUES\s+FROM\s*\(/i.exec(text);
  if (!head) return { kind: 'unsupported', text: expr };
  const from = readItem(text, head[0].length);
  if (!from) return { kind: 'unsupported', text: expr };
  const mid = /^\s*TO\s*\(/i.exec(text.slice(from.next));
  if (!mid) return { kind: 'unsupported', text: expr };
  const to = readItem(text, from.next + mid[0].length);
  if (!to || text.slice(to.next).trim() !== '') return { kind: 'unsupported', text: expr };
  return { kind: 'range', from: from.value, to: to.value };
}
