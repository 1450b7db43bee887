import { describe, expect, it } from 'vitest';
import {
  addPeriods,
  formatPeriod,
  partitionNameOf,
  periodEnd,
  periodOf,
  periodStart,
  periodsToEnsure,
  retentionCutoffOf,
} from '../../src/partitions/periods.js';
import { planPartitions } from '../../src/partitions/plan.js';

const at = (iso: string) => new Date(iso);
const range = (period: ReturnType<typeof periodOf>) => [periodStart(period).toISOString(), periodEnd(period).toISOString()];

describe('periods of every interval', () => {
  const now = at('2026-12-07T10:00:00Z');

  it('names follow the interval: day, ISO week, month, year', () => {
    expect(partitionNameOf('events', periodOf(now, 'day'))).toBe('events_2026_12_07');
    expect(partitionNameOf('events', periodOf(now, 'week'))).toBe('events_2026_w50');
    expect(partitionNameOf('audit_log', periodOf(now, 'month'))).toBe('audit_log_2026_12');
    expect(partitionNameOf('metrics', periodOf(now, 'year'))).toBe('metrics_2026');
    expect(formatPeriod(periodOf(now, 'week'))).toBe('2026-W50');
  });

  it('bounds are half-open and start at 00:00 UTC (weeks on Monday)', () => {
    expect(range(periodOf(now, 'day'))).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-08T00:00:00.000Z']);
    expect(range(periodOf(at('2026-12-13T23:59:59.999Z'), 'week'))).toEqual(['2026-12-07T00:00:00.000Z', '2026-12-14T00:00:00.000Z']);
    expect(range(periodOf(now, 'year'))).toEqual(['2026-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('ISO weeks across the new year belong to the year of their Thursday', () => {
    // Monday 2026-12-28 .. Sunday 2027-01-03: its Thursday is 2026-12-31 -> week 53 of 2026.
    expect(partitionNameOf('e', periodOf(at('2027-01-02T12:00:00Z'), 'week'))).toBe('e_2026_w53');
    // Monday 2024-12-30: its Thursday is 2025-01-02 -> week 1 of 2025.
    expect(partitionNameOf('e', periodOf(at('2024-12-31T12:00:00Z'), 'week'))).toBe('e_2025_w01');
    // 1970-01-01 (a Thursday) is in week 1 of 1970, which began on Monday 1969-12-29.
    expect(range(periodOf(at('1970-01-01T00:00:00Z'), 'week'))[0]).toBe('1969-12-29T00:00:00.000Z');
  });

  it('leap days and year ends roll over', () => {
    expect(partitionNameOf('e', addPeriods(periodOf(at('2028-02-28T00:00:00Z'), 'day'), 1))).toBe('e_2028_02_29');
    expect(partitionNameOf('e', addPeriods(periodOf(at('2026-12-31T00:00:00Z'), 'day'), 1))).toBe('e_2027_01_01');
    expect(periodsToEnsure(now, 'day', 2).map(formatPeriod)).toEqual(['2026-12-07', '2026-12-08', '2026-12-09']);
    expect(periodsToEnsure(now, 'year', 1).map(formatPeriod)).toEqual(['2026', '2027']);
  });

  it('retention keeps the current period and the M before it', () => {
    expect(retentionCutoffOf(now, 'day', 30).toISOString()).toBe('2026-11-07T00:00:00.000Z');
    expect(retentionCutoffOf(now, 'week', 2).toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(retentionCutoffOf(now, 'year', 1).toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it('plans daily partitions by their bounds, whatever their names', () => {
    const day = (iso: string, name: string) => ({
      name,
      from: at(`${iso}T00:00:00Z`),
      to: new Date(at(`${iso}T00:00:00Z`).getTime() + 86_400_000),
      isDefault: false,
    });
    const plan = planPartitions({
      table: 'events',
      interval: 'day',
      now,
      ahead: 2,
      retain: 1,
      existing: [
        day('2026-12-05', 'old_one'),
        day('2026-12-07', 'hand_made'),
        { name: 'events_default', from: null, to: null, isDefault: true },
      ],
    });
    expect(plan.create.map(formatPeriod)).toEqual(['2026-12-08', '2026-12-09']);
    expect(plan.alreadyCovered.map((covered) => covered.by)).toEqual(['hand_made']);
    expect(plan.drop.map((drop) => drop.name)).toEqual(['old_one']);
  });
});
