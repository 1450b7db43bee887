// Which audit_log layouts are ours (UTC calendar months, or no partitions yet) and which belong to
// another tool (pg_partman daily, weekly, yearly, months of another time zone).
import { describe, expect, it } from 'vitest';
import { type ExistingPartition, grainOf, judgeLayout } from '../../src/partitions/plan.js';

const DAY = 86_400_000;
const part = (name: string, from: string | null, to: string | null): ExistingPartition => ({
  name,
  from: from === null ? null : new Date(from),
  to: to === null ? null : new Date(to),
  isDefault: false,
});
const DEFAULT: ExistingPartition = { name: 'audit_log_default', from: null, to: null, isDefault: true };
/** `count` consecutive partitions of `stepDays` days from `start` (UTC). */
function series(prefix: string, start: string, stepDays: number, count: number): ExistingPartition[] {
  const first = new Date(start).getTime();
  return Array.from({ length: count }, (_, i) =>
    part(`${prefix}${i}`, new Date(first + i * stepDays * DAY).toISOString(), new Date(first + (i + 1) * stepDays * DAY).toISOString()),
  );
}
const utcMonths = (count: number): ExistingPartition[] =>
  Array.from({ length: count }, (_, i) =>
    part(`audit_log_m${i}`, new Date(Date.UTC(2026, 10 + i, 1)).toISOString(), new Date(Date.UTC(2026, 11 + i, 1)).toISOString()),
  );

describe('grainOf', () => {
  it('tells a UTC calendar month from a day, a week, a year and a month of another time zone', () => {
    expect(grainOf(new Date('2028-02-01T00:00:00Z'), new Date('2028-03-01T00:00:00Z'))).toBe('utc-month');
    expect(grainOf(new Date('2026-11-15T00:00:00Z'), new Date('2026-11-16T00:00:00Z'))).toBe('day');
    // A local-time day across a DST change is 25 hours long.
    expect(grainOf(new Date('2026-10-25T00:00:00+02:00'), new Date('2026-10-26T00:00:00+01:00'))).toBe('day');
    expect(grainOf(new Date('2026-11-15T00:00:00Z'), new Date('2026-11-15T01:00:00Z'))).toBe('sub-day');
    expect(grainOf(new Date('2026-11-16T00:00:00Z'), new Date('2026-11-23T00:00:00Z'))).toBe('week');
    expect(grainOf(new Date('2026-01-01T00:00:00Z'), new Date('2027-01-01T00:00:00Z'))).toBe('year');
    expect(grainOf(new Date('2026-11-01T00:00:00+01:00'), new Date('2026-12-01T00:00:00+01:00'))).toBe('other-zone-month');
    expect(grainOf(new Date('2026-11-01T00:00:00-10:00'), new Date('2026-12-01T00:00:00-10:00'))).toBe('other-zone-month');
  });

  it('anything else — open ends, half a month, a quarter, a month from the 15th — is no evidence', () => {
    expect(grainOf(null, new Date('2026-01-01T00:00:00Z'))).toBe('other');
    expect(grainOf(new Date('2026-01-01T00:00:00Z'), null)).toBe('other');
    expect(grainOf(new Date('2026-11-11T00:00:00Z'), new Date('2026-12-01T00:00:00Z'))).toBe('other');
    expect(grainOf(new Date('2027-01-01T00:00:00Z'), new Date('2027-04-01T00:00:00Z'))).toBe('other');
    expect(grainOf(new Date('2026-12-15T00:00:00Z'), new Date('2027-01-15T00:00:00Z'))).toBe('other');
    // 'infinity' bounds read back as the largest Date: no crash.
    expect(grainOf(new Date(8.64e15 - 30 * DAY), new Date(8.64e15))).toBe('other');
  });
});

describe('judgeLayout', () => {
  it('no partitions yet (with or without a default) is ours', () => {
    expect(judgeLayout([])).toEqual({ fits: true });
    expect(judgeLayout([DEFAULT])).toEqual({ fits: true });
  });

  it('UTC months are ours, also with a few hand-made partitions of odd length among them', () => {
    expect(judgeLayout([...utcMonths(4), DEFAULT])).toEqual({ fits: true });
    const handMade = [
      part('audit_log_archive', '2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z'),
      part('audit_log_partial', '2027-07-11T00:00:00Z', '2027-08-01T00:00:00Z'),
      part('audit_log_odd', '2026-12-15T00:00:00Z', '2027-01-15T00:00:00Z'),
    ];
    expect(judgeLayout([...utcMonths(1), ...handMade])).toEqual({ fits: true });
    expect(judgeLayout(handMade)).toEqual({ fits: true });
  });

  it('pg_partman-style daily partitions are not ours, with a default or with monthly ones a wrong run added', () => {
    const daily = series('audit_log_p', '2026-11-12T00:00:00Z', 1, 9);
    const verdict = judgeLayout([...daily, DEFAULT]);
    expect(verdict).toEqual({
      fits: false,
      grain: 'day',
      count: 9,
      total: 9,
      problem: 'its partitions are daily (9 of 9, e.g. audit_log_p0 [2026-11-12T00:00:00Z, 2026-11-13T00:00:00Z)), not UTC calendar months',
    });
    expect(judgeLayout([...daily, ...utcMonths(4), DEFAULT])).toMatchObject({ fits: false, grain: 'day', count: 9, total: 13 });
  });

  it('weekly, yearly, hourly and other-time-zone monthly layouts are not ours', () => {
    expect(judgeLayout(series('w', '2026-11-16T00:00:00Z', 7, 5))).toMatchObject({ fits: false, grain: 'week' });
    expect(judgeLayout([part('y2026', '2026-01-01Z', '2027-01-01Z'), part('y2027', '2027-01-01Z', '2028-01-01Z')])).toMatchObject({
      fits: false,
      grain: 'year',
      problem: expect.stringContaining('its partitions are yearly (2 of 2'),
    });
    expect(judgeLayout([part('h0', '2026-11-15T00:00:00Z', '2026-11-15T01:00:00Z')])).toMatchObject({ fits: false, grain: 'sub-day' });
    const berlin = [
      part('audit_log_2026_11', '2026-11-01T00:00:00+01:00', '2026-12-01T00:00:00+01:00'),
      part('audit_log_2026_12', '2026-12-01T00:00:00+01:00', '2027-01-01T00:00:00+01:00'),
    ];
    expect(judgeLayout(berlin)).toMatchObject({ fits: false, grain: 'other-zone-month' });
  });

  it('a tie between UTC months and another grain stays monthly', () => {
    expect(judgeLayout([...utcMonths(2), ...series('d', '2026-10-01T00:00:00Z', 1, 2)])).toEqual({ fits: true });
    expect(judgeLayout([...utcMonths(2), ...series('d', '2026-10-01T00:00:00Z', 1, 3)])).toMatchObject({ fits: false });
  });
});

describe('judgeLayout against the registered interval', () => {
  const day = (iso: string, name: string) => ({
    name,
    from: new Date(`${iso}T00:00:00Z`),
    to: new Date(new Date(`${iso}T00:00:00Z`).getTime() + 86_400_000),
    isDefault: false,
  });

  it('daily partitions fit a daily registration, and not a monthly one', () => {
    const days = [day('2026-12-06', 'e_2026_12_06'), day('2026-12-07', 'e_2026_12_07')];
    expect(judgeLayout(days, 'day')).toEqual({ fits: true });
    expect(judgeLayout(days, 'month')).toMatchObject({ fits: false, grain: 'day' });
  });

  it('monthly partitions do not fit a yearly registration', () => {
    const months = [
      { name: 'm_2026_11', from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), isDefault: false },
      { name: 'm_2026_12', from: new Date('2026-12-01T00:00:00Z'), to: new Date('2027-01-01T00:00:00Z'), isDefault: false },
    ];
    expect(judgeLayout(months, 'year')).toMatchObject({ fits: false, grain: 'utc-month', problem: expect.stringMatching(/not yearly$/) });
  });
});
