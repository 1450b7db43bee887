import { createHash } from 'node:crypto';

/**
 * `--shard I/N`: which targets one of N runs (the pods of a Kubernetes Indexed Job) takes. A
 * target belongs to the shard its name hashes to, not to its position in the list: shards 1..N
 * together take every target exactly once whatever order the file or query lists them in, and
 * adding or removing a target moves no other. Pure.
 */

/** Shard `index` (1-based) of `count`. */
export interface Shard {
  index: number;
  count: number;
}

/**
 * The shard (1..count) a target of this name belongs to: the name's SHA-256, its first six
 * bytes read as a whole number (exact in a double), modulo count.
 */
export function shardOfName(name: string, count: number): number {
  const hash = createHash('sha256').update(name, 'utf8').digest().readUIntBE(0, 6);
  return (hash % count) + 1;
}

/**
 * The targets of `shard`, in the order they were listed.
 */
export function targetsInShard<T extends { name: string }>(targets: readonly T[], shard: Shard): T[] {
  return targets.filter((target) => shardOfName(target.name, shard.count) === shard.index);
}
