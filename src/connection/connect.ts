import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import pg from 'pg';
import { ConnectionError, InterruptedError, signalOf, UsageError } from '../errors.js';
import { isSqlState } from './pg-error.js';
import { maskPassword, sslSettings, tlsAttempts, type SslFile, type SslSettings, type TlsUse } from './settings.js';
import { pgConnectionString } from './url.js';

/** Application name set on every connection (visible in pg_stat_activity). */
const APPLICATION_NAME = 'aeturnis-db';

/** Options of {@link connectWithRetry}. */
export interface ConnectOptions {
  /** `undefined`: libpq environment variables (pg reads PGHOST, PGUSER, ... itself). */
  connectionString: string | undefined;
  /** Keep retrying unreachable servers for this many seconds (0: one attempt). */
  waitSeconds: number;
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

/** The TLS attempts of one connection string, with its certificate files read. */
interface TlsPlan {
  attempts: TlsUse[];
  files: SslFileContents;
  negotiation: SslSettings['negotiation'];
}

/** The TLS use that last worked per connection string (sslmode allow/prefer may fall back). */
const workingTls = new Map<string, TlsUse>();

function tlsPlan(connectionString: string | undefined): TlsPlan {
  const settings = sslSettings(connectionString, process.env);
  const { first, fallback } = tlsAttempts(settings);
  const attempts = fallback ? [first, fallback] : [first];
  const worked = workingTls.get(connectionString ?? '');
  return { attempts: worked ? [worked] : attempts, files: readSslFiles(settings), negotiation: settings.negotiation };
}

/**
 * Client configuration shared by every connection we open. TLS follows libpq's sslmode
 * (see {@link tlsAttempts}); a certificate file that cannot be read is a UsageError naming it.
 */
export function clientConfig(connectionString: string | undefined, connectTimeoutMs?: number): pg.ClientConfig {
  const plan = tlsPlan(connectionString);
  return configFor(connectionString, plan.attempts[0] ?? 'plain', plan, connectTimeoutMs);
}

function configFor(connectionString: string | undefined, use: TlsUse, plan: TlsPlan, connectTimeoutMs?: number): pg.ClientConfig {
  // pg must not read the TLS parameters itself (it would treat sslmode=require as verify-full),
  // and it would ignore search_path: that one becomes a startup option.
  const forPg = connectionString !== undefined ? pgConnectionString(connectionString, process.env) : undefined;
  return {
    ...(forPg ?? {}),
    ssl: sslOption(use, plan.files),
    ...(plan.negotiation && use !== 'plain' ? { sslnegotiation: plan.negotiation } : {}),
    application_name: APPLICATION_NAME,
    ...(connectTimeoutMs !== undefined ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
  };
}

/**
 * Opens one `pg` client, retrying unreachable or starting servers with exponential backoff and
 * jitter until `waitSeconds` run out. Authentication failures and unknown databases are not
 * retried. Every failure is a {@link ConnectionError} with a one-line reason (exit 4).
 */
export async function connectWithRetry(options: ConnectOptions): Promise<pg.Client> {
  const plan = tlsPlan(options.connectionString);
  const deadline = Date.now() + Math.max(0, options.waitSeconds) * 1000;
  let attempt = 1;
  let backoffMs = 250;
  for (;;) {
    // Aborted (SIGINT/SIGTERM) while waiting between attempts: do not connect once more.
    if (options.signal?.aborted) {
      throw new InterruptedError(signalOf(options.signal));
    }
    const msLeft = deadline - Date.now();
    try {
      return await connectOnce(options.connectionString, plan, Math.max(2000, Math.min(10_000, msLeft)));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const pgError = error as PgError;
      const reason = describeConnectError(pgError);
      if (!isRetryable(pgError)) throw new ConnectionError(`could not connect: ${reason}${hintFor(pgError)}`);
      const left = deadline - Date.now();
      if (left <= 0 || options.signal?.aborted) {
        const waited =
          options.waitSeconds > 0 ? ` (gave up after ${options.waitSeconds}s, ${attempt} attempts; raise --wait to wait longer)` : '';
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
async function connectOnce(connectionString: string | undefined, plan: TlsPlan, timeoutMs: number): Promise<pg.Client> {
  let lastError: unknown;
  for (const use of plan.attempts) {
    if (lastError !== undefined && !shouldFallBack(lastError as PgError)) break;
    const client = newClient(configFor(connectionString, use, plan, timeoutMs));
    try {
      await client.connect();
      if (plan.attempts.length > 1) workingTls.set(connectionString ?? '', use);
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
