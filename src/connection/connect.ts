import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConnectionError, InterruptedError, signalOf, UsageError } from '../errors.js';
import { maskPassword } from '../redact.js';
import { isSqlState } from './pg-error.js';
import type { ServerConnection, SslFile, SslSettings, TlsUse } from './settings.js';

/** Options of {@link connectWithRetry}. */
export interface ConnectOptions {
  /** The server, resolved once per command (settings.ts). */
  server: ServerConnection;
  /** Called before each retry. */
  onRetry?: (info: { attempt: number; reason: string; delayMs: number; secondsLeft: number }) => void;
  /** Stop retrying when aborted. */
  signal?: AbortSignal | undefined;
}

const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);
const RETRYABLE_SQLSTATES = new Set([
  '57P03', // the database system is starting up
  '57P01', // admin shutdown (a restart in progress)
  '53300', // too many connections
]);

type PgError = Error & { code?: string; severity?: string; hostname?: string };

const connectionErrors = new WeakMap<object, Error>();

/**
 * The error that ended a connection opened by {@link connectWithRetry} while it sat idle (for
 * example FATAL 57P01 from pg_terminate_backend), if any: the query that finds the connection
 * dead only says "not queryable".
 */
export function connectionErrorOf(client: object): Error | undefined {
  return connectionErrors.get(client);
}

/** The TLS attempts of one connection, with its certificate files read. */
interface TlsPlan {
  attempts: TlsUse[];
  files: SslFileContents;
}

/** The TLS use that last worked per connection string (sslmode allow/prefer may fall back). */
const workingTls = new Map<string, TlsUse>();

/** The certificate files of a connection, read on its first connect (a command opens up to three). */
const certificateFiles = new WeakMap<ServerConnection, SslFileContents>();

function tlsPlan(server: ServerConnection): TlsPlan {
  let files = certificateFiles.get(server);
  if (!files) {
    files = readSslFiles(server.tls);
    certificateFiles.set(server, files);
  }
  const worked = workingTls.get(server.url ?? '');
  return { attempts: worked ? [worked] : server.tlsUses, files };
}

/**
 * A client configuration for `server` (the cancel path's). TLS follows libpq's sslmode (see
 * tlsAttempts in settings.ts); a certificate file that cannot be read is a UsageError naming it.
 */
export function clientConfig(server: ServerConnection, connectTimeoutMs?: number): pg.ClientConfig {
  const plan = tlsPlan(server);
  return configFor(server, plan.attempts[0] ?? 'plain', plan, connectTimeoutMs);
}

function configFor(server: ServerConnection, use: TlsUse, plan: TlsPlan, connectTimeoutMs?: number): pg.ClientConfig {
  // pg must not read the TLS parameters itself (it would treat sslmode=require as verify-full),
  // and it would ignore search_path: server.pg has them taken out (url.ts).
  const negotiation = server.tls.negotiation;
  return {
    ...(server.pg ?? {}),
    ssl: sslOption(use, plan.files),
    ...(negotiation && use !== 'plain' ? { sslnegotiation: negotiation } : {}),
    application_name: server.applicationName,
    ...(connectTimeoutMs !== undefined ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
  };
}

/**
 * Opens one `pg` client, retrying unreachable or starting servers with exponential backoff and
 * jitter until the server's `waitSeconds` run out. Authentication failures and unknown databases are not
 * retried. Every failure is a {@link ConnectionError} with a one-line reason (exit 4).
 */
export async function connectWithRetry(options: ConnectOptions): Promise<pg.Client> {
  const { server } = options;
  const plan = tlsPlan(server);
  const deadline = Date.now() + Math.max(0, server.waitSeconds) * 1000;
  let attempt = 1;
  let backoffMs = 250;
  for (;;) {
    // Aborted (SIGINT/SIGTERM) while waiting between attempts: do not connect once more.
    if (options.signal?.aborted) {
      throw new InterruptedError(signalOf(options.signal));
    }
    const msLeft = deadline - Date.now();
    try {
      return await connectOnce(server, plan, Math.max(2000, Math.min(10_000, msLeft)));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const pgError = error as PgError;
      const reason = describeConnectError(pgError);
      if (!isRetryable(pgError)) throw new ConnectionError(`could not connect: ${reason}${hintFor(pgError)}`);
      const left = deadline - Date.now();
      if (left <= 0 || options.signal?.aborted) {
        const waited =
          server.waitSeconds > 0 ? ` (gave up after ${server.waitSeconds}s, ${attempt} attempts; raise --wait to wait longer)` : '';
        throw new ConnectionError(`could not connect: ${reason}${waited}`);
      }
      const delayMs = Math.min(left, Math.round(backoffMs / 2 + Math.random() * (backoffMs / 2)));
      options.onRetry?.({ attempt, reason, delayMs, secondsLeft: Math.ceil(left / 1000) });
      await sleep(delayMs, options.signal);
      backoffMs = Math.min(backoffMs * 2, 5000);
      attempt++;
    }
  }
}

/** One connection attempt: TLS as the plan's first use, then its fallback when the server asks for it. */
async function connectOnce(server: ServerConnection, plan: TlsPlan, timeoutMs: number): Promise<pg.Client> {
  let lastError: unknown;
  for (const use of plan.attempts) {
    if (lastError !== undefined && !shouldFallBack(lastError as PgError)) break;
    const client = newClient(configFor(server, use, plan, timeoutMs));
    try {
      await client.connect();
      if (plan.attempts.length > 1) workingTls.set(server.url ?? '', use);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      lastError = error;
    }
  }
  throw lastError;
}

function newClient(config: pg.ClientConfig): pg.Client {
  let client: pg.Client;
  try {
    client = new pg.Client(config);
  } catch (error) {
    // pg validates some settings as it reads them (sslnegotiation, port): a usage error.
    throw new UsageError(`invalid connection settings: ${maskPassword((error as Error).message.split('\n')[0] ?? '')}`);
  }
  // An error event after connect (server went away) must not crash the process: the next
  // query fails ("not queryable"), and connectionErrorOf() gives the reason for the message.
  client.on('error', (error: Error) => {
    if (!connectionErrors.has(client)) connectionErrors.set(client, error);
  });
  return client;
}

function isRetryable(error: PgError): boolean {
  if (error.code && RETRYABLE_NETWORK_CODES.has(error.code)) return true;
  if (error.code && RETRYABLE_SQLSTATES.has(error.code)) return true;
  // pg reports a server closing the socket during startup / a connect timeout without a code.
  return /Connection terminated|timeout expired|ECONNRESET/i.test(error.message);
}

/** A one-line, password-free reason for a connection failure. */
function describeConnectError(error: PgError): string {
  const code = error.code;
  const message = maskPassword(error.message.split('\n')[0] ?? String(error));
  if (code === 'ECONNREFUSED') return `connection refused (${message.replace(/^connect ECONNREFUSED\s*/, '') || 'server not listening'})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${error.hostname ?? message})`;
  if (isSqlState(code)) return `${message} (SQLSTATE ${code})`;
  return message.replace(/[\s:]+$/, ''); // Node's altname message ends in "list: "
}

function hintFor(error: PgError): string {
  const tls = tlsHint(error);
  if (tls) return tls;
  switch (error.code) {
    case '28P01':
    case '28000':
      return ' — check the user and password in the connection URL or PGUSER/PGPASSWORD';
    case '3D000':
      return ' — create the database first (createdb) or fix its name in the connection URL or PGDATABASE';
    default:
      return '';
  }
}

/** The contents of the certificate files a connection names. */
interface SslFileContents {
  ca?: string;
  cert?: string;
  key?: string;
}

function readSslFiles(settings: SslSettings): SslFileContents {
  const read = (file: SslFile | undefined) => (file ? readSslFile(file) : undefined);
  const contents = { ca: read(settings.rootCert), cert: read(settings.cert), key: read(settings.key) };
  return Object.fromEntries(Object.entries(contents).filter(([, value]) => value !== undefined));
}

function readSslFile(file: SslFile): string {
  try {
    return readFileSync(file.path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const problem =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (code ?? 'unreadable');
    throw new UsageError(`${file.setting}: cannot read ${file.path} (${problem})`);
  }
}

/** pg's `ssl` option for one way of using TLS. */
function sslOption(use: TlsUse, files: SslFileContents): false | ConnectionOptions {
  const { ca, ...clientCertificate } = files;
  switch (use) {
    case 'plain':
      return false;
    case 'encrypt-only':
      return { ...clientCertificate, rejectUnauthorized: false };
    // rejectUnauthorized stated: NODE_TLS_REJECT_UNAUTHORIZED=0 must not silently turn verify-* off.
    case 'verify-ca':
      // The chain is checked against the CA; the host name is not (libpq's verify-ca).
      return { ...files, rejectUnauthorized: true, checkServerIdentity: () => undefined };
    case 'verify-full':
      return { ...files, rejectUnauthorized: true };
  }
}

/** libpq's fallbacks: prefer when the server has no TLS, allow when it refuses unencrypted connections. */
function shouldFallBack(error: PgError): boolean {
  if (/server does not support SSL/i.test(error.message)) return true;
  return error.code === '28000' && /no encryption/i.test(error.message);
}

const CERTIFICATE_ERROR = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)/;

function tlsHint(error: PgError): string {
  if (/server does not support SSL/i.test(error.message)) {
    return ' — the server has TLS off: sslmode=prefer falls back to an unencrypted connection, sslmode=disable never encrypts';
  }
  if (error.code === '28000' && /no encryption/i.test(error.message)) {
    return ' — the server accepts only encrypted connections here: use sslmode=require (or prefer, allow)';
  }
  if (error.code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return ' — connect by a host name the certificate lists, or use sslmode=verify-ca to check its CA only';
  }
  if (error.code && CERTIFICATE_ERROR.test(error.code)) {
    return ' — the server certificate could not be verified: name its CA with sslrootcert, or use sslmode=require to encrypt without verifying';
  }
  return '';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
