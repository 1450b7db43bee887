import { UsageError } from '../errors.js';

/** Where the connection settings came from (named in messages). */
export type ConnectionSource = '--database-url' | 'DATABASE_URL' | 'PG* environment variables' | 'embedded';

/** The resolved connection target. */
export type ConnectionTarget =
  | { kind: 'url'; url: string; source: '--database-url' | 'DATABASE_URL' }
  | { kind: 'libpq'; source: 'PG* environment variables' }
  | { kind: 'embedded'; source: 'embedded' };

const LIBPQ_VARIABLES = ['PGHOST', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGPASSWORD', 'PGHOSTADDR', 'PGSERVICE'] as const;

/**
 * Picks the connection in the documented order: `--database-url`, `DATABASE_URL`, the libpq
 * `PG*` variables, else the embedded database. Validates URLs (a malformed one is a usage
 * error whose message never shows the password). Pure: the environment is passed in.
 *
 * @example
 * resolveConnectionTarget(undefined, { DATABASE_URL: 'postgres://app@db/app' })
 * // { kind: 'url', url: 'postgres://app@db/app', source: 'DATABASE_URL' }
 */
export function resolveConnectionTarget(
  flagUrl: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): ConnectionTarget {
  if (flagUrl !== undefined) return { kind: 'url', url: checkUrl(flagUrl, '--database-url'), source: '--database-url' };
  const envUrl = env.DATABASE_URL;
  if (envUrl !== undefined && envUrl !== '') return { kind: 'url', url: checkUrl(envUrl, 'DATABASE_URL'), source: 'DATABASE_URL' };
  if (LIBPQ_VARIABLES.some((name) => (env[name] ?? '') !== '')) return { kind: 'libpq', source: 'PG* environment variables' };
  return { kind: 'embedded', source: 'embedded' };
}

function checkUrl(url: string, setting: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${setting} is not a valid URL: ${redactMalformedUrl(url)} (expected postgres://user:password@host:5432/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new UsageError(
      `${setting} must start with postgres:// or postgresql:// (got ${parsed.protocol}//…): ${redactMalformedUrl(url)}`,
    );
  }
  if (!/^postgres(?:ql)?:\/\//i.test(url.trim())) {
    // `postgres:/db` or `postgres:user@host` parse as URLs without a host part; libpq rejects them.
    throw new UsageError(`${setting} is not a valid URL: ${redactMalformedUrl(url)} (expected postgres://user:password@host:5432/database)`);
  }
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) {
    throw new UsageError(`${setting} has an invalid port: ${redactMalformedUrl(url)}`);
  }
  return url;
}

/** Like {@link maskPassword}, for text that did not parse as a URL (so the pattern may not
 * match): hides everything between the user's `:` and the last `@`. */
function redactMalformedUrl(url: string): string {
  const at = url.lastIndexOf('@');
  if (at < 0) return maskPassword(url);
  const userinfoStart = /^[a-z][a-z0-9+.-]*:\/*/i.exec(url)?.[0].length ?? 0;
  const colon = url.indexOf(':', userinfoStart);
  return colon >= 0 && colon < at ? `${url.slice(0, colon + 1)}*****${url.slice(at)}` : maskPassword(url);
}

/**
 * Hides the password of a connection URL (and of `password=` parameters) for display.
 *
 * @example
 * maskPassword('postgres://app:s3cret@db:5432/game') // 'postgres://app:*****@db:5432/game'
 */
export function maskPassword(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s]*)(@)/gi, '$1*****$3')
    .replace(/(password=)([^&\s]*)/gi, '$1*****');
}

/**
 * A short, password-free description of where we connect, for log lines.
 *
 * @example
 * describeTarget({ kind: 'url', url: 'postgres://u:p@db:5432/game', source: 'DATABASE_URL' })
 * // 'db:5432/game (from DATABASE_URL)'
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
