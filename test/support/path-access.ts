import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** One path on the way to a file: its permission bits and owner. */
export interface PathEntry {
  path: string;
  mode: number;
  uid: number;
  gid: number;
}

/** An OS account as a spawned child runs with it (Node drops supplementary groups). */
export interface Account {
  uid: number;
  gid: number;
}

/**
 * The first path of `chain` that `account` may not pass (search a directory, run a file), or
 * undefined when it may pass them all. Uses the owner bits when the account owns the path,
 * else the group bits when its group does, else the "other" bits, as the kernel does.
 *
 * @example
 * firstClosedPath([{ path: '/root', mode: 0o40700, uid: 0, gid: 0 }], { uid: 101, gid: 104 }) // '/root'
 */
export function firstClosedPath(chain: readonly PathEntry[], account: Account): string | undefined {
  for (const entry of chain) {
    if (account.uid === 0) continue;
    const shift = entry.uid === account.uid ? 6 : entry.gid === account.gid ? 3 : 0;
    if (((entry.mode >> shift) & 0o1) === 0) return entry.path;
  }
  return undefined;
}

/**
 * `/`, then every directory down to `path`, then `path` itself, with their modes (symbolic
 * links followed, as exec and chdir follow them).
 *
 * @example
 * pathChain('/tmp/x') // [{ path: '/', ... }, { path: '/tmp', ... }, { path: '/tmp/x', ... }]
 */
export function pathChain(path: string): PathEntry[] {
  const paths: string[] = [];
  for (let current = resolve(path); ; current = dirname(current)) {
    paths.unshift(current);
    if (dirname(current) === current) break;
  }
  return paths.map((entry) => {
    const stats = statSync(entry);
    return { path: entry, mode: stats.mode, uid: stats.uid, gid: stats.gid };
  });
}
