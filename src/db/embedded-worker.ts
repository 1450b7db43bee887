/**
 * Worker thread that runs the embedded database: PGlite (PostgreSQL compiled to WASM) on the
 * data directory, served over the PostgreSQL wire protocol by pglite-socket on 127.0.0.1 with
 * an OS-chosen port, so the CLI's ordinary `pg` code path talks to it.
 *
 * Why a worker: PGlite executes a statement synchronously, blocking its thread for as long as
 * the statement runs. In a worker, the main thread stays free to refresh the directory lock,
 * react to SIGINT/SIGTERM, and stop the database by terminating the worker if need be.
 *
 * Started by embedded.ts only; never imported elsewhere (it loads the big pglite module).
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Extension, Extensions } from '@electric-sql/pglite';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { EmbeddedWorkerData, FromWorker, ToWorker } from './embedded-protocol.js';
import { CREATING_DIR, EXTENSIONS_MANIFEST } from './embedded-protocol.js';

const input = workerData as EmbeddedWorkerData;
const port = parentPort;
if (!port) throw new Error('embedded-worker must run as a worker thread');

let db: PGlite | undefined;
let server: PGLiteSocketServer | undefined;

function send(message: FromWorker): void {
  port?.postMessage(message);
}

async function loadExtensions(names: string[]): Promise<Extensions> {
  const extensions: Extensions = {};
  for (const name of names) {
    // Module and export names use '_' where the SQL name has '-' (uuid-ossp -> uuid_ossp).
    const moduleName = name.replace(/-/g, '_');
    const loaded = (await import(`@electric-sql/pglite/contrib/${moduleName}`)) as Record<string, Extension | undefined>;
    const extension = loaded[moduleName];
    if (extension) extensions[moduleName] = extension;
  }
  return extensions;
}

/**
 * Creates a new database so that a run killed meanwhile leaves nothing a later run could
 * mistake for a database: initdb runs into a scratch directory inside the data directory (the
 * same file system, even when the data directory is a mounted volume), whose files are then
 * moved up, PG_VERSION last, since PG_VERSION is what marks a database as present. The
 * caller checked the data directory is empty or holds only such an unfinished creation.
 */
async function createDatabase(dataDir: string, extensions: Extensions): Promise<void> {
  mkdirSync(dataDir, { recursive: true });
  for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
  const scratch = join(dataDir, CREATING_DIR);
  const fresh = await PGlite.create({ dataDir: scratch, extensions });
  await fresh.close();
  for (const entry of readdirSync(scratch)) {
    if (entry !== 'PG_VERSION') renameSync(join(scratch, entry), join(dataDir, entry));
  }
  renameSync(join(scratch, 'PG_VERSION'), join(dataDir, 'PG_VERSION'));
  rmdirSync(scratch);
}

async function start(): Promise<void> {
  const started = performance.now();
  const extensions = await loadExtensions(input.extensions);
  const created = !existsSync(join(input.dataDir, 'PG_VERSION'));
  if (created) await createDatabase(input.dataDir, extensions);
  else rmSync(join(input.dataDir, CREATING_DIR), { recursive: true, force: true }); // killed just before its cleanup
  db = await PGlite.create({ dataDir: input.dataDir, extensions });
  // One client connection at a time (the default): PGlite has a single session, and a second
  // connection would silently share it (its transaction, its advisory locks).
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  const address = server.getServerConn();
  const listening = Number(address.slice(address.lastIndexOf(':') + 1));
  send({ type: 'ready', port: listening, created, startMs: Math.round(performance.now() - started) });
}

/** Remembers the installed extensions, so the next start loads their code before opening. */
async function writeManifest(database: PGlite): Promise<void> {
  try {
    const { rows } = await database.query<{ extname: string }>('SELECT extname FROM pg_catalog.pg_extension ORDER BY 1');
    const names = rows.map((row) => row.extname).filter((name) => name !== 'plpgsql');
    writeFileSync(join(input.dataDir, EXTENSIONS_MANIFEST), `${JSON.stringify(names)}\n`);
  } catch {
    // Best effort: without it the migrations are still scanned for CREATE EXTENSION.
  }
}

async function stop(): Promise<void> {
  try {
    await server?.stop();
    if (db && !db.closed) {
      await writeManifest(db);
      await db.close();
    }
  } finally {
    send({ type: 'stopped' });
    port?.close();
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'stop') void stop();
});

start().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
});
