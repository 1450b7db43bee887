/**
 * Worker thread that runs the embedded database: PGlite (PostgreSQL compiled to WASM) on the
 * data directory, served over the PostgreSQL wire protocol by pglite-socket on 127.0.0.1 with
 * an OS-chosen port, so the CLI's ordinary `pg` code path talks to it.
 *
 * Why a worker: PGlite executes a statement synchronously, blocking its thread for as long as
 * the statement runs. In a worker, the main thread stays free to refresh the directory lock,
 * react to SIGINT/SIGTERM, and stop the database by terminating the worker if need be.
 *
 * Started by database.ts only; never imported elsewhere (it loads the big pglite module).
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { Extension, Extensions } from '@electric-sql/pglite';
import { MemoryFS, PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { EmbeddedWorkerData, FromWorker, ToWorker } from './protocol.js';
import { CREATING_DIR, creatingMarkerOf, EXTENSIONS_MANIFEST } from './protocol.js';

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

/** Where PostgreSQL, inside PGlite, sees its data directory. */
const PGDATA = '/pglite/data';

/**
 * PostgreSQL settings on top of PGlite's own. shared_buffers: PGlite keeps PostgreSQL's default
 * of 128 MB, which it allocates and clears at every start; 16 MB (a development database, with
 * the operating system's file cache underneath) starts ~100 ms faster and halves the memory.
 */
const SETTINGS = ['shared_buffers=16MB'];

type EmscriptenOptions = Parameters<MemoryFS['init']>[1];

/**
 * The data directory on disk, mounted as PGlite's NodeFS mounts it (Emscripten's NODEFS), but a
 * MemoryFS to PGlite. That is what it checks when it creates a database: a MemoryFS gets initdb's
 * files written straight into it, any other file system gets them written in memory, packed as a
 * tar and unpacked onto the disk (1-2 s of the first start). Opening an existing database is
 * the same either way.
 */
class DataDirFs extends MemoryFS {
  constructor(private readonly hostDir: string) {
    super();
  }

  override async init(pg: PGlite, options: EmscriptenOptions): Promise<{ emscriptenOpts: EmscriptenOptions }> {
    const { emscriptenOpts } = await super.init(pg, options);
    const mount: NonNullable<EmscriptenOptions['preRun']>[number] = (mod) => {
      mod.FS.mkdirTree(PGDATA);
      mod.FS.mount(mod.FS.filesystems.NODEFS, { root: this.hostDir }, PGDATA);
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), mount] } };
  }
}

/** Starts PGlite on the data directory: its one start, whether it creates the database or not. */
function openDatabase(dataDir: string, extensions: Extensions): Promise<PGlite> {
  return PGlite.create({
    fs: new DataDirFs(dataDir),
    extensions,
    startParams: [...PGlite.defaultStartParams, ...SETTINGS.flatMap((s) => ['-c', s])],
  });
}

/**
 * Creates a new database in place, so that a run killed meanwhile leaves nothing a later run
 * could mistake for a database: a marker next to the data directory exists from before the
 * first file is written until the database has started; a later run finding it starts over
 * (see embeddedDatabaseExists). The caller checked the data directory is empty or holds only
 * such an unfinished creation.
 */
async function createDatabase(dataDir: string, extensions: Extensions): Promise<PGlite> {
  const marker = creatingMarkerOf(dataDir);
  writeFileSync(
    marker,
    'aeturnis-db is creating the embedded database next to this file. If no aeturnis-db runs, that was interrupted: the next run starts it over.\n',
  );
  mkdirSync(dataDir, { recursive: true });
  for (const entry of readdirSync(dataDir)) rmSync(join(dataDir, entry), { recursive: true, force: true });
  const database = await openDatabase(dataDir, extensions);
  rmSync(marker, { force: true });
  return database;
}

async function start(): Promise<void> {
  const started = performance.now();
  const extensions = await loadExtensions(input.extensions);
  const created = !existsSync(join(input.dataDir, 'PG_VERSION')) || existsSync(creatingMarkerOf(input.dataDir));
  if (created) {
    db = await createDatabase(input.dataDir, extensions);
  } else {
    rmSync(join(input.dataDir, CREATING_DIR), { recursive: true, force: true }); // an earlier version's scratch directory
    db = await openDatabase(input.dataDir, extensions);
  }
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
