import { UsageError } from './errors.js';

// The options' defaults live in settings.ts, with the flags and variables that set them.
/** The largest partition `ahead` of any interval (ten years of days); each interval has its own (partitions/periods.ts). */
export const MAX_PERIODS_AHEAD = 3660;

/**
 * Parses a non-negative integer setting, with an error naming the setting.
 */
export function parseNonNegativeInteger(value: string, setting: string): number {
  if (!/^\d+$/.test(value.trim())) throw new UsageError(`${setting} must be a whole number >= 0 (got "${value}")`);
  const number = Number(value.trim());
  if (!Number.isSafeInteger(number)) throw new UsageError(`${setting} is too large (got "${value}")`);
  return number;
}

/**
 * Parses a duration in seconds (fractions allowed), with an error naming the setting.
 */
export function parseSeconds(value: string, setting: string): number {
  if (!/^\d+(\.\d+)?$/.test(value.trim())) throw new UsageError(`${setting} must be a number of seconds >= 0 (got "${value}")`);
  return Number(value.trim());
}

const DURATION_UNITS_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/**
 * Reads a duration with its unit (`ms`, `s`, `m` or `min`, `h`; fractions allowed) as whole
 * milliseconds; undefined when the text is not one. A bare number is refused: `5` could mean
 * 5 ms (PostgreSQL's lock_timeout) or 5 s (--lock-timeout).
 */
export function durationMs(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min|m|h)$/i.exec(text.trim());
  if (!match) return undefined;
  const ms = Math.round(Number(match[1]) * (DURATION_UNITS_MS[(match[2] as string).toLowerCase()] ?? NaN));
  return Number.isSafeInteger(ms) ? ms : undefined;
}
