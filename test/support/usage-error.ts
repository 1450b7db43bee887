import { expect } from 'vitest';
import { UsageError } from '../../src/errors.js';

/**
 * Runs `run`, expects it to throw a UsageError (exit 2) and returns its message.
 *
 * @example
 * expect(usageErrorOf(() => fleetFlags({ concurrency: '0' }, 'up'))).toBe('--concurrency must be ...');
 */
export function usageErrorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a UsageError');
}
