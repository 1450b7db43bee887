/** Messages between database.ts (main thread) and embedded-worker.ts (the database thread). */

/** What the worker is started with. */
export interface EmbeddedWorkerData {
  /** Absolute path of the data directory (created, atomically, when it holds no database). */
  dataDir: string;
  /** SQL names of the PGlite contrib extensions to load (their code must be loaded before opening). */
  extensions: string[];
}

/** Main thread to worker. */
export type ToWorker = { type: 'stop' };

/** Worker to main thread. */
export type FromWorker =
  | { type: 'ready'; port: number; created: boolean; startMs: number }
  | { type: 'failed'; message: string }
  | { type: 'stopped' };

/** File in the data directory listing the extensions installed there (written at each stop). */
export const EXTENSIONS_MANIFEST = 'aeturnis-extensions.json';

/**
 * Scratch directory, inside the data directory, where earlier versions created a new database
 * (found only in a directory such a version was interrupted in).
 */
export const CREATING_DIR = '.aeturnis-creating';

/**
 * The marker, next to the data directory, that exists while a new database is created in it.
 */
export function creatingMarkerOf(dataDir: string): string {
  return `${dataDir}.creating`;
}
