import { describe, expect, it } from 'vitest';
import { durationMs } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import {
  DEFAULT_LOCK_RETRY_SCHEDULE,
  formatDuration,
  lockAttempts,
  parseLockRetries,
  resolveLockRetries,
  type LockRetrySchedule,
} from '../../src/lock-retries/schedule.js';

const take = <T>(items: Iterable<T>, count: number): T[] => {
  const taken: T[] = [];
  for (const item of items) {
    if (taken.length === count) break;
    taken.push(item);
  }
  return taken;
};

describe('durationMs', () => {
  it('reads a number with its unit as whole milliseconds', () => {
    expect(durationMs('100ms')).toBe(100);
    expect(durationMs('1.5s')).toBe(1500);
    expect(durationMs('2m')).toBe(120_000);
    expect(durationMs('2min')).toBe(120_000);
    expect(durationMs('1h')).toBe(3_600_000);
    expect(durationMs(' 5 S ')).toBe(5000);
  });
  it('refuses a bare number (ms or s?) and other text', () => {
    for (const text of ['5', '', 'fast', '-1s', '1d', '1s2']) expect(durationMs(text)).toBeUndefined();
  });
});

describe('parseLockRetries', () => {
  it('off, on and default', () => {
    expect(parseLockRetries('off', '--lock-retries')).toBe('off');
    expect(parseLockRetries('OFF', '--lock-retries')).toBe('off');
    expect(parseLockRetries('on', '--lock-retries')).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
    expect(parseLockRetries('default', '--lock-retries')).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
    expect(parseLockRetries('default,then-wait', '--lock-retries')).toEqual({ ...DEFAULT_LOCK_RETRY_SCHEDULE, thenWait: true });
  });
  it('the words a switch is turned off or on with elsewhere (.env files, CI variables)', () => {
    for (const text of ['false', 'no', '0', 'none', 'False']) expect(parseLockRetries(text, 'AETURNIS_LOCK_RETRIES')).toBe('off');
    for (const text of ['true', 'yes']) expect(parseLockRetries(text, 'AETURNIS_LOCK_RETRIES')).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
  });
  it('the default written out is the default', () => {
    expect(parseLockRetries('100ms..300ms,50ms..60s,40m', 'x')).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
  });
  it('a fixed timeout, a fixed pause, then-wait', () => {
    expect(parseLockRetries('2s, 1s , 10m ,then-wait', 'x')).toEqual({
      firstTimeoutMs: 2000,
      maxTimeoutMs: 2000,
      firstSleepMs: 1000,
      maxSleepMs: 1000,
      budgetMs: 600_000,
      thenWait: true,
    });
  });
  it.each([
    ['100ms..1s,50ms..60s', 'needs three parts'],
    ['100..1s,50ms,1m', 'lock timeouts "100..1s"'],
    ['100ms..1s,50ms..1x,1m', 'sleeps "50ms..1x"'],
    ['100ms..1s,50ms,forever', 'budget "forever"'],
    ['1s..100ms,50ms,1m', 'shrink'],
    ['0ms,50ms,1m', 'above 0'],
    ['1s,50ms,500ms', 'budget shorter'],
    ['1s..2s..3s,50ms,1m', 'more than one ".."'],
    ['sometimes', 'needs three parts'],
  ])('refuses %s naming the setting and the problem', (spec, problem) => {
    expect(() => parseLockRetries(spec, 'AETURNIS_LOCK_RETRIES')).toThrow(UsageError);
    expect(() => parseLockRetries(spec, 'AETURNIS_LOCK_RETRIES')).toThrow(problem);
    expect(() => parseLockRetries(spec, 'AETURNIS_LOCK_RETRIES')).toThrow(/^AETURNIS_LOCK_RETRIES .*100ms\.\.300ms,50ms\.\.60s,40m$/);
  });
});

describe('resolveLockRetries', () => {
  it('the API option wins, then AETURNIS_LOCK_RETRIES, then the default', () => {
    expect(resolveLockRetries(false, { AETURNIS_LOCK_RETRIES: '1s,1s,1m' })).toBe('off');
    expect(resolveLockRetries('off', {})).toBe('off');
    expect(resolveLockRetries('1s,1s,1m', { AETURNIS_LOCK_RETRIES: 'off' })).toMatchObject({ firstTimeoutMs: 1000 });
    expect(resolveLockRetries(undefined, { AETURNIS_LOCK_RETRIES: 'off' })).toBe('off');
    expect(resolveLockRetries(undefined, { AETURNIS_LOCK_RETRIES: '' })).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
    expect(resolveLockRetries(undefined, {})).toEqual(DEFAULT_LOCK_RETRY_SCHEDULE);
  });
  it('a bad string names the option it came from', () => {
    expect(() => resolveLockRetries('soon', {})).toThrow(/^lockRetries /);
    expect(() => resolveLockRetries(undefined, { AETURNIS_LOCK_RETRIES: 'soon' })).toThrow(/^AETURNIS_LOCK_RETRIES /);
  });
});

describe('lockAttempts', () => {
  it('default: lock_timeout 100 ms growing by 100 ms to 300 ms; pauses 50 ms growing by half to 60 s', () => {
    const attempts = take(lockAttempts(DEFAULT_LOCK_RETRY_SCHEDULE, undefined), 20);
    expect(attempts.slice(0, 6).map((a) => a.lockTimeoutMs)).toEqual([100, 200, 300, 300, 300, 300]);
    expect(attempts.slice(0, 6).map((a) => a.sleepBeforeMs)).toEqual([0, 50, 75, 113, 170, 255]);
    expect(attempts.map((a) => a.number)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const all = [...lockAttempts(DEFAULT_LOCK_RETRY_SCHEDULE, undefined)];
    expect(Math.max(...all.map((a) => a.sleepBeforeMs))).toBe(60_000);
  });
  it('default: the worst case stays within 40 minutes and comes close to it; no attempt without a timeout', () => {
    const all = [...lockAttempts(DEFAULT_LOCK_RETRY_SCHEDULE, undefined)];
    const worstMs = all.reduce((sum, a) => sum + a.sleepBeforeMs + (a.lockTimeoutMs ?? 0), 0);
    expect(worstMs).toBeLessThanOrEqual(40 * 60_000);
    expect(worstMs).toBeGreaterThan(39 * 60_000);
    expect(all.every((a) => (a.lockTimeoutMs ?? 0) > 0)).toBe(true);
    expect(all.length).toBeGreaterThan(40);
    expect(all.length).toBeLessThan(70);
  });
  it('then-wait: one last attempt without a timeout (lock_timeout 0) after the budget', () => {
    const schedule: LockRetrySchedule = {
      firstTimeoutMs: 100,
      maxTimeoutMs: 100,
      firstSleepMs: 100,
      maxSleepMs: 100,
      budgetMs: 500,
      thenWait: true,
    };
    expect([...lockAttempts(schedule, undefined)].map((a) => [a.lockTimeoutMs, a.sleepBeforeMs])).toEqual([
      [100, 0],
      [100, 100],
      [100, 100],
      [0, 100],
    ]);
  });
  it('off: one attempt that leaves lock_timeout alone; the file directive still applies', () => {
    expect([...lockAttempts('off', undefined)]).toEqual([{ number: 1, lockTimeoutMs: undefined, sleepBeforeMs: 0 }]);
    expect([...lockAttempts(undefined, undefined)]).toEqual([{ number: 1, lockTimeoutMs: undefined, sleepBeforeMs: 0 }]);
    expect([...lockAttempts('off', 5000)]).toEqual([{ number: 1, lockTimeoutMs: 5000, sleepBeforeMs: 0 }]);
  });
  it('-- aeturnis:lock-timeout none (0): one attempt without a timeout, whatever the schedule', () => {
    expect([...lockAttempts(DEFAULT_LOCK_RETRY_SCHEDULE, 0)]).toEqual([{ number: 1, lockTimeoutMs: 0, sleepBeforeMs: 0 }]);
  });
  it('-- aeturnis:lock-timeout 5s: every attempt waits 5 s, pauses and budget from the schedule', () => {
    const schedule: LockRetrySchedule = {
      firstTimeoutMs: 100,
      maxTimeoutMs: 1000,
      firstSleepMs: 1000,
      maxSleepMs: 1000,
      budgetMs: 20_000,
      thenWait: false,
    };
    expect([...lockAttempts(schedule, 5000)].map((a) => [a.lockTimeoutMs, a.sleepBeforeMs])).toEqual([
      [5000, 0],
      [5000, 1000],
      [5000, 1000],
    ]);
  });
});

describe('formatDuration', () => {
  it('ms, seconds, minutes', () => {
    expect(formatDuration(50)).toBe('50 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(60_000)).toBe('1 min');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });
});
