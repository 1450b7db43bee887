import { describe, expect, it } from 'vitest';
import { showPair, shownAlone } from '../../src/verify/show-difference.js';

describe('verify: showing where two long definitions differ', () => {
  const head = `CREATE OR REPLACE FUNCTION public.find_matching_tenants(partition_number integer) RETURNS uuid[] LANGUAGE plpgsql AS $function$ DECLARE partition_table text;`;

  it('shows short values whole', () => {
    expect(showPair('CHECK ((a > 0))', 'CHECK ((a >= 0))')).toEqual({ expected: 'CHECK ((a > 0))', actual: 'CHECK ((a >= 0))' });
  });

  it('shows a window around the first difference of long values, the same context on both sides', () => {
    const pair = showPair(
      `${head}\n  WHERE e.tenant_id = t.id\n  AND e.cut_over_at <= NOW() LIMIT 1 END $function$`,
      `${head} WHERE e.tenant_id = t.id LIMIT 1 END $function$`,
    );
    expect(pair).toEqual({
      expected: '...ext; WHERE e.tenant_id = t.id AND e.cut_over_at <= NOW() LIMIT 1 END $function$',
      actual: '...ext; WHERE e.tenant_id = t.id LIMIT 1 END $function$',
    });
  });

  it('cuts a long differing part in its middle and says what was left out at both ends', () => {
    const pair = showPair(
      `${head} ${'a'.repeat(200)} tail of the body, long enough to be cut`,
      `${head} ${'b'.repeat(200)} tail of the body, long enough to be cut`,
    );
    expect(pair.expected).toBe(`...DECLARE partition_table text; ${'a'.repeat(50)}...${'a'.repeat(17)} tail of the body, l...`);
    expect(pair.actual).toBe(`...DECLARE partition_table text; ${'b'.repeat(50)}...${'b'.repeat(17)} tail of the body, l...`);
  });

  it('a value alone (the other side none) is cut at 120 characters', () => {
    expect(showPair(null, head)).toEqual({ expected: 'none', actual: `${head.slice(0, 117)}...` });
    expect(shownAlone('a\n  b')).toBe('a b');
  });
});
