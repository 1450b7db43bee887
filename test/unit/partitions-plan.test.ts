import { describe, expect, it } from 'vitest';
import { type Period, formatPeriod, parsePartitionBound } from '../../src/partitions/periods.js';
import { type ExistingPartition, planIsEmpty, planPartitions } from '../../src/partitions/plan.js';

const at = (iso: string) => new Date(iso);
/** A monthly partition as this tool creates it. */
const monthly = (y: number, m: number, name = `audit_log_${y}_${String(m).padStart(2, '0')}`): ExistingPartition => ({
  name,
  from: new Date(Date.UTC(y, m - 1, 1)),
  to: new Date(Date.UTC(y, m, 1)),
  isDefault: false,
});
const range = (name: string, from: string | null, to: string | null): ExistingPartition => ({
  name,
  from: from === null ? null : new Date(from),
  to: to === null ? null : new Date(to),
  isDefault: false,
});
const DEFAULT: ExistingPartition = { name: 'audit_log_default', from: null, to: null, isDefault: true };
const NOW = at('2026-11-15T12:00:00Z');
const fm = (ms: { period: Period }[]) => ms.map((x) => formatPeriod(x.period));

describe('planPartitions: creation', () => {
  it('fresh table: current + 3 months, default exists', () => {
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT], now: NOW });
    expect(plan.create.map(formatPeriod)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(plan.alreadyCovered).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    expect(plan.drop).toEqual([]);
    expect(plan.createDefault).toBe(false);
    expect(plan.defaultPartition).toBe('audit_log_default');
    expect(plan.retentionCutoff).toBeNull();
  });

  it('no default partition: plans to create <table>_default', () => {
    const plan = planPartitions({ table: 'audit_log', existing: [], now: NOW, ahead: 0 });
    expect(plan.createDefault).toBe(true);
    expect(plan.defaultPartition).toBeNull();
    expect(planIsEmpty(plan)).toBe(false);
  });

  it('a default partition with another name counts', () => {
    const plan = planPartitions({
      table: 'audit_log',
      existing: [{ name: 'catch_all', from: null, to: null, isDefault: true }, monthly(2026, 11)],
      now: NOW,
      ahead: 0,
    });
    expect(plan.createDefault).toBe(false);
    expect(plan.defaultPartition).toBe('catch_all');
    expect(planIsEmpty(plan)).toBe(true);
  });

  it('second run: everything covered, nothing to do', () => {
    const existing = [DEFAULT, monthly(2026, 11), monthly(2026, 12), monthly(2027, 1), monthly(2027, 2)];
    const plan = planPartitions({ table: 'audit_log', existing, now: NOW });
    expect(plan.create).toEqual([]);
    expect(fm(plan.alreadyCovered)).toEqual(['2026-11', '2026-12', '2027-01', '2027-02']);
    expect(plan.alreadyCovered[0]).toMatchObject({ by: 'audit_log_2026_11', partitions: ['audit_log_2026_11'] });
    expect(planIsEmpty(plan)).toBe(true);
  });

  it('December -> January and leap February', () => {
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT], now: at('2027-12-31T23:59:59Z'), ahead: 2 });
    expect(plan.create.map(formatPeriod)).toEqual(['2027-12', '2028-01', '2028-02']);
  });

  it('a hand-made partition covering several months (any name) counts as covering', () => {
    const quarter = range('audit_q4', '2026-10-01T00:00:00Z', '2027-01-01T00:00:00Z');
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT, quarter], now: NOW });
    expect(fm(plan.alreadyCovered)).toEqual(['2026-11', '2026-12']);
    expect(plan.alreadyCovered.every((c) => c.by === 'audit_q4')).toBe(true);
    expect(plan.create.map(formatPeriod)).toEqual(['2027-01', '2027-02']);
    expect(plan.conflicts).toEqual([]);
  });

  it('MINVALUE / MAXVALUE partitions cover everything below / above', () => {
    const low = range('old', null, '2026-12-01T00:00:00Z');
    const high = range('future', '2027-02-01T00:00:00Z', null);
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT, low, high], now: NOW });
    expect(plan.alreadyCovered.map((c) => [formatPeriod(c.period), c.by])).toEqual([
      ['2026-11', 'old'],
      ['2027-02', 'future'],
    ]);
    expect(plan.create.map(formatPeriod)).toEqual(['2026-12', '2027-01']);
  });

  it('a month pieced together from two adjoining partitions is covered', () => {
    const a = range('nov_a', '2026-11-01T00:00:00Z', '2026-11-16T00:00:00Z');
    const b = range('nov_b', '2026-11-16T00:00:00Z', '2026-12-01T00:00:00Z');
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT, b, a], now: NOW, ahead: 0 });
    expect(plan.alreadyCovered.map((c) => ({ ...c, period: formatPeriod(c.period) }))).toEqual([
      { period: '2026-11', by: 'nov_a, nov_b', partitions: ['nov_a', 'nov_b'] },
    ]);
    expect(plan.conflicts).toEqual([]);
  });
});

describe('planPartitions: conflicts', () => {
  it('a partition overlapping half a month is a conflict for each month it touches; the others are created', () => {
    const half = range('audit_mid', '2026-12-15T00:00:00Z', '2027-01-15T00:00:00Z');
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT, half], now: NOW });
    expect(plan.create.map(formatPeriod)).toEqual(['2026-11', '2027-02']);
    expect(fm(plan.conflicts)).toEqual(['2026-12', '2027-01']);
    expect(plan.conflicts[0]?.overlapping).toEqual(['audit_mid']);
    expect(plan.conflicts[0]?.message).toContain('2026-12');
    expect(plan.conflicts[0]?.message).toContain('audit_mid [2026-12-15T00:00:00Z, 2027-01-15T00:00:00Z)');
    expect(plan.conflicts[0]?.message).toContain('audit_log_2026_12 not created');
  });

  it('a gap inside the month (two pieces not meeting) is a conflict', () => {
    const a = range('nov_a', '2026-11-01T00:00:00Z', '2026-11-10T00:00:00Z');
    const b = range('nov_b', '2026-11-20T00:00:00Z', '2026-12-01T00:00:00Z');
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT, a, b], now: NOW, ahead: 0 });
    expect(plan.conflicts.map((c) => c.overlapping)).toEqual([['nov_a', 'nov_b']]);
    expect(plan.create).toEqual([]);
  });

  it('a partition ending exactly at the month start does not overlap (bounds are half-open)', () => {
    const oct = monthly(2026, 10);
    const plan = planPartitions({ table: 'audit_log', existing: [DEFAULT, oct], now: NOW, ahead: 0 });
    expect(plan.create.map(formatPeriod)).toEqual(['2026-11']);
    expect(plan.conflicts).toEqual([]);
  });

  it('a taken name (stray table, or a partition with that name covering another range) is a conflict, not a CREATE', () => {
    const plan = planPartitions({
      table: 'audit_log',
      existing: [DEFAULT, monthly(2020, 1, 'audit_log_2026_12')],
      now: NOW,
      ahead: 2,
      takenNames: ['audit_log_2027_01'],
    });
    expect(plan.create.map(formatPeriod)).toEqual(['2026-11']);
    expect(fm(plan.conflicts)).toEqual(['2026-12', '2027-01']);
    expect(plan.conflicts[0]?.message).toContain('partition audit_log_2026_12 exists with range [2020-01-01');
    expect(plan.conflicts[1]?.message).toContain('a relation named audit_log_2027_01 already exists');
  });

  it('default missing but its name taken: reported, not planned', () => {
    const plan = planPartitions({ table: 'audit_log', existing: [], now: NOW, ahead: 0, takenNames: ['audit_log_default'] });
    expect(plan.createDefault).toBe(false);
    expect(plan.defaultProblem).toContain('audit_log_default');
  });
});

describe('planPartitions: retention', () => {
  // now = 2026-11-15, partitions Jan 2026 .. Feb 2027
  const existing: ExistingPartition[] = [DEFAULT];
  for (let i = 0; i < 14; i++) existing.push(monthly(2026 + Math.floor(i / 12), (i % 12) + 1));

  it('without retain nothing is dropped', () => {
    expect(planPartitions({ table: 'audit_log', existing, now: NOW }).drop).toEqual([]);
  });

  it('retain=3 at 2026-11-15: keep Aug, Sep, Oct, Nov (and the future); drop July and earlier', () => {
    const plan = planPartitions({ table: 'audit_log', existing, now: NOW, retain: 3 });
    expect(plan.retentionCutoff?.toISOString()).toBe('2026-08-01T00:00:00.000Z');
    expect(plan.drop.map((d) => d.name)).toEqual([
      'audit_log_2026_01',
      'audit_log_2026_02',
      'audit_log_2026_03',
      'audit_log_2026_04',
      'audit_log_2026_05',
      'audit_log_2026_06',
      'audit_log_2026_07',
    ]);
  });

  it('the boundary does not move within the month (first and last instant)', () => {
    const first = planPartitions({ table: 'audit_log', existing, now: at('2026-11-01T00:00:00Z'), retain: 3 });
    const last = planPartitions({ table: 'audit_log', existing, now: at('2026-11-30T23:59:59.999Z'), retain: 3 });
    expect(first.drop.at(-1)?.name).toBe('audit_log_2026_07');
    expect(last.drop.at(-1)?.name).toBe('audit_log_2026_07');
    const next = planPartitions({ table: 'audit_log', existing, now: at('2026-12-01T00:00:00Z'), retain: 3 });
    expect(next.drop.at(-1)?.name).toBe('audit_log_2026_08');
  });

  it('retain=0 keeps only the current month; retain=10 keeps Jan 2026 (cutoff 2026-01-01)', () => {
    expect(planPartitions({ table: 'audit_log', existing, now: NOW, retain: 0 }).drop.at(-1)?.name).toBe('audit_log_2026_10');
    expect(planPartitions({ table: 'audit_log', existing, now: NOW, retain: 10 }).drop).toEqual([]);
    expect(planPartitions({ table: 'audit_log', existing, now: NOW, retain: 9 }).drop.map((d) => d.name)).toEqual(['audit_log_2026_01']);
  });

  it('across the year: now 2027-02-10, retain=3 drops up to October 2026', () => {
    const plan = planPartitions({ table: 'audit_log', existing, now: at('2027-02-10T00:00:00Z'), retain: 3 });
    expect(plan.drop.at(-1)?.name).toBe('audit_log_2026_10');
    expect(plan.drop.some((d) => d.name === 'audit_log_2026_11')).toBe(false);
  });

  it('never the default, never a partition reaching past the cutoff, MINVALUE partitions when wholly old, never MAXVALUE', () => {
    const odd = [
      DEFAULT,
      range('ancient', null, '2026-01-01T00:00:00Z'),
      range('straddle', '2026-07-15T00:00:00Z', '2026-08-15T00:00:00Z'),
      range('forever', '2027-06-01T00:00:00Z', null),
    ];
    const plan = planPartitions({ table: 'audit_log', existing: odd, now: NOW, retain: 3 });
    expect(plan.drop).toEqual([{ name: 'ancient', from: null, to: new Date('2026-01-01T00:00:00Z') }]);
  });
});

describe('parsePartitionBound', () => {
  it('range with literals', () => {
    expect(parsePartitionBound("FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')")).toEqual({
      kind: 'range',
      from: { kind: 'literal', text: '2026-11-01 00:00:00+00' },
      to: { kind: 'literal', text: '2026-12-01 00:00:00+00' },
    });
  });

  it('other session settings print differently; the text is kept verbatim', () => {
    expect(parsePartitionBound("FOR VALUES FROM ('01/11/2026 14:00:00 +14') TO (MAXVALUE)")).toEqual({
      kind: 'range',
      from: { kind: 'literal', text: '01/11/2026 14:00:00 +14' },
      to: { kind: 'maxvalue' },
    });
  });

  it('MINVALUE, DEFAULT, doubled quotes', () => {
    expect(parsePartitionBound("FOR VALUES FROM (MINVALUE) TO ('2020-01-01')")).toEqual({
      kind: 'range',
      from: { kind: 'minvalue' },
      to: { kind: 'literal', text: '2020-01-01' },
    });
    expect(parsePartitionBound('DEFAULT')).toEqual({ kind: 'default' });
    expect(parsePartitionBound("FOR VALUES FROM ('a''b') TO ('c')")).toMatchObject({ from: { text: "a'b" } });
  });

  it('list, hash and multi-column bounds are unsupported', () => {
    expect(parsePartitionBound("FOR VALUES IN ('a')").kind).toBe('unsupported');
    expect(parsePartitionBound('FOR VALUES WITH (modulus 4, remainder 0)').kind).toBe('unsupported');
    expect(parsePartitionBound("FOR VALUES FROM ('2026-01-01', 1) TO ('2026-02-01', 1)").kind).toBe('unsupported');
    expect(parsePartitionBound("FOR VALUES FROM ('2026-01-01') TO ('2026-02-01)").kind).toBe('unsupported');
  });
});
