import { currentEnvironment, environmentVariable, isDevelopmentEnvironment } from '../environment.js';
import { UsageError } from '../errors.js';
import { maskPassword } from '../redact.js';
import { LIBPQ_VARIABLES as SUPPORTED_LIBPQ_VARIABLES, REFUSED_LIBPQ_VARIABLES } from '../settings.js';
import { checkConnectionUrl, queryParameters, SSL_PARAMETERS, withoutParameters } from './url.js';

export { maskPassword };

/** Where the connection settings came from (named in messages). */
export type ConnectionSource = '--database-url' | 'DATABASE_URL' | 'PG* environment variables' | 'embedded';

/** The resolved connection target. */
export type ConnectionTarget =
  | { kind: 'url'; url: string; source: '--database-url' | 'DATABASE_URL' }
  | { kind: 'libpq'; source: 'PG* environment variables' }
  | { kind: 'embedded'; source: 'embedded' };

/** The libpq variables that say where to connect (settings.ts lists them); pg reads the first five itself. */
const LIBPQ_VARIABLES = [...SUPPORTED_LIBPQ_VARIABLES, ...REFUSED_LIBPQ_VARIABLES] as const;

/** libpq variables pg does not read: honouring them silently would connect somewhere else. */
const UNSUPPORTED_LIBPQ_VARIABLES = new Set<string>(REFUSED_LIBPQ_VARIABLES);

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Picks the connection in the documented order: `--database-url`, `DATABASE_URL`, the libpq
 * `PG*` variables, else the embedded database. The one place that decides it, so every command
 * refuses the same way (UsageError, exit 2) when a setting is set but empty (a CI secret that
 * did not expand must not fall through to the next source or to the embedded database), when
 * nothing is configured outside a development environment, and when a URL is malformed (the
 * message never shows the password) or has a query parameter aeturnis-db would not honour.
 * Pure: the environment is passed in.
 */
export function resolveConnectionTarget(flagUrl: string | undefined, env: Env): ConnectionTarget {
  if (flagUrl !== undefined) return urlTarget(flagUrl, '--database-url', env);
  if (env.DATABASE_URL !== undefined) return urlTarget(env.DATABASE_URL, 'DATABASE_URL', env);
  const libpq = LIBPQ_VARIABLES.filter((name) => env[name] !== undefined);
  if (libpq.length > 0) return libpqTarget(libpq, env);
  const environment = currentEnvironment(env);
  if (!isDevelopmentEnvironment(environment)) {
    throw new UsageError(
      `no database configured and ${environmentVariable(env)}=${environment} is not a development environment: set DATABASE_URL or pass --database-url (the embedded database is for development only)`,
    );
  }
  return { kind: 'embedded', source: 'embedded' };
}

function urlTarget(url: string, source: '--database-url' | 'DATABASE_URL', env: Env): ConnectionTarget {
  if (url.trim() === '') throw setButEmpty(source);
  checkConnectionUrl(url, source);
  sslSettings(url, env, source); // validates sslmode before anything connects
  return { kind: 'url', url, source };
}

function libpqTarget(names: readonly string[], env: Env): ConnectionTarget {
  const empty = names.find((name) => env[name]?.trim() === '');
  if (empty) throw setButEmpty(empty);
  const unsupported = names.find((name) => UNSUPPORTED_LIBPQ_VARIABLES.has(name));
  if (unsupported) {
    throw new UsageError(`${unsupported} is not supported (node-postgres does not read it): set PGHOST (or DATABASE_URL) instead`);
  }
  sslSettings(undefined, env); // validates PGSSLMODE before anything connects
  return { kind: 'libpq', source: 'PG* environment variables' };
}

function setButEmpty(setting: string): UsageError {
  if (setting === '--database-url') return new UsageError('--database-url is set but empty: pass a postgres:// URL, or leave the flag out');
  return new UsageError(
    `${setting} is set but empty: give it a value or unset it (a CI secret that did not expand, or "${setting}=" in .env, sets it to "")`,
  );
}

/**
 * A short, password-free description of where we connect, for log lines.
 */
export function describeTarget(target: ConnectionTarget, env: Readonly<Record<string, string | undefined>>): string {
  if (target.kind === 'url') {
    try {
      const u = new URL(target.url);
      const host = u.hostname || env.PGHOST || 'localhost';
      return `${decodeURIComponent(host)}:${u.port || '5432'}${u.pathname || '/'} (from ${target.source})`;
    } catch {
      return `(from ${target.source})`;
    }
  }
  if (target.kind === 'libpq') {
    return `${env.PGHOST ?? 'localhost'}:${env.PGPORT ?? '5432'}/${env.PGDATABASE ?? env.PGUSER ?? ''} (from PG* environment variables)`;
  }
  return 'embedded database';
}

/** libpq's sslmode values, then node-postgres' own `no-verify`. */
const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'] as const;
export type SslMode = (typeof SSL_MODES)[number];

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
 * An unknown sslmode is a usage error naming the setting and the valid values. Pure.
 */
export function sslSettings(
  url: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  urlName = 'the connection URL',
): SslSettings {
  const query = queryParameters(url);
  const setting = (parameter: string, variable: string): { value: string; name: string } | undefined => {
    const fromUrl = query.get(parameter);
    if (fromUrl !== undefined) return { value: fromUrl, name: `${parameter} in ${urlName}` };
    const fromEnv = env[variable];
    return fromEnv ? { value: fromEnv, name: variable } : undefined;
  };
  const file = (parameter: string, variable: string): SslFile | undefined => {
    const found = setting(parameter, variable);
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
