import { UsageError } from '../errors.js';
import { maskPassword, maskUrl } from '../redact.js';

/**
 * A connection URL read exactly: the URL decides where the journal lives, so a query parameter
 * that would be ignored (libpq refuses those: "invalid URI query parameter") is a usage error,
 * and `search_path`, which dbmate documents, is honoured. Pure.
 */

const EXPECTED = 'expected postgres://user:password@host:5432/database';

/** Query parameters {@link sslSettings} reads; pg must not see them (see withoutSslParameters). */
export const SSL_PARAMETERS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'ssl', 'uselibpqcompat', 'sslnegotiation'];

/** What pg-connection-string and pg's ConnectionParameters take from a URL's query and use. */
const PG_PARAMETERS = ['host', 'port', 'user', 'password', 'options', 'application_name', 'fallback_application_name'];

/** pg's own (libpq has none of them): pg reads them with parseInt, so `5s` would mean 5 ms. */
const MILLISECOND_PARAMETERS = ['statement_timeout', 'lock_timeout', 'idle_in_transaction_session_timeout', 'query_timeout'];

/** libpq's URI parameters that pg reads but ignores (or, for replication, that no migration can run on). */
const LIBPQ_UNSUPPORTED = new Set([
  'hostaddr',
  'dbname',
  'passfile',
  'require_auth',
  'channel_binding',
  'connect_timeout',
  'client_encoding',
  'keepalives',
  'keepalives_idle',
  'keepalives_interval',
  'keepalives_count',
  'tcp_user_timeout',
  'replication',
  'gssencmode',
  'requiressl',
  'sslcompression',
  'sslpassword',
  'sslcertmode',
  'sslcrl',
  'sslcrldir',
  'sslsni',
  'requirepeer',
  'ssl_min_protocol_version',
  'ssl_max_protocol_version',
  'min_protocol_version',
  'max_protocol_version',
  'krbsrvname',
  'gsslib',
  'gssdelegation',
  'service',
  'target_session_attrs',
  'load_balance_hosts',
  'scram_client_key',
  'scram_server_key',
]);

/** Every query parameter aeturnis-db reads, for messages. */
const ACCEPTED_PARAMETERS = [...PG_PARAMETERS, ...MILLISECOND_PARAMETERS, 'search_path', ...SSL_PARAMETERS];

/**
 * Checks a connection URL before anything connects: its form, its port, and every query
 * parameter. A value that does not even start like a URL is never echoed (it may be a password
 * passed by mistake); a URL-shaped one is shown with its password hidden.
 */
export function checkConnectionUrl(url: string, setting: string): void {
  const looksLikeUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^postgres(?:ql)?:/i.test(url);
  if (!looksLikeUrl) {
    throw new UsageError(
      `${setting} is not a URL (expected postgres://user@host:5432/database); its value is not shown, as it may be a password`,
    );
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${setting} is not a valid URL: ${maskUrl(url)} (${EXPECTED})`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UsageError(`${setting} must start with postgres:// or postgresql:// (got ${parsed.protocol}//…): ${maskUrl(url)}`);
  }
  if (!/^postgres(?:ql)?:\/\//i.test(url.trim())) {
    // `postgres:/db` or `postgres:user@host` parse as URLs without a host part; libpq rejects them.
    throw new UsageError(`${setting} is not a valid URL: ${maskUrl(url)} (${EXPECTED})`);
  }
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) {
    throw new UsageError(`${setting} has an invalid port: ${maskUrl(url)}`);
  }
  checkQueryParameters(url, setting);
}

function checkQueryParameters(url: string, setting: string): void {
  for (const [name, value] of queryParameters(url)) {
    if (LIBPQ_UNSUPPORTED.has(name)) {
      const why = name === 'replication' ? 'migrations need an ordinary session' : 'node-postgres does not implement it';
      throw new UsageError(`${setting}: query parameter ${name} is a libpq setting aeturnis-db does not support (${why}); remove it`);
    }
    if (!ACCEPTED_PARAMETERS.includes(name)) {
      throw new UsageError(
        maskPassword(`${setting}: unknown query parameter "${name}" (aeturnis-db reads: ${ACCEPTED_PARAMETERS.join(', ')})`),
      );
    }
    if ((name === 'port' || MILLISECOND_PARAMETERS.includes(name)) && !/^\d+$/.test(value)) {
      const unit = name === 'port' ? 'a port number' : 'a whole number of milliseconds';
      throw new UsageError(`${setting}: query parameter ${name} must be ${unit} (got "${value}")`);
    }
  }
}

/** What pg gets for a URL: the URL without the parameters we read ourselves, and its startup `options`. */
export interface PgConnectionString {
  connectionString: string;
  /** pg's `options` (libpq's command-line options for the server); absent: pg reads PGOPTIONS itself. */
  options?: string;
}

/**
 * Maps a URL to what pg needs: the TLS parameters are removed (we apply libpq's sslmode
 * ourselves), and `search_path=...` becomes `-c search_path=...` in the startup options, after
 * the URL's `options` (else PGOPTIONS), so the session starts with that search_path as with
 * dbmate (whose driver, lib/pq, sends it as a startup parameter). Pure.
 */
export function pgConnectionString(url: string, env: Readonly<Record<string, string | undefined>>): PgConnectionString {
  const parameters = queryParameters(url);
  const searchPath = parameters.get('search_path');
  const urlOptions = parameters.get('options');
  const connectionString = withoutParameters(url, [...SSL_PARAMETERS, 'search_path', 'options']);
  const base = urlOptions ?? (env.PGOPTIONS || undefined);
  if (searchPath === undefined) return urlOptions === undefined ? { connectionString } : { connectionString, options: urlOptions };
  const setting = `-c search_path=${escapeOption(searchPath)}`;
  return { connectionString, options: base?.trim() ? `${base} ${setting}` : setting };
}

/** libpq's options split on white space; a backslash keeps the next character (space or backslash). */
export function escapeOption(value: string): string {
  return value.replace(/[\\\s]/g, (character) => `\\${character}`);
}

/**
 * The URL without the named query parameters; everything else is kept byte for byte.
 */
export function withoutParameters(url: string, names: readonly string[]): string {
  const [base, query] = splitQuery(url);
  if (query === undefined) return url;
  const kept = query.split('&').filter((pair) => pair !== '' && !names.includes(parameterName(pair)));
  return kept.length > 0 ? `${base}?${kept.join('&')}` : base;
}

/** The URL's query parameters, decoded as pg-connection-string decodes them (`+` is a space). */
export function queryParameters(url: string | undefined): Map<string, string> {
  const parameters = new Map<string, string>();
  const query = url === undefined ? undefined : splitQuery(url)[1];
  for (const pair of query?.split('&') ?? []) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    parameters.set(parameterName(pair), decode(equals < 0 ? '' : pair.slice(equals + 1)));
  }
  return parameters;
}

function splitQuery(url: string): [string, string | undefined] {
  const withoutFragment = url.split('#')[0] ?? url;
  const mark = withoutFragment.indexOf('?');
  return mark < 0 ? [url, undefined] : [withoutFragment.slice(0, mark), withoutFragment.slice(mark + 1)];
}

function parameterName(pair: string): string {
  const equals = pair.indexOf('=');
  return decode(equals < 0 ? pair : pair.slice(0, equals));
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}
