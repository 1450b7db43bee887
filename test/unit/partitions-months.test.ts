// Month math must not depend on the machine's time zone. Run also as:
//   TZ=Pacific/Kiritimati npx vitest run test/unit/partitions-months.test.ts
//   TZ=America/Los_Angeles npx vitest run test/unit/partitions-months.test.ts
import { describe, expect, it } from 'vitest';
import {
  addMonths,
  compareMonths,
  defaultPartitionName,
  formatMonth,
  isoBound,
  monthEnd,
  monthFromIndex,
  monthIndex,
  monthOf,
  monthStart,
  monthsToEnsure,
  partitionName,
  retentionCutoff,
} from '../../src/partitions/months.js';

const d = (iso: string) => new Date(iso);

describe('monthOf (UTC calendar)', () => {
  it('uses the UTC month, not the local one', () => {
    // Local time in Kiritimati (UTC+14) is already December 1st; in Los Angeles still November.
    expect(monthOf(d('2026-11-30T23:59:59.999Z'))).toEqual({ year: 2026, month: 11 });
    expect(monthOf(d('2026-12-01T00:00:00.000Z'))).toEqual({ year: 2026, month: 12 });
    // Local time in Los Angeles is still Dec 31, 2026; UTC is January 2027.
    expect(monthOf(d('2027-01-01T03:00:00Z'))).toEqual({ year: 2027, month: 1 });
    expect(monthOf(d('2026-12-31T23:00:00-10:00'))).toEqual({ year: 2027, month: 1 });
  });

  it('rejects an invalid date', () => {
    expect(() => monthOf(new Date('nope'))).toThrow(RangeError);
  });
});

describe('addMonths', () => {
  it('rolls December over to January and back', () => {
    expect(addMonths({ year: 2026, month: 12 }, 1)).toEqual({ year: 2027, month: 1 });
    expect(addMonths({ year: 2027, month: 1 }, -1)).toEqual({ year: 2026, month: 12 });
    expect(addMonths({ year: 2026, month: 11 }, 3)).toEqual({ year: 2027, month: 2 });
    expect(addMonths({ year: 2026, month: 11 }, -11)).toEqual({ year: 2025, month: 12 });
    expect(addMonths({ year: 2026, month: 11 }, -23)).toEqual({ year: 2024, month: 12 });
    expect(addMonths({ year: 2026, month: 11 }, 25)).toEqual({ year: 2028, month: 12 });
    expect(addMonths({ year: 2026, month: 5 }, 0)).toEqual({ year: 2026, month: 5 });
  });

  it('round-trips through monthIndex', () => {
    for (let i = 2020 * 12; i < 2030 * 12; i++) {
      const m = monthFromIndex(i);
      expect(m.month).toBeGreaterThanOrEqual(1);
      expect(m.month).toBeLessThanOrEqual(12);
      expect(monthIndex(m)).toBe(i);
      expect(compareMonths(addMonths(m, 1), m)).toBe(1);
    }
  });

  it('rejects a fractional shift', () => {
    expect(() => addMonths({ year: 2026, month: 1 }, 0.5)).toThrow(RangeError);
  });
});

describe('monthStart / monthEnd', () => {
  it('are midnight UTC on the first day', () => {
    expect(monthStart({ year: 2026, month: 11 }).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(monthEnd({ year: 2026, month: 11 }).toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('December ends on January 1st of the next year', () => {
    expect(monthEnd({ year: 2026, month: 12 }).toISOString()).toBe('2027-01-01T00:00:00.000Z');
  });

  it('leap February 2028 has 29 days, 2027 has 28, 2100 has 28, 2000 has 29', () => {
    const days = (m: { year: number; month: number }) => (monthEnd(m).getTime() - monthStart(m).getTime()) / 86_400_000;
    expect(days({ year: 2028, month: 2 })).toBe(29);
    expect(monthEnd({ year: 2028, month: 2 }).toISOString()).toBe('2028-03-01T00:00:00.000Z');
    expect(days({ year: 2027, month: 2 })).toBe(28);
    expect(days({ year: 2100, month: 2 })).toBe(28);
    expect(days({ year: 2000, month: 2 })).toBe(29);
    expect(monthOf(d('2028-02-29T23:59:59Z'))).toEqual({ year: 2028, month: 2 });
  });

  it('every month is whole days (no DST shift leaks in)', () => {
    for (let m = { year: 2026, month: 1 }; m.year < 2029; m = addMonths(m, 1)) {
      const ms = monthEnd(m).getTime() - monthStart(m).getTime();
      expect(ms % 86_400_000).toBe(0);
      expect(monthStart(m).getUTCHours()).toBe(0);
    }
  });

  it('does not map years 0..99 to 19xx', () => {
    expect(monthStart({ year: 50, month: 3 }).getUTCFullYear()).toBe(50);
  });
});

describe('names and bounds', () => {
  it('partitionName is <table>_YYYY_MM, zero-padded', () => {
    expect(partitionName('audit_log', { year: 2026, month: 11 })).toBe('audit_log_2026_11');
    expect(partitionName('audit_log', { year: 2027, month: 1 })).toBe('audit_log_2027_01');
    expect(partitionName('audit_log', { year: 2028, month: 2 })).toBe('audit_log_2028_02');
    expect(defaultPartitionName('audit_log')).toBe('audit_log_default');
  });

  it('isoBound is the first instant of the month with an explicit UTC offset', () => {
    expect(isoBound({ year: 2026, month: 11 })).toBe('2026-11-01 00:00:00+00');
    expect(isoBound(addMonths({ year: 2026, month: 12 }, 1))).toBe('2027-01-01 00:00:00+00');
    expect(new Date(isoBound({ year: 2028, month: 2 }).replace(' ', 'T').replace('+00', 'Z')).getTime()).toBe(
      monthStart({ year: 2028, month: 2 }).getTime(),
    );
    expect(formatMonth({ year: 2026, month: 3 })).toBe('2026-03');
  });
});

describe('monthsToEnsure', () => {
  it('current month plus ahead, across the year end', () => {
    expect(monthsToEnsure(d('2026-11-15T12:00:00Z'), 3).map(formatMonth)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
  });

  it('ahead = 0 is only the current month; negative or fractional is refused', () => {
    expect(monthsToEnsure(d('2026-12-31T23:59:59Z'), 0).map(formatMonth)).toEqual(['2026-12']);
    expect(() => monthsToEnsure(d('2026-12-31T00:00:00Z'), -1)).toThrow(RangeError);
    expect(() => monthsToEnsure(d('2026-12-31T00:00:00Z'), 1.5)).toThrow(RangeError);
  });

  it('just before and after midnight UTC at the turn of the year', () => {
    expect(monthsToEnsure(d('2026-12-31T23:59:59.999Z'), 1).map(formatMonth)).toEqual(['2026-12', '2027-01']);
    expect(monthsToEnsure(d('2027-01-01T00:00:00.000Z'), 1).map(formatMonth)).toEqual(['2027-01', '2027-02']);
  });
});

describe('retentionCutoff', () => {
  it('retain=3 at 2026-11-15 cuts at 2026-08-01 (keep Aug..Nov, drop July and earlier)', () => {
    expect(retentionCutoff(d('2026-11-15T00:00:00Z'), 3).toISOString()).toBe('2026-08-01T00:00:00.000Z');
  });

  it('is the same on the first and last instant of the month', () => {
    expect(retentionCutoff(d('2026-11-01T00:00:00Z'), 3).toISOString()).toBe('2026-08-01T00:00:00.000Z');
    expect(retentionCutoff(d('2026-11-30T23:59:59.999Z'), 3).toISOString()).toBe('2026-08-01T00:00:00.000Z');
  });

  it('crosses the year boundary; retain=0 cuts at the start of the current month', () => {
    expect(retentionCutoff(d('2027-02-10T00:00:00Z'), 3).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(retentionCutoff(d('2027-02-10T00:00:00Z'), 0).toISOString()).toBe('2027-02-01T00:00:00.000Z');
    expect(retentionCutoff(d('2027-02-10T00:00:00Z'), 14).toISOString()).toBe('2025-12-01T00:00:00.000Z');
  });

  it('refuses negative or fractional retain', () => {
    expect(() => retentionCutoff(d('2026-11-15T00:00:00Z'), -1)).toThrow(RangeError);
    expect(() => retentionCutoff(d('2026-11-15T00:00:00Z'), 2.5)).toThrow(RangeError);
  });
});
