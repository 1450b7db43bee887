import { migrationsDirSetting, seedsDirSetting } from '../settings.js';
import type { Writable } from 'node:stream';
import pg from 'pg';
import { ConnectionError } from '../errors.js';
import { clientConfig, connectWithRetry } from './connect.js';
import { resolveConnection, urlConnection, type ResolvedConnection, type ServerConnection } from './settings.js';

/** An existing connection handed in by a programmatic caller. */
export type ExternalConnection = pg.ClientBase | pg.Pool;

/** How to reach the database (a subset of every command's options). */
export interface SessionOptions {
  /** Connection URL; wins over DATABASE_URL and PG* variables. */
  databaseUrl?: string | undefined;
  /** An existing `pg` Client or Pool; wins over everything else. Not closed by us. */
  connection?: ExternalConnection | undefined;
  /** Environment to read DATABASE_URL / PG* / AETURNIS_* from (default: process.env). */
  env?: Readonly<Record<string, string | undefined>> | undefined;
  /** Retry an unreachable server for this many seconds (default 30). */
  waitSeconds?: number | undefined;
  /** Directory of the embedded database (default AETURNIS_EMBEDDED_DIR, then ./.aeturnis/db). */
  embeddedDir?: string | undefined;
  /** Bound the wait for another runner (for the embedded database: another process using its directory). */
  lockTimeoutSeconds?: number | undefined;
  /** Migrations directory; the embedded database scans it for CREATE EXTENSION to load that code. */
  dir?: string | undefined;
  signal?: AbortSignal | undefined;
}

/** Progress reported while connecting. */
export type SessionEvent =
  | { type: 'connecting'; target: string }
  | { type: 'embedded'; dir: string; creating: boolean }
  | { type: 'embedded-wait'; dir: string; holder: string; waitedMs: number }
  | { type: 'connect-retry'; attempt: number; reason: string; delayMs: number; secondsLeft: number };

/** One connection for a whole command's work, the cancel path, and the runner lock's own connection. */
export interface Session {
  client: pg.ClientBase;
  /** Our own server connection, PGlite's single session, or a connection an API caller handed in. */
  kind: 'server' | 'embedded' | 'external';
  /**
   * Opens the connection that holds the runner lock, apart from `client`, so that no SQL a
   * migration runs (pg_advisory_unlock_all(), DISCARD ALL) can release it. PGlite serves one
   * session, which holds the lock itself (its directory lock keeps every other process out).
   */
  openLockConnection(): Promise<LockConnection>;
  /** Cancels the statement running on `client` (from a second connection). */
  cancelRunningQuery(): Promise<void>;
  close(): Promise<void>;
}

/** Why a second connection is needed, for a failure to open it (a role's CONNECTION LIMIT of 1, say). */
const LOCK_CONNECTION_HINT =
  " (opening the runner lock's own connection: commands that change anything hold the lock on a second connection, so that no migration can release it; the role needs at least 2 connections)";

/** The connection holding the runner lock. */
export interface LockConnection {
  client: pg.ClientBase;
  /** Called once if the connection is lost while open (the lock went with it). */
  onLost(listener: (error: Error) => void): void;
  close(): Promise<void>;
}

/** What a session connects to: the resolved settings, or a connection a caller handed in. */
export type SessionConnection = ResolvedConnection | { kind: 'external'; connection: ExternalConnection };

/**
 * The session's connection from its options, resolved once (see resolveConnection): a UsageError
 * for a setting that is wrong.
 */
export function sessionConnection(options: SessionOptions): SessionConnection {
  if (options.connection) return { kind: 'external', connection: options.connection };
  return resolveConnection(options.databaseUrl, options.env ?? process.env, options.waitSeconds);
}

/**
 * Opens the command's single connection, `connection` (resolved from the options when not
 * given). `whileConnecting` (reading the migration files) runs while the server forks the
 * connection's backend, after the connection attempt has left; what it throws is thrown first,
 * as if it had run before connecting, and the attempt is dropped. For the embedded database it
 * runs before the database starts: a usage error must not leave a new database behind.
 */
export async function openSession(
  options: SessionOptions,
  onEvent: (event: SessionEvent) => void = () => {},
  whileConnecting: () => void = () => {},
  connection?: SessionConnection,
): Promise<Session> {
  let target: SessionConnection;
  try {
    target = connection ?? sessionConnection(options);
  } catch (error) {
    whileConnecting();
    throw error;
  }
  if (target.kind === 'external') {
    whileConnecting();
    return externalSession(target.connection);
  }
  if (target.kind === 'embedded') whileConnecting();
  const server: ServerHandle = target.kind === 'embedded' ? await startEmbeddedServer(options, onEvent) : { connection: target };
  if (target.kind !== 'embedded') onEvent({ type: 'connecting', target: target.description });
  let client: pg.Client;
  try {
    client = await connectAlongside(target.kind === 'embedded' ? () => {} : whileConnecting, (signal) =>
      connectWithRetry({
        server: server.connection,
        onRetry: (info) => onEvent({ type: 'connect-retry', ...info }),
        signal: options.signal ? AbortSignal.any([options.signal, signal]) : signal,
      }),
    );
  } catch (error) {
    await server.stop?.();
    throw error;
  }
  const processId = (client as unknown as { processID: number | null }).processID;
  const embedded = target.kind === 'embedded';
  return {
    client,
    kind: embedded ? 'embedded' : 'server',
    openLockConnection: async () =>
      embedded
        ? sameConnection(client)
        : ownConnection(
            await connectWithRetry({ server: server.connection, signal: options.signal }).catch((error: unknown) => {
              throw error instanceof ConnectionError ? new ConnectionError(`${error.message}${LOCK_CONNECTION_HINT}`) : error;
            }),
          ),
    // PGlite cannot cancel a statement: interrupting stops the embedded database instead.
    cancelRunningQuery: async () => (server.interrupt ? server.interrupt() : cancelBackend(server.connection, processId)),
    close: once(async () => {
      if (!server.stop) return endConnection(client);
      // The embedded server stops only once its one client has gone.
      await client.end().catch(() => {});
      await server.stop();
    }),
  };
}

/**
 * Ends our connection once its Terminate message has left the process. Waiting until the server
 * has closed its side as well (pg's end()) takes 3-10 ms more, of the backend exiting, and
 * protects nothing: our advisory lock was released explicitly, the session has nothing open,
 * and the server finishes the rest on its own (DROP DATABASE waits for such a backend).
 */
function endConnection(client: pg.Client): Promise<void> {
  const socket = (client as unknown as { connection?: { stream?: Writable } }).connection?.stream;
  const ended = client.end().catch(() => {});
  if (!socket || typeof socket.once !== 'function') return ended;
  const sent = new Promise<void>((resolve) => {
    socket.once('finish', () => resolve());
    socket.once('close', () => resolve());
  });
  return Promise.race([ended, sent]);
}

/**
 * Starts `connect`, runs `work` meanwhile; when `work` throws, the connection attempt is
 * aborted (and a connection it still makes is closed) and `work`'s error is thrown.
 */
async function connectAlongside(work: () => void, connect: (signal: AbortSignal) => Promise<pg.Client>): Promise<pg.Client> {
  const abandon = new AbortController();
  const connecting = connect(abandon.signal);
  // The socket's connect() is issued on the next tick (net does so even for an IP address).
  await new Promise<void>((resolve) => process.nextTick(resolve));
  try {
    work();
  } catch (error) {
    abandon.abort();
    void connecting.then(
      (client) => client.end().catch(() => {}),
      () => {},
    );
    throw error;
  }
  return connecting;
}

/** Where to connect, and how to stop and interrupt the server when it is ours (the embedded one). */
interface ServerHandle {
  connection: ServerConnection;
  stop?: () => Promise<void>;
  interrupt?: () => void;
}

/** The embedded server's own connection waits this long: the server is ours and already up. */
const EMBEDDED_WAIT_SECONDS = 5;

async function startEmbeddedServer(options: SessionOptions, onEvent: (event: SessionEvent) => void): Promise<ServerHandle> {
  const env = options.env ?? process.env;
  // Lazy: the embedded module (and the pglite it starts) loads only when it is used.
  const { embeddedDirOf, assertEmbeddedInstalled, embeddedDatabaseExists, startEmbedded } = await import('../embedded/database.js');
  assertEmbeddedInstalled();
  const dir = embeddedDirOf(options.embeddedDir, env);
  onEvent({ type: 'embedded', dir, creating: !embeddedDatabaseExists(dir) });
  const embedded = await startEmbedded(dir, {
    signal: options.signal,
    lockTimeoutSeconds: options.lockTimeoutSeconds,
    onWait: (holder, waitedMs) => onEvent({ type: 'embedded-wait', dir, holder, waitedMs }),
    sqlDirs: [migrationsDirSetting(options.dir, env), seedsDirSetting(undefined, env)],
  });
  return {
    connection: urlConnection(embedded.url, 'embedded', env, EMBEDDED_WAIT_SECONDS),
    stop: () => embedded.stop(),
    interrupt: () => embedded.interrupt(),
  };
}

/** Cancels the statement of backend `processId` from a second connection (best effort). */
async function cancelBackend(server: ServerConnection, processId: number | null): Promise<void> {
  if (processId === null) return;
  const canceller = new pg.Client(clientConfig(server, 5000));
  canceller.on('error', () => {});
  try {
    await canceller.connect();
    await canceller.query('SELECT pg_cancel_backend($1)', [processId]);
  } catch {
    // Best effort: if we cannot reach the server, closing our socket ends the session soon.
  } finally {
    await canceller.end().catch(() => {});
  }
}

function isPool(connection: ExternalConnection): connection is pg.Pool {
  return 'totalCount' in connection && 'idleCount' in connection;
}

async function externalSession(connection: ExternalConnection): Promise<Session> {
  let client: pg.ClientBase;
  let release: () => void = () => {};
  if (isPool(connection)) {
    try {
      const pooled = await connection.connect();
      client = pooled;
      release = () => pooled.release();
    } catch (error) {
      throw new ConnectionError(`could not connect through the given pool: ${(error as Error).message}`);
    }
  } else {
    client = connection;
  }
  return {
    client,
    kind: 'external',
    // Another connection like the caller's: a Pool's settings, or the Client's own parameters.
    openLockConnection: async () => {
      const config = isPool(connection) ? connection.options : callerClientConfig(client);
      const lockClient = new pg.Client(config);
      try {
        await lockClient.connect();
      } catch (error) {
        await lockClient.end().catch(() => {});
        throw new ConnectionError(`could not open the runner lock's own connection like the given one: ${(error as Error).message}`);
      }
      return ownConnection(lockClient);
    },
    async cancelRunningQuery() {},
    async close() {
      release();
    },
  };
}

/** A connection of ours holding the lock: closed with the command; its loss is reported once. */
function ownConnection(client: pg.Client): LockConnection {
  let closing = false;
  const listeners: ((error: Error) => void)[] = [];
  const lost = (error: Error): void => {
    if (closing) return;
    closing = true;
    for (const listener of listeners) listener(error);
  };
  client.on('error', lost);
  client.on('end', () => lost(new Error('the connection ended')));
  return {
    client,
    onLost: (listener) => listeners.push(listener),
    async close() {
      closing = true;
      await endConnection(client);
    },
  };
}

/** PGlite's one session: the lock is held where the work runs, and closed with it. */
function sameConnection(client: pg.ClientBase): LockConnection {
  return { client, onLost: () => {}, close: async () => {} };
}

/** The parameters a caller's pg.Client connected with, for a second connection like it. */
function callerClientConfig(client: pg.ClientBase): pg.ClientConfig {
  const known = client as pg.ClientBase & { connectionParameters?: pg.ClientConfig; password?: pg.ClientConfig['password'] };
  return { ...known.connectionParameters, password: known.password ?? known.connectionParameters?.password };
}

/** `close` may be called twice (the runner lock's connection was lost, then the command ends): the second call waits for the first. */
function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= close();
    return closing;
  };
}
