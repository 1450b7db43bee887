// The months a table's partitions cover, and the gaps between them, for the status line.
import { describe, expect, it } from 'vitest';
import { formatSpans, periodCoverage } from '../../src/partitions/report.js';

const range = (from: string | null, to: string | null) => ({
  from: from === null ? null : new Date(from),
  to: to === null ? null : new Date(to),
});
const month = (y: number, m: number) => range(new Date(Date.UTC(y, m - 1, 1)).toISOString(), new Date(Date.UTC(y, m, 1)).toISOString());
const show = (ranges: ReturnType<typeof range>[]) => {
  const { covered, missing } = periodCoverage(ranges, 'month');
  return { covered: formatSpans(covered), missing: formatSpans(missing) };
};

describe('periodCoverage', () => {
  it('contiguous months are one span, in any order, with no gap', () => {
    expect(show([month(2027, 1), month(2026, 11), month(2026, 12)])).toEqual({ covered: '2026-11..2027-01', missing: '' });
  });

  it('a month without a partition splits the span and is reported missing', () => {
    expect(show([month(2026, 11), month(2026, 12), month(2027, 2)])).toEqual({ covered: '2026-11..2026-12, 2027-02', missing: '2027-01' });
    expect(show([month(2020, 1), month(2026, 11)])).toEqual({ covered: '2020-01, 2026-11', missing: '2020-02..2026-10' });
  });

  it('a partition covering several months, or part of one, covers them; overlaps merge', () => {
    expect(show([range('2026-11-01Z', '2027-02-01Z'), month(2027, 2), range('2027-03-11Z', '2027-04-01Z')])).toEqual({
      covered: '2026-11..2027-03',
      missing: '',
    });
    expect(show([range('2026-11-01Z', '2027-01-01Z'), month(2026, 12)])).toEqual({ covered: '2026-11..2026-12', missing: '' });
  });

  it('open ends are clipped to the finite bounds; nothing finite gives nothing', () => {
    expect(show([range(null, '2026-11-01Z'), month(2027, 1)])).toEqual({ covered: '2027-01', missing: '' });
    expect(show([range(null, '2026-11-01Z'), range('2026-09-01Z', null)])).toEqual({ covered: '2026-09..2026-10', missing: '' });
    expect(show([range(null, null)])).toEqual({ covered: '', missing: '' });
    expect(show([])).toEqual({ covered: '', missing: '' });
  });
});
