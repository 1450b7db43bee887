import { UsageError } from '../errors.js';
import { maskPassword, maskUrl } from '../redact.js';
import { checkTargetUrl, databaseKey, defaultTargetName } from './target-url.js';

/**
 * The targets of a fleet run, from a targets file or the rows of a query. Pure: the text, the
 * rows and the environment are passed in.
 */

/** One database a fleet command runs on. */
export interface FleetTarget {
  /** Its name in output: given as `name=URL`, else host/database. */
  name: string;
  /** The connection URL, variables expanded (it may hold a password: never print it unmasked). */
  url: string;
  /** Where it was listed, for messages: `targets.txt:3` or `--targets-query row 3`. */
  source: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Parses a targets file: one target a line, `name=URL` or a bare URL, `#` comments (a whole
 * line, or after a space), `${VAR}` taken from `env` so passwords stay out of the file. A line
 * that does not parse, an unset variable, two lines with one name or one database: UsageError
 * naming the line (exit 2).
 */
export function parseTargetsFile(text: string, file: string, env: Env): FleetTarget[] {
  const targets: FleetTarget[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (line !== '') targets.push(parseTargetLine(line, `${file}:${index + 1}`, env));
  });
  assertDistinct(targets);
  return targets;
}

/**
 * Turns the rows of `--targets-query` into targets: columns `name` and `url` by name, else a
 * single column is the URL and two columns are name, URL. `${VAR}` in a URL is expanded as in
 * a targets file.
 */
export function targetsFromRows(rows: readonly Record<string, unknown>[], columns: readonly string[], env: Env): FleetTarget[] {
  const { nameColumn, urlColumn } = queryColumns(columns);
  const targets = rows.map((row, index) => {
    const where = `--targets-query row ${index + 1}`;
    const url = row[urlColumn];
    if (typeof url !== 'string' || url.trim() === '')
      throw new UsageError(`${where}: ${urlColumn} is ${url === null ? 'null' : 'not a URL'}`);
    const name = nameColumn === undefined ? undefined : row[nameColumn];
    if (name !== undefined && (name === null || String(name).trim() === '')) throw new UsageError(`${where}: ${nameColumn} is empty`);
    return target(name === undefined ? undefined : String(name).trim(), expandVariables(url.trim(), env, where), where);
  });
  assertDistinct(targets);
  return targets;
}

function queryColumns(columns: readonly string[]): { nameColumn: string | undefined; urlColumn: string } {
  if (columns.includes('url')) return { nameColumn: columns.includes('name') ? 'name' : undefined, urlColumn: 'url' };
  if (columns.length === 1) return { nameColumn: undefined, urlColumn: columns[0] as string };
  if (columns.length === 2) return { nameColumn: columns[0] as string, urlColumn: columns[1] as string };
  throw new UsageError(
    `--targets-query must return a url column and optionally a name column (got ${columns.length} columns: ${columns.join(', ')})`,
  );
}

function parseTargetLine(line: string, where: string, env: Env): FleetTarget {
  const expanded = expandVariables(line, env, where);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(expanded)) return target(undefined, expanded, where);
  const equals = expanded.indexOf('=');
  if (equals < 0) throw new UsageError(`${where}: expected name=URL or a postgres:// URL (got ${maskUrl(line)})`);
  const name = expanded.slice(0, equals).trim();
  const url = expanded.slice(equals + 1).trim();
  if (name === '' || /[\s[\]]/.test(name))
    throw new UsageError(`${where}: a target's name must not be empty or hold spaces or brackets (got "${maskPassword(name)}")`);
  if (url === '') throw new UsageError(`${where}: no URL after ${name}=`);
  return target(name, url, where);
}

function target(name: string | undefined, url: string, source: string): FleetTarget {
  const parsed = checkTargetUrl(url, source);
  return { name: name ?? defaultTargetName(parsed), url, source };
}

/** A comment is a line starting with `#`, or the rest of a line after whitespace and `#`. */
function stripComment(line: string): string {
  if (line.trimStart().startsWith('#')) return '';
  const comment = /\s#/.exec(line);
  return comment ? line.slice(0, comment.index) : line;
}

/**
 * Replaces each `${NAME}` with the variable's value; an unset variable is an error naming
 * `where`. A `$` not followed by `{` is kept as it is (passwords may hold one).
 */
export function expandVariables(text: string, env: Env, where: string): string {
  return text.replace(/\$\{([^}]*)\}|\$\{/g, (_match: string, name: string | undefined) => {
    if (name === undefined) throw new UsageError(`${where}: \${ without a closing } (write \${NAME})`);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`${where}: \${${name}} is not a variable name`);
    const value = env[name];
    if (value === undefined) throw new UsageError(`${where}: \${${name}} is not set in the environment`);
    return value;
  });
}

/** Two targets with one name, or reaching one database, are an error naming the later line. */
function assertDistinct(targets: readonly FleetTarget[]): void {
  const byName = new Map<string, FleetTarget>();
  const byDatabase = new Map<string, FleetTarget>();
  for (const current of targets) {
    const sameName = byName.get(current.name);
    if (sameName) throw new UsageError(`${current.source}: duplicate target name ${current.name} (also ${sameName.source})`);
    const key = databaseKey(new URL(current.url));
    const sameDatabase = byDatabase.get(key);
    if (sameDatabase) {
      throw new UsageError(
        `${current.source}: duplicate target: ${current.name} is the same database as ${sameDatabase.name} (${sameDatabase.source}): ${key}`,
      );
    }
    byName.set(current.name, current);
    byDatabase.set(key, current);
  }
}
