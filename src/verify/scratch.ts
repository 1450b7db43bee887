import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { resolveConnection } from '../connection/settings.js';
import { quoteIdentifier } from '../identifiers.js';
import { errorCode, pgErrorOf } from '../connection/pg-error.js';
import type { Session, SessionOptions } from '../connection/session.js';

/**
 * The command a scratch database serves: its messages name it, and so does the database's name,
 * so a user of `drift` never reads about verify.
 */
export type ScratchCommand = 'verify' | 'drift';

/**
 * A random name for a scratch database, recognisable in `\l` if one is ever left behind.
 */
export function scratchDatabaseName(command: ScratchCommand = 'verify'): string {
  return `aeturnis_${command}_${randomBytes(4).toString('hex')}`;
}

/**
 * Connection options for a database next to the target: the same server, user and settings,
 * another database name. Pure.
 */
export function scratchConnection(options: SessionOptions, database: string, command: ScratchCommand = 'verify'): SessionOptions {
  if (options.connection) {
    throw new UsageError(
      `${command} with an existing pg connection needs scratchUrl (a database it may change), or pass databaseUrl instead`,
    );
  }
  const env = options.env ?? process.env;
  const target = resolveConnection(options.databaseUrl, env);
  const common: SessionOptions = { waitSeconds: 5, signal: options.signal };
  if (target.kind === 'url') {
    const url = new URL(target.url);
    url.pathname = `/${encodeURIComponent(database)}`;
    return { ...common, databaseUrl: url.toString(), env };
  }
  if (target.kind === 'libpq') return { ...common, env: { ...env, PGDATABASE: database } };
  throw new UsageError(
    `${command} needs a PostgreSQL server to create its scratch database, and the embedded database cannot host a second one: set DATABASE_URL or pass --scratch-url`,
  );
}

/**
 * Creates the scratch database through the target's session, with a one-line error saying
 * what to do when the role may not create databases.
 */
export async function createScratchDatabase(admin: Session, database: string, command: ScratchCommand = 'verify'): Promise<void> {
  try {
    await admin.client.query(`CREATE DATABASE ${quoteIdentifier(database)}`);
  } catch (error) {
    const pgError = pgErrorOf(error);
    if (pgError?.code === '42501') {
      throw new UsageError(
        `${command} could not create its scratch database (${pgError.message}): grant CREATEDB to this role, or pass --scratch-url with an empty database it may change`,
      );
    }
    throw error;
  }
}

/**
 * Drops the scratch database, ending any session still in it (PG 13+ `WITH (FORCE)`; older
 * servers after our own connection closed). Never throws: returns an error message instead,
 * so cleanup cannot hide the real outcome.
 */
export async function dropScratchDatabase(admin: Session, database: string): Promise<string | undefined> {
  const name = quoteIdentifier(database);
  try {
    await admin.client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return undefined;
  } catch (error) {
    if (errorCode(error) !== '42601') return (error as Error).message;
  }
  try {
    await admin.client.query(`DROP DATABASE IF EXISTS ${name}`);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * Refuses a user-given scratch database that already holds tables: verify applies and rolls
 * back every migration there (drift applies them), which would collide with (or destroy) what
 * is in it.
 */
export async function assertEmptyScratch(session: Session, label: string, command: ScratchCommand = 'verify'): Promise<void> {
  const { rows } = await session.client.query<{ name: string }>(
    `SELECT c.oid::regclass::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p', 'v', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
        AND n.nspname NOT LIKE 'pg\\_%' LIMIT 1`,
  );
  const first = rows[0];
  if (first) {
    throw new UsageError(`${label} is not empty (it has ${first.name}): ${command} needs an empty database it may change`);
  }
}

/** A session as another connection sees it in pg_stat_activity. */
interface SessionMark {
  pid: number;
  applicationName: string;
  /** backend_start as epoch text (exact to the microsecond); only visible to the same role or pg_read_all_stats. */
  started: string;
}

/**
 * Refuses (exit 2) a scratch connection that reaches the target's own database, however its URL
 * is spelled (localhost vs 127.0.0.1, another port forward, another role): the scratch side
 * looks for the target session's backend (pid, application_name, and backend_start where it may
 * see it) in pg_stat_activity, in its own current_database(). Asked of the servers, not of the
 * URL text. Call before anything runs on the scratch connection.
 */
export async function assertNotTargetDatabase(
  target: Session['client'],
  scratch: Session['client'],
  label: string,
  command: ScratchCommand = 'verify',
): Promise<void> {
  const { rows } = await target.query<SessionMark>(
    `SELECT pg_catalog.pg_backend_pid() AS pid, pg_catalog.current_setting('application_name') AS "applicationName",
            (SELECT pg_catalog.date_part('epoch', a.backend_start)::text FROM pg_catalog.pg_stat_activity a
              WHERE a.pid = pg_catalog.pg_backend_pid()) AS started`,
  );
  const mark = rows[0] as SessionMark;
  const { rows: seen } = await scratch.query<{ database: string; same: boolean }>(
    `SELECT pg_catalog.current_database()::text AS database, EXISTS (
       SELECT 1 FROM pg_catalog.pg_stat_activity a
        WHERE a.pid = $1 AND a.datname = pg_catalog.current_database() AND a.application_name = $2
          AND (a.backend_start IS NULL OR pg_catalog.date_part('epoch', a.backend_start)::text = $3)) AS same`,
    [mark.pid, mark.applicationName, mark.started],
  );
  if (seen[0]?.same) {
    throw new UsageError(
      `${label} reaches the target database itself (${seen[0].database} on the same server): ${command} changes its scratch database, so it needs another, empty one`,
    );
  }
}

/**
 * A name no other session has, set on a probe connection of the target so the scratch side can
 * tell it apart from every other backend.
 */
export function probeApplicationName(): string {
  return `aeturnis-probe-${randomBytes(6).toString('hex')}`;
}
