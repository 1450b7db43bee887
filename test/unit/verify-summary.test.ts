import { describe, expect, it } from 'vitest';
import { summarizeVerify } from '../../src/verify/summary.js';

describe('verify: the summary line and exit code', () => {
  const result = (fileName: string, outcome: 'verified' | 'mismatch' | 'failed' | 'irreversible', problems: string[] = []) => ({
    version: 1,
    name: fileName,
    fileName,
    outcome,
    problems,
    elapsedMs: 1,
  });

  it('exits with the worst outcome: an SQL failure (1) over a DOWN that does not undo its UP (3), and lists every problem', () => {
    const summary = summarizeVerify([
      result('0001_a.sql', 'verified'),
      result('0002_b.sql', 'mismatch', ['DOWN left index i on t', 'DOWN left table u']),
      result('0003_c.sql', 'failed', ['0003_c.sql:4:1: DOWN failed: boom']),
      result('0004_d.sql', 'irreversible'),
    ]);
    expect(summary).toEqual({
      exitCode: 1,
      message: 'verify failed: 2 of 3 migrations do not round-trip (1 failed with an SQL error)',
      problems: ['0002_b: DOWN left index i on t', '0002_b: DOWN left table u', '0003_c: 0003_c.sql:4:1: DOWN failed: boom'],
      checked: 3,
    });
    expect(summarizeVerify([result('0002_b.sql', 'mismatch', ['DOWN left table u'])]).exitCode).toBe(3);
    expect(summarizeVerify([result('0001_a.sql', 'verified'), result('0002_b.sql', 'verified')])).toMatchObject({
      exitCode: 0,
      message: 'Verified 2 migrations: every DOWN undoes its UP and UP runs again',
    });
  });
});
