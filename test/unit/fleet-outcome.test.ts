import { describe, expect, it } from 'vitest';
import { currentVersion, describeFleet, versionsAfter, worstExitCode, type TargetOutcome } from '../../src/fleet/outcome.js';

const outcome = (
  target: string,
  state: TargetOutcome<unknown>['state'],
  exitCode = 0,
  notStarted?: TargetOutcome<unknown>['notStarted'],
): TargetOutcome<unknown> => ({
  target,
  source: 'targets.txt:1',
  url: 'postgres://db/x',
  state,
  exitCode,
  notStarted,
  ms: 1,
  applied: [],
  rolledBack: [],
});

describe('fleet outcomes', () => {
  it('the fleet exit code is the highest of the targets', () => {
    expect(worstExitCode([outcome('a', 'succeeded'), outcome('b', 'failed', 1), outcome('c', 'failed', 4)])).toBe(4);
    expect(worstExitCode([outcome('a', 'succeeded'), outcome('b', 'interrupted', 130)])).toBe(130);
    expect(worstExitCode([outcome('a', 'succeeded'), outcome('b', 'not-started', 0, 'fail-fast')])).toBe(0);
  });

  it('versions after a run: applied added, rolled back removed', () => {
    expect(versionsAfter([1, 2, 3], [4, 5], [])).toEqual([1, 2, 3, 4, 5]);
    expect(versionsAfter([1, 2, 3], [], [3, 2])).toEqual([1]);
    expect(currentVersion(versionsAfter([], [], []))).toBeUndefined();
    expect(currentVersion([7, 12, 9])).toBe(12);
  });

  it('says in one line what became of the fleet', () => {
    expect(describeFleet([outcome('a', 'succeeded'), outcome('b', 'succeeded')])).toBe('All 2 targets succeeded');
    expect(
      describeFleet([
        outcome('a', 'succeeded'),
        outcome('eu-3', 'failed', 1),
        outcome('c', 'not-started', 0, 'fail-fast'),
        outcome('d', 'not-started', 0, 'fail-fast'),
      ]),
    ).toBe('4 targets: 1 succeeded, 1 failed (eu-3), 2 not started (--fail-fast)');
    const many = Array.from({ length: 7 }, (_, i) => outcome(`t${i}`, 'failed', 1));
    expect(describeFleet(many)).toBe('7 targets: 0 succeeded, 7 failed (t0, t1, t2, t3, t4 and 2 more)');
  });
});
