// Period math under machine time zones far from UTC. Node applies a change of process.env.TZ at
// once (since Node 13), so each block switches the zone and first PROVES the switch took effect
// (the local offset and the local calendar day differ from UTC), then checks that month math
// gives the UTC answers: December -> January, leap February, partition names and bounds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Period,
  addPeriods,
  formatPeriod,
  isoInstant,
  partitionNameOf,
  periodEnd,
  periodOf,
  periodStart,
  periodsToEnsure,
  retentionCutoffOf,
} from '../../src/partitions/periods.js';
import { planPartitions } from '../../src/partitions/plan.js';

const originalTz = process.env.TZ;
afterAll(() => {
  if (originalTz === undefined) delete process.env.TZ;
  else process.env.TZ = originalTz;
});

// 2026-12-31T23:30:00Z: in Kiritimati (UTC+14) it is already 2027-01-01 13:30 local; and
// 2026-12-01T03:00:00Z: in Los Angeles (UTC-8) it is still 2026-11-30 19:00 local.
const zones = [
  { tz: 'Pacific/Kiritimati', offsetMinutes: -14 * 60, probe: new Date('2026-12-31T23:30:00Z'), localDate: 1, localMonth: 0 },
  { tz: 'America/Los_Angeles', offsetMinutes: 8 * 60, probe: new Date('2026-12-01T03:00:00Z'), localDate: 30, localMonth: 10 },
];

describe.each(zones)('TZ=$tz', ({ tz, offsetMinutes, probe, localDate, localMonth }) => {
  beforeAll(() => {
    process.env.TZ = tz;
  });

  it('the zone is really in effect in this process (local calendar differs from UTC)', () => {
    expect(probe.getTimezoneOffset()).toBe(offsetMinutes);
    expect(probe.getDate()).toBe(localDate);
    expect(probe.getMonth()).toBe(localMonth);
    expect(probe.getMonth()).not.toBe(probe.getUTCMonth());
  });

  const month = (iso: string): Period => periodOf(new Date(iso), 'month');
  const days = (period: Period) => (periodEnd(period).getTime() - periodStart(period).getTime()) / 86_400_000;

  it('the month of an instant is its UTC month', () => {
    expect(formatPeriod(month('2026-12-31T23:30:00Z'))).toBe('2026-12');
    expect(formatPeriod(month('2027-01-01T00:00:00Z'))).toBe('2027-01');
    expect(formatPeriod(month('2026-12-01T03:00:00Z'))).toBe('2026-12');
    expect(formatPeriod(month('2026-11-30T23:59:59.999Z'))).toBe('2026-11');
  });

  it('December -> January: bounds, names and the months to ensure', () => {
    const dec = month('2026-12-15T00:00:00Z');
    expect(periodStart(dec).toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(periodEnd(dec).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(partitionNameOf('audit_log', addPeriods(dec, 1))).toBe('audit_log_2027_01');
    expect(isoInstant(periodStart(addPeriods(dec, 1)))).toBe('2027-01-01 00:00:00+00');
    expect(periodsToEnsure(new Date('2026-12-31T23:30:00Z'), 'month', 3).map(formatPeriod)).toEqual([
      '2026-12',
      '2027-01',
      '2027-02',
      '2027-03',
    ]);
    expect(periodsToEnsure(new Date('2026-11-30T20:00:00Z'), 'month', 1).map(formatPeriod)).toEqual(['2026-11', '2026-12']);
  });

  it('leap February: 29 days in 2028, 28 in 2027, bounds at midnight UTC', () => {
    const feb28 = month('2028-02-10T00:00:00Z');
    expect(periodStart(feb28).toISOString()).toBe('2028-02-01T00:00:00.000Z');
    expect(periodEnd(feb28).toISOString()).toBe('2028-03-01T00:00:00.000Z');
    expect(days(feb28)).toBe(29);
    expect(days(month('2027-02-10T00:00:00Z'))).toBe(28);
    expect(formatPeriod(month('2028-02-29T23:59:59.999Z'))).toBe('2028-02');
    expect(formatPeriod(month('2028-03-01T00:00:00Z'))).toBe('2028-03');
  });

  it('every month of three years starts at 00:00 UTC on the 1st (no DST leak)', () => {
    for (let m = month('2026-01-01T00:00:00Z'); periodStart(m).getUTCFullYear() < 2029; m = addPeriods(m, 1)) {
      const start = periodStart(m);
      expect(start.getUTCDate()).toBe(1);
      expect(start.getUTCHours()).toBe(0);
      expect(start.getUTCMinutes()).toBe(0);
      expect((periodEnd(m).getTime() - start.getTime()) % 86_400_000).toBe(0);
    }
  });

  it('retention cutoff and a whole plan come out the same as in UTC', () => {
    expect(retentionCutoffOf(new Date('2027-01-01T00:30:00Z'), 'month', 2).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    const plan = planPartitions({
      table: 'audit_log',
      now: new Date('2026-12-31T23:30:00Z'),
      ahead: 2,
      retain: 1,
      existing: [
        { name: 'audit_log_default', from: null, to: null, isDefault: true },
        { name: 'audit_log_2026_10', from: new Date('2026-10-01T00:00:00Z'), to: new Date('2026-11-01T00:00:00Z'), isDefault: false },
        { name: 'audit_log_2026_11', from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-12-01T00:00:00Z'), isDefault: false },
      ],
    });
    expect(plan.create.map((m) => partitionNameOf('audit_log', m))).toEqual([
      'audit_log_2026_12',
      'audit_log_2027_01',
      'audit_log_2027_02',
    ]);
    expect(plan.drop.map((d) => d.name)).toEqual(['audit_log_2026_10']);
  });

  it('days, ISO weeks and years start at 00:00 UTC whatever the local zone', () => {
    const late = new Date('2026-12-06T23:30:00Z'); // already Monday the 7th east of UTC
    expect(partitionNameOf('events', periodOf(late, 'day'))).toBe('events_2026_12_06');
    expect(periodStart(periodOf(late, 'day')).toISOString()).toBe('2026-12-06T00:00:00.000Z');
    expect(partitionNameOf('events', periodOf(late, 'week'))).toBe('events_2026_w49');
    expect(periodStart(periodOf(late, 'week')).toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(periodStart(periodOf(new Date('2026-12-31T23:59:59Z'), 'year')).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
