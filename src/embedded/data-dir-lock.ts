import * as fs from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { ConnectionError, InterruptedError, LockTimeoutError, signalOf } from '../errors.js';

/**
 * A lock file (a directory, made atomically with mkdir by proper-lockfile) next to the
 * embedded database's data directory. PGlite has no locking of its own and two processes
 * writing one data directory lose data, so every command holds this lock for its whole run.
 */
export interface EmbeddedDirLock {
  /** Path of the lock (`<data dir>.lock`). */
  readonly path: string;
  /** Releases the lock; harmless when called twice or after the lock was lost. */
  release(): Promise<void>;
}

/** Who holds the lock, as written into the lock by its holder. */
export interface LockOwner {
  pid: number;
  hostname: string;
  since: string;
}

/** Options of {@link lockEmbeddedDir}. */
export interface EmbeddedLockOptions {
  /** Give up after this many seconds (exit 4). `undefined`: wait as long as it takes. */
  timeoutSeconds?: number | undefined;
  /** Called when we start waiting, and every 30 s while we wait. */
  onWait?: ((holder: string, waitedMs: number) => void) | undefined;
  /** Called if the lock is taken from us while held (it went stale or was deleted). */
  onCompromised?: ((error: Error) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** How to name the directory in messages (default: its path). */
  displayName?: string | undefined;
}

/**
 * Staleness: the holder refreshes the lock's mtime every UPDATE_MS; a lock not refreshed for
 * STALE_MS belongs to a dead process. PGlite runs in a worker thread, so the holder's main
 * thread stays free to refresh even while a long statement runs. A holder seen running on
 * this host gets far longer (a starved machine can delay its refresh; taking the lock from a
 * live process would mean two writers), bounded only in case its pid was reused.
 */
const STALE_MS = 10_000;
const LIVE_HOLDER_STALE_MS = 120_000;
const UPDATE_MS = 1_000;
const PROGRESS_EVERY_MS = 30_000;
const OWNER_FILE = 'owner.json';

/**
 * The lock is a directory holding `owner.json`; proper-lockfile removes locks with rmdir,
 * which would fail on a non-empty directory, so its removals go through this recursive one.
 */
const lockFs = {
  mkdir: fs.mkdir,
  stat: fs.stat,
  utimes: fs.utimes,
  realpath: fs.realpath,
  rmdir: (path: string, callback: (error: NodeJS.ErrnoException | null) => void) => fs.rm(path, { recursive: true, force: true }, callback),
  rmdirSync: (path: string) => fs.rmSync(path, { recursive: true, force: true }),
};

/**
 * Takes the lock of the embedded data directory `dataDir` (an absolute path), waiting while
 * another process holds it. A lock left by a process that no longer runs (SIGKILL, power
 * loss) is taken over: at once when its holder's pid is gone on this host, else once it has
 * not been refreshed for 10 s (2 minutes while a process with the holder's pid runs here).
 */
export async function lockEmbeddedDir(dataDir: string, options: EmbeddedLockOptions = {}): Promise<EmbeddedDirLock> {
  const lockPath = `${dataDir}.lock`;
  const started = Date.now();
  const deadline = options.timeoutSeconds === undefined ? Infinity : started + options.timeoutSeconds * 1000;
  let pollMs = 50;
  let nextProgress = 0;
  for (;;) {
    const owner = readOwner(lockPath);
    if (owner && holderState(owner) === 'gone') {
      // Its holder no longer runs: make the lock look stale, so that proper-lockfile removes
      // it in the attempt below.
      try {
        fs.utimesSync(lockPath, new Date(0), new Date(0));
      } catch {
        // Released meanwhile: the attempt below simply takes it.
      }
    }
    let release: (() => Promise<void>) | undefined;
    try {
      release = await lockfile.lock(dataDir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: owner && holderState(owner) === 'running' ? LIVE_HOLDER_STALE_MS : STALE_MS,
        update: UPDATE_MS,
        retries: 0,
        fs: lockFs,
        onCompromised: (error) => options.onCompromised?.(error),
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED') {
        throw new ConnectionError(
          `cannot lock the embedded database directory ${options.displayName ?? dataDir} (${code ?? (error as Error).message}); check --embedded-dir / AETURNIS_EMBEDDED_DIR`,
        );
      }
    }
    if (release) return heldLock(lockPath, release);

    if (options.signal?.aborted) throw new InterruptedError(signalOf(options.signal));
    const now = Date.now();
    if (now >= deadline) {
      throw new LockTimeoutError(
        `the embedded database ${options.displayName ?? dataDir} is in use by ${describeOwner(owner)}; not released within ${options.timeoutSeconds}s (--lock-timeout)`,
      );
    }
    if (now >= nextProgress && options.onWait) {
      options.onWait(describeOwner(owner), now - started);
      nextProgress = now + PROGRESS_EVERY_MS;
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())), options.signal);
    pollMs = Math.min(pollMs * 2, 500);
  }
}

function heldLock(lockPath: string, release: () => Promise<void>): EmbeddedDirLock {
  const owner: LockOwner = { pid: process.pid, hostname: hostname(), since: new Date().toISOString() };
  try {
    // Adding a file changes the directory's mtime, which proper-lockfile watches to detect a
    // lost lock: put the mtime back (synchronously, before its refresh timer can run).
    const { atime, mtime } = fs.statSync(lockPath);
    fs.writeFileSync(join(lockPath, OWNER_FILE), `${JSON.stringify(owner)}\n`);
    fs.utimesSync(lockPath, atime, mtime);
  } catch {
    // Only informative (who holds it, whether it is stale): the lock itself is the directory.
  }
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      // ERELEASED: the lock was compromised and already given up; nothing left to remove.
      await release().catch(() => {});
    },
  };
}

/**
 * Reads who holds the lock at `lockPath`, if it says.
 */
function readOwner(lockPath: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(join(lockPath, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return { pid: parsed.pid, hostname: parsed.hostname, since: typeof parsed.since === 'string' ? parsed.since : '' };
  } catch {
    return undefined; // not there yet (the holder writes it just after taking the lock), or gone
  }
}

/**
 * Whether the holder runs: known only on its own host (`unknown` elsewhere, where only the
 * lock's refreshes tell). `gone`: no process has its pid any more.
 */
function holderState(owner: LockOwner): 'running' | 'gone' | 'unknown' {
  if (owner.hostname !== hostname()) return 'unknown';
  if (owner.pid === process.pid) return 'running';
  try {
    process.kill(owner.pid, 0);
    return 'running';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH' ? 'gone' : 'running'; // EPERM: another user's
  }
}

function describeOwner(owner: LockOwner | undefined): string {
  if (!owner) return 'another aeturnis-db process';
  const host = owner.hostname === hostname() ? '' : ` on ${owner.hostname}`;
  return `another aeturnis-db process (pid ${owner.pid}${host}${owner.since ? `, since ${owner.since}` : ''})`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
