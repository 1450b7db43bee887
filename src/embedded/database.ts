import { embeddedDirSetting } from '../settings.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { ConnectionError, InterruptedError, signalOf, UsageError } from '../errors.js';
import { lockEmbeddedDir, type EmbeddedDirLock } from './data-dir-lock.js';
import {
  CREATING_DIR,
  creatingMarkerOf,
  EXTENSIONS_MANIFEST,
  type EmbeddedWorkerData,
  type FromWorker,
  type ToWorker,
} from './protocol.js';

/** Options of {@link startEmbedded}. */
export interface EmbeddedOptions {
  /** Aborting stops a start in progress (the data directory is left as a crash would). */
  signal?: AbortSignal | undefined;
  /** Give up waiting for another process using the directory after this long (exit 4). */
  lockTimeoutSeconds?: number | undefined;
  /** Called when we start waiting for the directory, and every 30 s while we wait. */
  onWait?: ((holder: string, waitedMs: number) => void) | undefined;
  /** Directories whose `.sql` files are scanned for `CREATE EXTENSION`, to load that code. */
  sqlDirs?: string[] | undefined;
}

/** A running embedded database. */
export interface EmbeddedDatabase {
  /** `postgres://postgres@127.0.0.1:<port>/postgres?sslmode=disable` */
  url: string;
  /** True when this start created the database. */
  created: boolean;
  /** Milliseconds the database took to start (after the directory lock was obtained). */
  startMs: number;
  /**
   * The run was interrupted (SIGINT/SIGTERM). PGlite cannot cancel a statement, so the one
   * running gets a short grace period, then the database is stopped hard: its transaction
   * never commits, and the next start's crash recovery discards it.
   */
  interrupt(): void;
  /** Closes the socket server and PGlite, then releases the directory lock. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The embedded database's directory: the option, then AETURNIS_EMBEDDED_DIR, then the default.
 */
export function embeddedDirOf(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  return embeddedDirSetting(option, env);
}

/** Extensions PGlite 0.5 ships (SQL names); their code must be passed to PGlite.create. */
const AVAILABLE_EXTENSIONS = new Set([
  'amcheck',
  'bloom',
  'btree_gin',
  'btree_gist',
  'citext',
  'cube',
  'dict_int',
  'dict_xsyn',
  'earthdistance',
  'file_fdw',
  'fuzzystrmatch',
  'hstore',
  'intarray',
  'isn',
  'lo',
  'ltree',
  'moddatetime',
  'pageinspect',
  'pg_buffercache',
  'pg_freespacemap',
  'pg_stat_statements',
  'pg_surgery',
  'pg_trgm',
  'pg_visibility',
  'pg_walinspect',
  'pgcrypto',
  'seg',
  'tablefunc',
  'tcn',
  'tsm_system_rows',
  'tsm_system_time',
  'unaccent',
  'uuid-ossp',
]);
const CREATE_EXTENSION = /\bcreate\s+extension\s+(?:if\s+not\s+exists\s+)?("?)([\w-]+)\1/gi;

/** How long an interrupted statement may still run before the database is stopped hard. */
const INTERRUPT_GRACE_MS = 1_000;
/** How long a clean stop (server, checkpoint, close) may take before the worker is terminated. */
const STOP_TIMEOUT_MS = 10_000;

/** The optional packages the embedded database runs on (left out by `npm install --omit=optional`). */
export const EMBEDDED_PACKAGES = ['@electric-sql/pglite', '@electric-sql/pglite-socket'];

/**
 * Refuses (exit 2, one line saying how to get it) when the embedded database's optional
 * packages are not installed, as in the Docker image. `resolve` throws for a package it cannot
 * find (default: resolved from this file's place, as the worker's imports are).
 */
export function assertEmbeddedInstalled(resolve: (specifier: string) => string = createRequire(import.meta.url).resolve): void {
  const missing = EMBEDDED_PACKAGES.filter((name) => {
    try {
      resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length === 0) return;
  throw new UsageError(
    `no database configured, and the embedded database is not installed (optional package${missing.length > 1 ? 's' : ''} ${missing.join(', ')} left out, ` +
      'e.g. by npm install --omit=optional): set DATABASE_URL or pass --database-url, or install it with npm install --include=optional',
  );
}

/**
 * True when `dir` already holds a database (so starting it creates nothing).
 */
export function embeddedDatabaseExists(dir: string): boolean {
  const dataDir = resolve(dir);
  return existsSync(join(dataDir, 'PG_VERSION')) && !existsSync(creatingMarkerOf(dataDir));
}

/**
 * Starts the embedded database in `dir` (created on first use): PGlite in a worker thread,
 * served on 127.0.0.1 with an OS-chosen port, under a lock file so that one process at a time
 * uses the directory (others wait, or give up after `lockTimeoutSeconds` with exit 4).
 * Heavy modules (pglite) load in the worker only.
 */
export async function startEmbedded(dir: string, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const dataDir = resolve(dir);
  try {
    mkdirSync(dirname(dataDir), { recursive: true });
  } catch (error) {
    throw new UsageError(
      `cannot create the embedded database directory ${dir} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); set --embedded-dir or AETURNIS_EMBEDDED_DIR to a writable place`,
    );
  }

  let worker: Worker | undefined;
  let lostLock: Error | undefined;
  const lock: EmbeddedDirLock = await lockEmbeddedDir(dataDir, {
    timeoutSeconds: options.lockTimeoutSeconds,
    displayName: dir,
    onWait: options.onWait,
    signal: options.signal,
    onCompromised: (error) => {
      // Another process may be about to open the directory: stop writing to it at once.
      lostLock = error;
      void worker?.terminate();
    },
  });

  let output = '';
  try {
    checkDirectory(dir, dataDir);
    const data: EmbeddedWorkerData = { dataDir, extensions: extensionsToLoad(dataDir, options.sqlDirs ?? []) };
    worker = new Worker(new URL('./embedded-worker.js', import.meta.url), { workerData: data, stdout: true, stderr: true });
    // PGlite may print to the console; keep it off our stdout (status --json) and keep the
    // tail for the error message if it fails.
    const keep = (chunk: Buffer | string) => {
      output = (output + chunk.toString()).slice(-2000);
    };
    worker.stdout.on('data', keep);
    worker.stderr.on('data', keep);
    const ready = await waitForReady(worker, options.signal);
    if (lostLock) throw lostLockError(dir, lostLock);
    return runningDatabase(worker, lock, ready);
  } catch (error) {
    await worker?.terminate();
    await lock.release();
    if (error instanceof UsageError || error instanceof InterruptedError || error instanceof ConnectionError) throw error;
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const detail = output.trim().split('\n').filter(Boolean).pop();
    throw new ConnectionError(
      `could not start the embedded database in ${dir}: ${reason}${detail && detail !== reason ? ` (${detail})` : ''}` +
        ' (if that directory is damaged, move it aside: the next run creates a new one)',
    );
  }
}

/**
 * Refuses (UsageError) a directory that is a file, or that is not empty and holds no embedded
 * database: someone's data, never to be turned into a database.
 */
export function checkEmbeddedDirectory(dir: string): void {
  checkDirectory(dir, resolve(dir));
}

function checkDirectory(dir: string, dataDir: string): void {
  if (!existsSync(dataDir)) return;
  if (!statSync(dataDir).isDirectory()) {
    throw new UsageError(`the embedded database directory ${dir} is a file; set --embedded-dir or AETURNIS_EMBEDDED_DIR to a directory`);
  }
  if (embeddedDatabaseExists(dataDir)) return;
  const entries = readdirSync(dataDir);
  // Empty, or an unfinished creation of ours (redone from scratch): anything else is someone's data.
  const unfinished = existsSync(creatingMarkerOf(dataDir)) || entries.includes(CREATING_DIR);
  if (entries.length > 0 && !unfinished) {
    throw new UsageError(
      `${dir} is not empty and holds no embedded database; set --embedded-dir or AETURNIS_EMBEDDED_DIR to a new or empty directory`,
    );
  }
}

/**
 * The extensions whose code to load, and only those (each one loaded costs start-up time):
 * those installed by earlier runs (the manifest the worker writes at each stop), and those the
 * migrations and seeds create.
 */
function extensionsToLoad(dataDir: string, sqlDirs: string[]): string[] {
  const names = new Set<string>();
  try {
    const installed = JSON.parse(readFileSync(join(dataDir, EXTENSIONS_MANIFEST), 'utf8')) as unknown;
    if (Array.isArray(installed)) for (const name of installed) if (typeof name === 'string') names.add(name);
  } catch {
    // No manifest yet (new database, or its last run was killed): the scan below still applies.
  }
  for (const sqlDir of sqlDirs) {
    let files: string[];
    try {
      files = readdirSync(sqlDir).filter((name) => name.toLowerCase().endsWith('.sql'));
    } catch {
      continue; // the command reports a missing migrations directory itself
    }
    for (const file of files) {
      let text: string;
      try {
        text = readFileSync(join(sqlDir, file), 'utf8');
      } catch {
        continue;
      }
      for (const match of text.matchAll(CREATE_EXTENSION)) {
        const name = match[1] === '"' ? (match[2] ?? '') : (match[2] ?? '').toLowerCase();
        names.add(name);
      }
    }
  }
  return [...names].filter((name) => AVAILABLE_EXTENSIONS.has(name)).sort();
}

function waitForReady(worker: Worker, signal: AbortSignal | undefined): Promise<{ port: number; created: boolean; startMs: number }> {
  return new Promise((resolvePromise, reject) => {
    const onAbort = () => reject(new InterruptedError(signal ? signalOf(signal) : 'SIGINT'));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        done();
        resolvePromise(message);
      } else if (message.type === 'failed') {
        done();
        reject(new Error(message.message));
      }
    });
    worker.once('error', (error) => {
      done();
      reject(error);
    });
    worker.once('exit', (code) => {
      done();
      reject(new Error(`the database thread stopped while starting (exit code ${code})`));
    });
  });
}

function runningDatabase(
  worker: Worker,
  lock: EmbeddedDirLock,
  ready: { port: number; created: boolean; startMs: number },
): EmbeddedDatabase {
  let exited = false;
  worker.once('exit', () => {
    exited = true;
  });
  // An error in the database thread ends it; the client's next query fails and says so.
  worker.on('error', () => {});
  let interruptTimer: NodeJS.Timeout | undefined;
  let stopping: Promise<void> | undefined;

  const stopWorker = async (): Promise<void> => {
    if (exited) return;
    const stopped = new Promise<boolean>((resolvePromise) => {
      const timer = setTimeout(() => resolvePromise(false), STOP_TIMEOUT_MS);
      const finish = (value: boolean) => {
        clearTimeout(timer);
        resolvePromise(value);
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'stopped') finish(true);
      });
      worker.once('exit', () => finish(true));
    });
    worker.postMessage({ type: 'stop' } satisfies ToWorker);
    if (await stopped) {
      // Closed cleanly: the data files are closed. Tearing the thread down (its WebAssembly
      // memory) takes 30-120 ms more and protects nothing: it goes on while we release the lock.
      void worker.terminate();
      return;
    }
    // Stuck: nothing of the thread may outlive the command.
    await worker.terminate();
  };

  return {
    url: `postgres://postgres@127.0.0.1:${ready.port}/postgres?sslmode=disable`,
    created: ready.created,
    startMs: ready.startMs,
    interrupt() {
      if (interruptTimer || stopping) return;
      interruptTimer = setTimeout(() => void worker.terminate(), INTERRUPT_GRACE_MS);
      interruptTimer.unref();
    },
    stop() {
      stopping ??= (async () => {
        if (interruptTimer) clearTimeout(interruptTimer);
        try {
          await stopWorker();
        } finally {
          await lock.release();
        }
      })();
      return stopping;
    },
  };
}

function lostLockError(dir: string, error: Error): ConnectionError {
  return new ConnectionError(`lost the lock on the embedded database ${dir} (${error.message}); stopped it to protect the data`);
}
