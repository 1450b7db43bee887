// AETURNIS_PARTITIONS: whether `up` runs its partition step.
import { describe, expect, it } from 'vitest';
import { partitionsSetting } from '../../src/cli/commands/up.js';
import { UsageError } from '../../src/errors.js';

describe('partitionsSetting', () => {
  it('unset or empty is on; off/false/no/0 (any case, spaces around) is off', () => {
    expect(partitionsSetting(undefined)).toBe(true);
    expect(partitionsSetting('')).toBe(true);
    expect(partitionsSetting('on')).toBe(true);
    for (const value of ['off', 'OFF', ' Off ', 'false', 'no', '0']) expect(partitionsSetting(value)).toBe(false);
  });

  it('anything else is a usage error naming the variable and the value', () => {
    expect(() => partitionsSetting('sometimes')).toThrow(UsageError);
    expect(() => partitionsSetting('sometimes')).toThrow('AETURNIS_PARTITIONS must be "on" or "off" (got "sometimes")');
  });
});
