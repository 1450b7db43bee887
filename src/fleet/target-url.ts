import { sslSettings } from '../db/connection-config.js';
import { UsageError } from '../errors.js';
import { maskPassword } from '../redact.js';

/**
 * A target's URL: checked before anything connects, named for output, and reduced to the
 * database it reaches so two lines naming one database are caught. Pure.
 */

const EXPECTED = 'expected name=postgres://user:password@host:5432/database';

/**
 * Parses a target's URL; a URL PostgreSQL would not accept is a UsageError naming `where`
 * (`targets.txt:3`), with the password hidden.
 *
 * @example
 * checkTargetUrl('postgres://app:pw@db1/tenant_1', 'targets.txt:3').hostname // 'db1'
 */
export function checkTargetUrl(url: string, where: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`${where}: not a valid URL: ${redact(url)} (${EXPECTED})`);
  }
  if (!/^postgres(?:ql)?:\/\//i.test(url)) {
    throw new UsageError(`${where}: the URL must start with postgres:// or postgresql:// (got ${redact(url)})`);
  }
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) throw new UsageError(`${where}: invalid port in ${redact(url)}`);
  try {
    sslSettings(url, {}, 'the URL'); // an unknown sslmode fails here, not when the target's turn comes
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${where}: ${error.message}`);
    throw error;
  }
  return parsed;
}

/**
 * The name of a target given as a bare URL: host/database, with the port when it is not 5432.
 *
 * @example
 * defaultTargetName(new URL('postgres://app:pw@db1:5433/tenant_1')) // 'db1:5433/tenant_1'
 */
export function defaultTargetName(url: URL): string {
  const port = url.port !== '' && url.port !== '5432' ? `:${url.port}` : '';
  return `${hostOf(url)}${port}/${databaseOf(url)}`;
}

/**
 * What makes two targets the same database: host, port, database name and the `options`
 * parameter (a search_path there gives each tenant schema its own journal). The user, the
 * password and TLS settings do not make another database.
 *
 * @example
 * databaseKey(new URL('postgresql://a@DB1/app?sslmode=require')) === databaseKey(new URL('postgres://b:pw@db1:5432/app')) // true
 */
export function databaseKey(url: URL): string {
  const options = url.searchParams.get('options');
  return `${hostOf(url).toLowerCase()}:${url.port || '5432'}/${databaseOf(url)}${options ? `?options=${options}` : ''}`;
}

function hostOf(url: URL): string {
  return decode(url.hostname) || url.searchParams.get('host') || 'localhost';
}

function databaseOf(url: URL): string {
  return decode(url.pathname.replace(/^\//, '')) || decode(url.username);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** Hides the password of a URL, also one that did not parse (everything between the user's `:` and the last `@`). */
export function redact(url: string): string {
  const at = url.lastIndexOf('@');
  const userStart = /^[a-z][a-z0-9+.-]*:\/*/i.exec(url)?.[0].length ?? 0;
  const colon = url.indexOf(':', userStart);
  const masked = at >= 0 && colon >= 0 && colon < at ? `${url.slice(0, colon + 1)}*****${url.slice(at)}` : url;
  return maskPassword(masked); // and a password= parameter
}
