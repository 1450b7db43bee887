import { durationMs } from '../config.js';
import { UsageError } from '../errors.js';
import { lockRetriesText, SETTINGS } from '../settings.js';

/**
 * The lock-retry schedule: how long each attempt of a migration may wait for a lock
 * (`lock_timeout`), how long to pause between attempts, and when to give up. Pure: no I/O.
 *
 * Written as `TIMEOUTS,SLEEPS,BUDGET[,then-wait]`, for example the default
 * `100ms..300ms,50ms..60s,40m`: the first attempt waits at most 100 ms for a lock, each next one
 * 100 ms longer up to 300 ms; the pauses start at 50 ms and grow by half each time up to 60 s;
 * attempts stop once their lock waits and pauses together would pass 40 minutes (the worst
 * case; a migration blocked that long exits 4). `then-wait` adds one last attempt without a
 * lock timeout instead of giving up.
 */
export interface LockRetrySchedule {
  /** lock_timeout of the first attempt; each next attempt waits this much longer... */
  firstTimeoutMs: number;
  /** ...up to this. */
  maxTimeoutMs: number;
  /** Pause before the second attempt; each next pause is 1.5 times longer... */
  firstSleepMs: number;
  /** ...up to this. */
  maxSleepMs: number;
  /** Attempts stop once the schedule's lock waits and pauses would pass this. */
  budgetMs: number;
  /** After the schedule, one last attempt with no lock timeout instead of giving up. */
  thenWait: boolean;
}

/** A schedule, or `'off'`: no lock_timeout of ours and no retries (every peer's behaviour). */
export type LockRetries = LockRetrySchedule | 'off';

/** One attempt at running a migration (or, without a transaction, one statement). */
export interface LockAttempt {
  /** 1 for the first attempt. */
  number: number;
  /**
   * lock_timeout for this attempt in ms; 0: wait as long as it takes; undefined: leave the
   * session's own setting alone (lock retries off).
   */
  lockTimeoutMs: number | undefined;
  /** Pause before this attempt (0 for the first). */
  sleepBeforeMs: number;
}

const DEFAULT_LOCK_RETRIES_SPEC = SETTINGS.lockRetries.default;
const OFF_WORDS = ['off', 'false', 'no', '0', 'none'];
const SLEEP_GROWTH = 1.5;

/**
 * Reads a schedule: `off` (also `false`, `no`, `0`, `none`), `on` / `default`, or `TIMEOUTS,SLEEPS,BUDGET[,then-wait]` where
 * TIMEOUTS and SLEEPS are a duration or `FROM..TO` (durations with a unit: `ms`, `s`, `m`, `h`).
 * `default,then-wait` is the default schedule with the last attempt. Errors name `setting`.
 */
export function parseLockRetries(spec: string, setting: string): LockRetries {
  const text = spec.trim().toLowerCase();
  // The words a switch is turned off with elsewhere (.env files, compose, CI variables).
  if (OFF_WORDS.includes(text)) return 'off';
  const parts = text.split(',').map((part) => part.trim());
  const thenWait = parts.length > 1 && parts[parts.length - 1] === 'then-wait';
  if (thenWait) parts.pop();
  const fail = (problem: string): never => {
    throw new UsageError(
      `${setting} ${problem} (got "${spec}"): use off, default, or TIMEOUTS,SLEEPS,BUDGET[,then-wait] such as ${DEFAULT_LOCK_RETRIES_SPEC}`,
    );
  };
  if (parts.length === 1 && (parts[0] === 'on' || parts[0] === 'default' || parts[0] === 'true' || parts[0] === 'yes'))
    return { ...DEFAULT_LOCK_RETRY_SCHEDULE, thenWait };
  if (parts.length !== 3) return fail('needs three parts');
  const [timeouts, sleeps, budget] = parts as [string, string, string];
  const [firstTimeoutMs, maxTimeoutMs] = range(timeouts, 'lock timeouts', fail);
  const [firstSleepMs, maxSleepMs] = range(sleeps, 'sleeps', fail);
  const budgetMs = durationMs(budget) ?? fail(`has a budget "${budget}" that is not a duration such as 40m`);
  if (firstTimeoutMs <= 0) fail('needs lock timeouts above 0 (a lock_timeout of 0 means no timeout: use off)');
  if (budgetMs < firstTimeoutMs) fail('has a budget shorter than the first lock timeout');
  return { firstTimeoutMs, maxTimeoutMs, firstSleepMs, maxSleepMs, budgetMs, thenWait };
}

export const DEFAULT_LOCK_RETRY_SCHEDULE: LockRetrySchedule = {
  firstTimeoutMs: 100,
  maxTimeoutMs: 300,
  firstSleepMs: 50,
  maxSleepMs: 60_000,
  budgetMs: 40 * 60_000,
  thenWait: false,
};

function range(text: string, what: string, fail: (problem: string) => never): [number, number] {
  const [from = '', to, extra] = text.split('..');
  if (extra !== undefined) fail(`has ${what} "${text}" with more than one ".."`);
  const first = durationMs(from) ?? fail(`has ${what} "${text}" that are not a duration or FROM..TO with units (100ms..1s)`);
  const last = to === undefined ? first : (durationMs(to) ?? fail(`has ${what} "${text}" that are not FROM..TO with units (100ms..1s)`));
  if (last < first) fail(`has ${what} "${text}" that shrink`);
  return [first, last];
}

/**
 * The setting in force: the API option when given (`false` or `'off'`: off; a spec string; a
 * schedule), else AETURNIS_LOCK_RETRIES, else the default schedule.
 */
export function resolveLockRetries(
  option: LockRetries | string | false | undefined,
  env: Readonly<Record<string, string | undefined>>,
): LockRetries {
  if (option === false) return 'off';
  if (typeof option === 'string') return parseLockRetries(option, 'lockRetries');
  if (option !== undefined) return option;
  const fromEnv = lockRetriesText(env);
  return fromEnv !== undefined ? parseLockRetries(fromEnv, 'AETURNIS_LOCK_RETRIES') : DEFAULT_LOCK_RETRY_SCHEDULE;
}

/**
 * The attempts one migration (or one statement) gets. `fileTimeoutMs` is the file's
 * `-- aeturnis:lock-timeout` directive: a fixed lock_timeout for every attempt, or 0 (`none`):
 * one attempt that waits as long as it takes. With retries off, one attempt (with the file's
 * timeout, if it names one).
 */
export function* lockAttempts(retries: LockRetries | undefined, fileTimeoutMs: number | undefined): Generator<LockAttempt> {
  if (fileTimeoutMs === 0 || retries === undefined || retries === 'off') {
    yield { number: 1, lockTimeoutMs: fileTimeoutMs, sleepBeforeMs: 0 };
    return;
  }
  const step = fileTimeoutMs ?? retries.firstTimeoutMs;
  const max = fileTimeoutMs ?? retries.maxTimeoutMs;
  let spentMs = 0;
  let sleepMs = 0;
  let number = 1;
  for (;;) {
    const lockTimeoutMs = Math.min(max, step * number);
    if (number > 1 && spentMs + sleepMs + lockTimeoutMs > retries.budgetMs) break;
    yield { number, lockTimeoutMs, sleepBeforeMs: sleepMs };
    spentMs += sleepMs + lockTimeoutMs;
    sleepMs = number === 1 ? retries.firstSleepMs : Math.min(retries.maxSleepMs, Math.round(sleepMs * SLEEP_GROWTH));
    number++;
  }
  if (retries.thenWait) yield { number, lockTimeoutMs: 0, sleepBeforeMs: sleepMs };
}

/**
 * A duration for people: `100 ms`, `1.5 s`, `2 min 5 s`.
 */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
}
