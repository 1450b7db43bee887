// Monthly periods (audit_log's layout): the UTC calendar, year ends, leap years, names, bounds,
// the months to ensure and the retention cutoff.
import { describe, expect, it } from 'vitest';
import {
  type Period,
  addPeriods,
  defaultPartitionName,
  formatPeriod,
  isoInstant,
  partitionNameOf,
  periodEnd,
  periodOf,
  periodStart,
  periodsToEnsure,
  retentionCutoffOf,
} from '../../src/partitions/periods.js';

const month = (iso: string): Period => periodOf(new Date(iso), 'month');
const days = (period: Period) => (periodEnd(period).getTime() - periodStart(period).getTime()) / 86_400_000;

describe('the month of an instant', () => {
  it('is its UTC month', () => {
    expect(formatPeriod(month('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
    expect(formatPeriod(month('2026-12-01T00:00:00Z'))).toBe('2026-12');
  });

  it('refuses an invalid date', () => {
    expect(() => periodOf(new Date('nope'), 'month')).toThrow(RangeError);
  });
});

describe('moving between months', () => {
  it('rolls December over to January and back', () => {
    const dec = month('2026-12-10T00:00:00Z');
    expect(formatPeriod(addPeriods(dec, 1))).toBe('2027-01');
    expect(formatPeriod(addPeriods(dec, -12))).toBe('2025-12');
    expect(formatPeriod(addPeriods(addPeriods(dec, 25), -25))).toBe('2026-12');
  });

  it('refuses a fractional shift', () => {
    expect(() => addPeriods(month('2026-12-10T00:00:00Z'), 0.5)).toThrow(RangeError);
  });
});

describe('bounds', () => {
  it('are midnight UTC on the first day; December ends on January 1st of the next year', () => {
    const dec = month('2026-12-10T00:00:00Z');
    expect(periodStart(dec).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(periodEnd(dec).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('leap February 2028 has 29 days, 2027 has 28, 2100 has 28, 2000 has 29', () => {
    expect(days(month('2028-02-10T00:00:00Z'))).toBe(29);
    expect(days(month('2027-02-10T00:00:00Z'))).toBe(28);
    expect(days(month('2100-02-10T00:00:00Z'))).toBe(28);
    expect(days(month('2000-02-10T00:00:00Z'))).toBe(29);
  });

  it('does not map years 0..99 to 19xx', () => {
    const early = periodOf(new Date('0042-03-05T00:00:00Z'), 'month');
    expect(periodStart(early).getUTCFullYear()).toBe(42);
    expect(partitionNameOf('t', early)).toBe('t_0042_03');
  });

  it('names are <table>_YYYY_MM, zero-padded; the default partition <table>_default', () => {
    expect(partitionNameOf('audit_log', month('2026-01-10T00:00:00Z'))).toBe('audit_log_2026_01');
    expect(defaultPartitionName('audit_log')).toBe('audit_log_default');
    expect(isoInstant(periodStart(month('2026-11-10T00:00:00Z')))).toBe('2026-11-01 00:00:00+00');
  });
});

describe('months to ensure', () => {
  it('the current month plus ahead, across the year end', () => {
    expect(periodsToEnsure(new Date('2026-11-15T00:00:00Z'), 'month', 3).map(formatPeriod)).toEqual([
      '2026-11',
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
  });

  it('ahead = 0 is only the current month; negative or fractional is refused', () => {
    expect(periodsToEnsure(new Date('2026-11-15T00:00:00Z'), 'month', 0).map(formatPeriod)).toEqual(['2026-11']);
    expect(() => periodsToEnsure(new Date(), 'month', -1)).toThrow(RangeError);
    expect(() => periodsToEnsure(new Date(), 'month', 1.5)).toThrow(RangeError);
  });
});

describe('retention cutoff', () => {
  it('retain=3 at 2026-11-15 cuts at 2026-08-01, on the first and the last instant of the month alike', () => {
    for (const now of ['2026-11-01T00:00:00Z', '2026-11-15T12:00:00Z', '2026-11-30T23:59:59.999Z']) {
      expect(retentionCutoffOf(new Date(now), 'month', 3).toISOString()).toBe('2026-08-01T00:00:00.000Z');
    }
  });

  it('crosses the year boundary; retain=0 cuts at the start of the current month; negative is refused', () => {
    expect(retentionCutoffOf(new Date('2027-02-10T00:00:00Z'), 'month', 3).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(retentionCutoffOf(new Date('2027-02-10T00:00:00Z'), 'month', 0).toISOString()).toBe('2027-02-01T00:00:00.000Z');
    expect(() => retentionCutoffOf(new Date(), 'month', -1)).toThrow(RangeError);
  });
});
