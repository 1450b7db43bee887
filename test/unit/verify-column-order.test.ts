import { describe, expect, it } from 'vitest';
import { sameColumnOrder, splitColumnList } from '../../src/verify/column-order.js';
import { compareSnapshots, describeDownDifference, describeRerunDifference, withoutImpliedDifferences } from '../../src/verify/compare.js';
import { snapshotFromRows } from '../../src/verify/snapshot.js';

const table = (order: string) => snapshotFromRows([{ kind: 'table', name: 't', attrs: { 'column order': order } }]);

describe('verify: column order', () => {
  it('splits a list of quoted names, keeping a name with a comma whole', () => {
    expect(splitColumnList('a, "b, c", d')).toEqual(['a', '"b, c"', 'd']);
    expect(splitColumnList('"x"", y", z')).toEqual(['"x"", y"', 'z']);
    expect(splitColumnList('')).toEqual([]);
  });

  it('compares only the columns both sides have: a missing or added column is not a new order', () => {
    expect(sameColumnOrder('a, b, c', 'a, b, c')).toBe(true);
    expect(sameColumnOrder('a, b, c', 'a, c')).toBe(true);
    expect(sameColumnOrder('a, b', 'a, b, d')).toBe(true);
    expect(sameColumnOrder('a, b, c', 'a, c, b')).toBe(false);
    expect(sameColumnOrder('a, b, c', 'b, a, c, d')).toBe(false);
  });

  it('says which order DOWN left and which it should have restored, in full', () => {
    const lines = withoutImpliedDifferences(compareSnapshots(table('a, b, c'), table('a, c, b'))).map(describeDownDifference);
    expect(lines).toEqual(['DOWN did not restore the column order of table t (a, c, b; was a, b, c)']);
    const long = Array.from({ length: 40 }, (_, i) => `column_${i}`);
    const [line] = compareSnapshots(table(long.join(', ')), table([...long.slice(1), long[0]].join(', '))).map(describeDownDifference);
    expect(line).toContain('column_39, column_0; was column_0, column_1');
    expect(compareSnapshots(table('a, b'), table('b, a')).map(describeRerunDifference)).toEqual([
      'UP run again after DOWN gave table t another column order (b, a; the first UP gave a, b)',
    ]);
  });

  it('a column dropped by DOWN is reported as a missing column only', () => {
    const before = snapshotFromRows([
      { kind: 'table', name: 't', attrs: { 'column order': 'a, b' } },
      { kind: 'column', name: 't.b', attrs: { type: 'text' } },
    ]);
    const after = snapshotFromRows([{ kind: 'table', name: 't', attrs: { 'column order': 'a' } }]);
    expect(compareSnapshots(before, after).map(describeDownDifference)).toEqual(['DOWN did not restore column t.b (it existed before UP)']);
  });
});
