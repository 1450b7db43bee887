import pg from 'pg';
import { ConnectionError, InterruptedError } from '../errors.js';
import { maskPassword } from './connection-config.js';

/** Application name set on every connection (visible in pg_stat_activity). */
export const APPLICATION_NAME = 'aeturnis-db';

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

/** Client configuration shared by every connection we open. */
export function clientConfig(connectionString: string | undefined, connectTimeoutMs?: number): pg.ClientConfig {
  return {
    ...(connectionString !== undefined ? { connectionString } : {}),
    application_name: APPLICATION_NAME,
    ...(connectTimeoutMs !== undefined ? { connectionTimeoutMillis: connectTimeoutMs } : {}),
  };
}

/**
 * Opens one `pg` client, retrying unreachable or starting servers with exponential backoff and
 * jitter until `waitSeconds` run out. Authentication failures and unknown databases are not
 * retried. Every failure is a {@link ConnectionError} with a one-line reason (exit 4).
 *
 * @example
 * const client = await connectWithRetry({ connectionString: process.env.DATABASE_URL, waitSeconds: 30 });
 */
export async function connectWithRetry(options: ConnectOptions): Promise<pg.Client> {
  const deadline = Date.now() + Math.max(0, options.waitSeconds) * 1000;
  let attempt = 1;
  let backoffMs = 250;
  for (;;) {
    // Aborted (SIGINT/SIGTERM) while waiting between attempts: do not connect once more.
    if (options.signal?.aborted) {
      const reason: unknown = options.signal.reason;
      throw new InterruptedError(typeof reason === 'string' && reason.startsWith('SIG') ? (reason as NodeJS.Signals) : 'SIGINT');
    }
    const msLeft = deadline - Date.now();
    const client = new pg.Client(clientConfig(options.connectionString, Math.max(2000, Math.min(10_000, msLeft))));
    // An error event after connect (server went away) must not crash the process: the next
    // query fails ("not queryable"), and connectionErrorOf() gives the reason for the message.
    client.on('error', (error: Error) => {
      if (!connectionErrors.has(client)) connectionErrors.set(client, error);
    });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      const pgError = error as PgError;
      const reason = describeConnectError(pgError);
      if (!isRetryable(pgError)) throw new ConnectionError(`could not connect: ${reason}${hintFor(pgError)}`);
      const left = deadline - Date.now();
      if (left <= 0 || options.signal?.aborted) {
        const waited = options.waitSeconds > 0 ? ` (gave up after ${options.waitSeconds}s, ${attempt} attempts; raise --wait to wait longer)` : '';
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

function isRetryable(error: PgError): boolean {
  if (error.code && RETRYABLE_NETWORK_CODES.has(error.code)) return true;
  if (error.code && RETRYABLE_SQLSTATES.has(error.code)) return true;
  // pg reports a server closing the socket during startup / a connect timeout without a code.
  return /Connection terminated|timeout expired|ECONNRESET/i.test(error.message);
}

/** A one-line, password-free reason for a connection failure. */
export function describeConnectError(error: PgError): string {
  const code = error.code;
  const message = maskPassword(error.message.split('\n')[0] ?? String(error));
  if (code === 'ECONNREFUSED') return `connection refused (${message.replace(/^connect ECONNREFUSED\s*/, '') || 'server not listening'})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${error.hostname ?? message})`;
  if (code && /^[0-9A-Z]{5}$/.test(code)) return `${message} (SQLSTATE ${code})`;
  return message;
}

function hintFor(error: PgError): string {
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

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
