import { currentEnvironment, environmentVariable, isDevelopmentEnvironment } from '../environment.js';
import { UsageError } from '../errors.js';
import { LIBPQ_VARIABLES as SUPPORTED_LIBPQ_VARIABLES, REFUSED_LIBPQ_VARIABLES } from '../settings.js';
import {
  checkConnectionUrl,
  pgConnectionString,
  queryParameters,
  SSL_PARAMETERS,
  withoutParameters,
  type PgConnectionString,
} from './url.js';

/**
 * A server to connect to, with every setting read and checked once: the rest (connect.ts, the
 * session, messages) only consumes it.
 */
export type ServerConnection = ServerSettings &
  // The URL as given; undefined: the libpq variables, which pg reads itself (PGHOST, PGUSER, ...).
  ({ kind: 'url'; url: string } | { kind: 'libpq'; url: undefined });

/** What every server connection has resolved, however it was given. */
interface ServerSettings {
  /** Where the settings came from: `--database-url`, `DATABASE_URL`, `PG* environment variables`, `embedded`, ... */
  source: string;
  /** Where we connect, password-free, for log lines. */
  description: string;
  /** What pg gets from the URL: the parameters read here taken out, search_path in its startup options. */
  pg: PgConnectionString | undefined;
  tls: SslSettings;
  /** The TLS uses to try, in order (libpq's sslmode fallbacks, see {@link tlsAttempts}). */
  tlsUses: TlsUse[];
  /** Set on every connection (visible in pg_stat_activity). */
  applicationName: string;
  /** Keep retrying an unreachable server for this many seconds (0: one attempt). */
  waitSeconds: number;
}

/** The connection of a command: a server, or the embedded database (started when the session opens). */
export type ResolvedConnection = ServerConnection | { kind: 'embedded'; source: 'embedded' };

const APPLICATION_NAME = 'aeturnis-db';
const DEFAULT_WAIT_SECONDS = 30;

/** The libpq variables that say where to connect (settings.ts lists them); pg reads the first five itself. */
const LIBPQ_VARIABLES = [...SUPPORTED_LIBPQ_VARIABLES, ...REFUSED_LIBPQ_VARIABLES] as const;

/** libpq variables pg does not read: honouring them silently would connect somewhere else. */
const UNSUPPORTED_LIBPQ_VARIABLES = new Set<string>(REFUSED_LIBPQ_VARIABLES);

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves the connection in the documented order: `--database-url`, `DATABASE_URL`, the libpq
 * `PG*` variables, else the embedded database. The one place that decides it, so every command
 * refuses the same way (UsageError, exit 2) when a setting is set but empty (a CI secret that
 * did not expand must not fall through to the next source or to the embedded database), when
 * nothing is configured outside a development environment, and when a URL is malformed (the
 * message never shows the password) or has a query parameter or TLS setting aeturnis-db would
 * not honour. Pure: the environment is passed in.
 */
export function resolveConnection(flagUrl: string | undefined, env: Env, waitSeconds = DEFAULT_WAIT_SECONDS): ResolvedConnection {
  if (flagUrl !== undefined) return givenUrl(flagUrl, '--database-url', env, waitSeconds);
  if (env.DATABASE_URL !== undefined) return givenUrl(env.DATABASE_URL, 'DATABASE_URL', env, waitSeconds);
  const libpq = LIBPQ_VARIABLES.filter((name) => env[name] !== undefined);
  if (libpq.length > 0) return libpqConnection(libpq, env, waitSeconds);
  const environment = currentEnvironment(env);
  if (!isDevelopmentEnvironment(environment)) {
    throw new UsageError(
      `no database configured and ${environmentVariable(env)}=${environment} is not a development environment: set DATABASE_URL or pass --database-url (the embedded database is for development only)`,
    );
  }
  return { kind: 'embedded', source: 'embedded' };
}

function givenUrl(url: string, source: '--database-url' | 'DATABASE_URL', env: Env, waitSeconds: number): ServerConnection {
  if (url.trim() === '') throw setButEmpty(source);
  return urlConnection(url, source, env, waitSeconds);
}

/**
 * A connection to `url`, checked (its form, port, query parameters, TLS settings) with messages
 * naming `setting`. Also how the embedded database's URL and a fleet's target URLs are read. Pure.
 */
export function urlConnection(url: string, setting: string, env: Env, waitSeconds = DEFAULT_WAIT_SECONDS): ServerConnection {
  checkConnectionUrl(url, setting);
  const tls = sslSettings(url, env, setting, 'the connection URL');
  return {
    kind: 'url',
    source: setting,
    url,
    description: describeUrl(url, setting, env),
    pg: pgConnectionString(url, env),
    ...tlsOf(tls),
    applicationName: APPLICATION_NAME,
    waitSeconds,
  };
}

function libpqConnection(names: readonly string[], env: Env, waitSeconds: number): ServerConnection {
  const empty = names.find((name) => env[name]?.trim() === '');
  if (empty) throw setButEmpty(empty);
  const unsupported = names.find((name) => UNSUPPORTED_LIBPQ_VARIABLES.has(name));
  if (unsupported) {
    throw new UsageError(`${unsupported} is not supported (node-postgres does not read it): set PGHOST (or DATABASE_URL) instead`);
  }
  const tls = sslSettings(undefined, env);
  const description = `${env.PGHOST ?? 'localhost'}:${env.PGPORT ?? '5432'}/${env.PGDATABASE ?? env.PGUSER ?? ''} (from PG* environment variables)`;
  return {
    kind: 'libpq',
    source: 'PG* environment variables',
    url: undefined,
    description,
    pg: undefined,
    ...tlsOf(tls),
    applicationName: APPLICATION_NAME,
    waitSeconds,
  };
}

function tlsOf(tls: SslSettings): { tls: SslSettings; tlsUses: TlsUse[] } {
  const { first, fallback } = tlsAttempts(tls);
  return { tls, tlsUses: fallback ? [first, fallback] : [first] };
}

function setButEmpty(setting: string): UsageError {
  if (setting === '--database-url') return new UsageError('--database-url is set but empty: pass a postgres:// URL, or leave the flag out');
  return new UsageError(
    `${setting} is set but empty: give it a value or unset it (a CI secret that did not expand, or "${setting}=" in .env, sets it to "")`,
  );
}

/** host:port/database of a URL, password-free, for log lines. */
function describeUrl(url: string, source: string, env: Env): string {
  try {
    const u = new URL(url);
    const host = u.hostname || env.PGHOST || 'localhost';
    return `${decodeURIComponent(host)}:${u.port || '5432'}${u.pathname || '/'} (from ${source})`;
  } catch {
    return `(from ${source})`;
  }
}

/** libpq's sslmode values, then node-postgres' own `no-verify`. */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
type SslMode = (typeof SSL_MODES)[number];

/** A certificate or key file and the setting that named it (for messages). */
export interface SslFile {
  path: string;
  setting: string;
}

/** The TLS settings of a connection. */
export interface SslSettings {
  mode: SslMode;
  /** CA certificates to verify the server with (absent: Node's trusted roots). */
  rootCert?: SslFile;
  /** Client certificate and its key, for servers that authenticate clients by certificate. */
  cert?: SslFile;
  key?: SslFile;
  /** `direct`: TLS from the first byte, without PostgreSQL's SSLRequest (PostgreSQL 17+). */
  negotiation?: 'postgres' | 'direct';
}

/**
 * Reads the TLS settings libpq's way: the URL's `sslmode`, `sslrootcert`, `sslcert`, `sslkey`
 * win over PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY. node-postgres' `ssl=true|false|no-verify`
 * is accepted too. Without a mode: `disable`, or `verify-full` when a certificate file is named.
 * An unknown sslmode is a usage error naming the setting and the valid values; a certificate
 * file in the URL is named as in `fileUrlName` (read when connecting). Pure.
 */
export function sslSettings(url: string | undefined, env: Env, urlName = 'the connection URL', fileUrlName = urlName): SslSettings {
  const query = queryParameters(url);
  const setting = (parameter: string, variable: string, where = urlName): { value: string; name: string } | undefined => {
    const fromUrl = query.get(parameter);
    if (fromUrl !== undefined) return { value: fromUrl, name: `${parameter} in ${where}` };
    const fromEnv = env[variable];
    return fromEnv ? { value: fromEnv, name: variable } : undefined;
  };
  const file = (parameter: string, variable: string): SslFile | undefined => {
    const found = setting(parameter, variable, fileUrlName);
    return found && found.value !== '' && found.value !== 'system' ? { path: found.value, setting: found.name } : undefined;
  };
  const files = { rootCert: file('sslrootcert', 'PGSSLROOTCERT'), cert: file('sslcert', 'PGSSLCERT'), key: file('sslkey', 'PGSSLKEY') };
  const present = Object.fromEntries(Object.entries(files).filter(([, value]) => value !== undefined)) as Omit<SslSettings, 'mode'>;
  const given = sslModeOf(setting('sslmode', 'PGSSLMODE'), query.get('ssl'), urlName);
  const mode = given ?? (Object.keys(present).length > 0 ? 'verify-full' : 'disable');
  const negotiation = negotiationOf(setting('sslnegotiation', 'PGSSLNEGOTIATION'), mode);
  return { mode, ...present, ...(negotiation ? { negotiation } : {}) };
}

function negotiationOf(given: { value: string; name: string } | undefined, mode: SslMode): SslSettings['negotiation'] {
  if (!given) return undefined;
  if (given.value !== 'postgres' && given.value !== 'direct')
    throw new UsageError(`invalid ${given.name}: "${given.value}" (valid: postgres, direct)`);
  if (given.value === 'direct' && ['disable', 'allow', 'prefer'].includes(mode)) {
    throw new UsageError(`${given.name} is "direct", which needs sslmode require, verify-ca or verify-full (got ${mode})`);
  }
  return given.value;
}

function sslModeOf(given: { value: string; name: string } | undefined, sslFlag: string | undefined, urlName: string): SslMode | undefined {
  if (given) {
    const mode = SSL_MODES.find((candidate) => candidate === given.value.toLowerCase());
    if (!mode) throw new UsageError(`invalid ${given.name}: "${given.value}" (valid: ${SSL_MODES.join(', ')})`);
    return mode;
  }
  if (sslFlag === undefined) return undefined;
  const flags: Record<string, SslMode> = {
    true: 'verify-full',
    '1': 'verify-full',
    false: 'disable',
    '0': 'disable',
    'no-verify': 'no-verify',
  };
  const mode = flags[sslFlag.toLowerCase()];
  if (!mode) throw new UsageError(`invalid ssl in ${urlName}: "${sslFlag}" (valid: true, false, no-verify; or use sslmode)`);
  return mode;
}

/** How a connection uses TLS: not at all, or with this much checking of the server's certificate. */
export type TlsUse = 'plain' | 'encrypt-only' | 'verify-ca' | 'verify-full';

/**
 * The connection attempts an sslmode means in libpq: `prefer` tries TLS and falls back to a
 * plain connection when the server has no TLS; `allow` tries plain and falls back to TLS when
 * the server refuses unencrypted connections; `require` encrypts without verifying the server
 * (verifying its CA when sslrootcert is given, as libpq does). Pure.
 */
export function tlsAttempts(settings: SslSettings): { first: TlsUse; fallback?: TlsUse } {
  switch (settings.mode) {
    case 'disable':
      return { first: 'plain' };
    case 'allow':
      return { first: 'plain', fallback: 'encrypt-only' };
    case 'prefer':
      return { first: 'encrypt-only', fallback: 'plain' };
    case 'require':
      return { first: settings.rootCert ? 'verify-ca' : 'encrypt-only' };
    case 'verify-ca':
      return { first: 'verify-ca' };
    case 'verify-full':
      return { first: 'verify-full' };
    case 'no-verify':
      return { first: 'encrypt-only' };
  }
}

/**
 * The URL without its TLS parameters: node-postgres would otherwise apply its own reading of
 * them (sslmode=require as verify-full, with a multi-line warning on stderr). Everything else
 * is kept byte for byte.
 */
export function withoutSslParameters(url: string): string {
  return withoutParameters(url, SSL_PARAMETERS);
}
