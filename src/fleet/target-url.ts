import { urlConnection } from '../connection/settings.js';
import { UsageError } from '../errors.js';

/**
 * A target's URL: checked before anything connects, named for output, and reduced to the
 * database it reaches so two lines naming one database are caught. Pure.
 */

/**
 * Parses a target's URL; a URL the connection would refuse (its form, port, an unknown query
 * parameter, an unknown sslmode) is a UsageError naming `where` (`targets.txt:3`), with the
 * password hidden, before any target connects.
 */
export function checkTargetUrl(url: string, where: string): URL {
  try {
    urlConnection(url, 'the URL', {});
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${where}: ${error.message}`);
    throw error;
  }
  return new URL(url);
}

/**
 * The name of a target given as a bare URL: host/database, with the port when it is not 5432.
 */
export function defaultTargetName(url: URL): string {
  const port = url.port !== '' && url.port !== '5432' ? `:${url.port}` : '';
  return `${hostOf(url)}${port}/${databaseOf(url)}`;
}

/**
 * What makes two targets the same database: host, port, database name and the `options`
 * parameter (a search_path there gives each tenant schema its own journal). The user, the
 * password and TLS settings do not make another database.
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
