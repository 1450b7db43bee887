import { describe, expect, it } from 'vitest';
import { fleetFlags, shardFlag } from '../../src/cli/fleet/index.js';
import { shardOfName, targetsInShard } from '../../src/fleet/shard.js';
import { usageErrorOf } from '../support/usage-error.js';

const named = (count: number, prefix = 'tenant-'): { name: string }[] =>
  Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}` }));
const names = (targets: readonly { name: string }[]): string[] => targets.map((target) => target.name);

/** Every shard's targets for a split into `count`. */
const split = (targets: readonly { name: string }[], count: number): string[][] =>
  Array.from({ length: count }, (_, i) => names(targetsInShard(targets, { index: i + 1, count })));

describe('--shard I/N: the split', () => {
  it('shards 1..N together take every target exactly once, for N from 1 to 12 and larger ones', () => {
    const targets = named(200);
    for (const count of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 16, 31, 64]) {
      const taken = split(targets, count).flat();
      expect(taken).toHaveLength(targets.length);
      expect(new Set(taken)).toEqual(new Set(names(targets)));
    }
  });

  it('a shard keeps the order the targets were listed in', () => {
    const targets = named(50);
    for (const shard of split(targets, 3)) expect(shard).toEqual([...shard].sort((a, b) => Number(a.slice(7)) - Number(b.slice(7))));
  });

  it('does not depend on the order of the list', () => {
    const targets = named(200);
    const reversed = [...targets].reverse();
    const interleaved = [...targets.filter((_, i) => i % 2 === 1), ...targets.filter((_, i) => i % 2 === 0)];
    const members = (list: { name: string }[]) => split(list, 5).map((shard) => [...shard].sort());
    expect(members(reversed)).toEqual(members(targets));
    expect(members(interleaved)).toEqual(members(targets));
  });

  it('adding or removing a target moves no other target', () => {
    const before = named(100);
    const added = [...before.slice(0, 40), { name: 'new-tenant' }, ...before.slice(40)];
    const removed = before.filter((target) => target.name !== 'tenant-17');
    for (const count of [2, 3, 7, 16]) {
      const without = (list: string[], name: string) => list.filter((n) => n !== name);
      expect(split(added, count).map((shard) => without(shard, 'new-tenant'))).toEqual(split(before, count));
      expect(split(removed, count)).toEqual(split(before, count).map((shard) => without(shard, 'tenant-17')));
    }
  });

  it('spreads a large fleet about evenly', () => {
    const sizes = split(named(4000), 4).map((shard) => shard.length);
    for (const size of sizes) expect(size).toBeGreaterThan(900);
    for (const size of sizes) expect(size).toBeLessThan(1100);
  });

  it('one shard takes everything; a name always lands in the same shard', () => {
    expect(split(named(10), 1)).toEqual([names(named(10))]);
    expect(shardOfName('acme', 7)).toBe(shardOfName('acme', 7));
    expect(shardOfName('acme', 7)).toBeGreaterThanOrEqual(1);
    expect(shardOfName('acme', 7)).toBeLessThanOrEqual(7);
  });
});

describe('--shard I/N: the flag', () => {
  it('reads I/N, and auto/N from JOB_COMPLETION_INDEX (0-based: shard index + 1)', () => {
    expect(shardFlag('1/2')).toEqual({ index: 1, count: 2 });
    expect(shardFlag('3/3')).toEqual({ index: 3, count: 3 });
    expect(shardFlag('auto/4', { JOB_COMPLETION_INDEX: '0' })).toEqual({ index: 1, count: 4 });
    expect(shardFlag('auto/4', { JOB_COMPLETION_INDEX: '3' })).toEqual({ index: 4, count: 4 });
    expect(fleetFlags({ targets: 't.txt', shard: 'auto/2' }, 'status', { JOB_COMPLETION_INDEX: '1' })?.shard).toEqual({
      index: 2,
      count: 2,
    });
  });

  it('refuses I outside 1..N, N below 1, anything else, in one line naming --shard', () => {
    expect(usageErrorOf(() => shardFlag('0/2'))).toBe('--shard 0/2: I must be from 1 to 2');
    expect(usageErrorOf(() => shardFlag('3/2'))).toBe('--shard 3/2: I must be from 1 to 2');
    expect(usageErrorOf(() => shardFlag('1/0'))).toBe('--shard 1/0: N must be at least 1');
    expect(usageErrorOf(() => shardFlag('auto/0', { JOB_COMPLETION_INDEX: '0' }))).toBe('--shard auto/0: N must be at least 1');
    for (const bad of ['1', '1/2/3', 'a/b', '-1/2', '1/-2', '1.5/2', '', 'AUTO/2'])
      expect(usageErrorOf(() => shardFlag(bad))).toBe(`--shard must be I/N (shard I of N, counting from 1) or auto/N (got "${bad}")`);
  });

  it('auto/N without JOB_COMPLETION_INDEX (or empty), with one >= N, or not a number: exit 2 naming both', () => {
    const missing = '--shard auto/2 needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it in each pod); it is not set';
    expect(usageErrorOf(() => shardFlag('auto/2', {}))).toBe(missing);
    expect(usageErrorOf(() => shardFlag('auto/2', { JOB_COMPLETION_INDEX: ' ' }))).toBe(missing);
    expect(usageErrorOf(() => shardFlag('auto/2', { JOB_COMPLETION_INDEX: '2' }))).toBe(
      '--shard auto/2: JOB_COMPLETION_INDEX is 2, but 2 shards are indexes 0 to 1 (give the Job completions: 2)',
    );
    expect(usageErrorOf(() => shardFlag('auto/2', { JOB_COMPLETION_INDEX: 'one' }))).toBe(
      '--shard auto/2: JOB_COMPLETION_INDEX must be a whole number >= 0 (got "one")',
    );
  });

  it('needs --targets or --targets-query', () => {
    expect(usageErrorOf(() => fleetFlags({ shard: '1/2' }, 'up'))).toBe('--shard needs --targets FILE or --targets-query SQL');
    expect(fleetFlags({ targetsQuery: 'SELECT 1', shard: '2/2' }, 'up')?.shard).toEqual({ index: 2, count: 2 });
  });
});
