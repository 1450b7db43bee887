import type pg from 'pg';

/**
 * A connection handed in by an API caller is theirs: its prepared statements (pg names some
 * itself), cursors, LISTENs, temporary tables and advisory locks must survive the run, so the
 * blanket reset our own connections get (DEALLOCATE ALL, DISCARD TEMP, ...) would break it.
 * Instead, what it holds is noted when it is handed in, and after each migration only what the
 * migration added is dropped: two round trips, paid by such callers only.
 */

/** What an API caller's connection held when it was handed in. */
export interface CallerState {
  prepared: string[];
  cursors: string[];
  channels: string[];
  /** Temporary relations, by oid. */
  tempRelations: string[];
  /** Advisory locks, as `mode:classid:objid:objsubid`. */
  advisoryLocks: string[];
}

const ADVISORY_LOCKS = `SELECT l.mode, l.classid, l.objid, l.objsubid, concat_ws(':', l.mode, l.classid, l.objid, l.objsubid) AS id
  FROM pg_catalog.pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.pid = pg_catalog.pg_backend_pid()`;
const TEMP_RELATIONS = `SELECT c.oid::text AS id, c.relname, c.relkind FROM pg_catalog.pg_class c
 WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`;

const STATE_SQL = `SELECT
  ARRAY(SELECT name FROM pg_catalog.pg_prepared_statements WHERE from_sql) AS prepared,
  ARRAY(SELECT name FROM pg_catalog.pg_cursors WHERE name <> '') AS cursors,
  ARRAY(SELECT pg_catalog.pg_listening_channels()) AS channels,
  ARRAY(SELECT id FROM (${TEMP_RELATIONS}) t) AS temp_relations,
  ARRAY(SELECT id FROM (${ADVISORY_LOCKS}) l) AS advisory_locks`;

/** A signed int4 from an oid (the halves of a two-key advisory lock). */
const int4 = (column: string): string => `(${column}::bigint - CASE WHEN ${column}::bigint >= 2147483648 THEN 4294967296 ELSE 0 END)::int`;

const ADDITIONS_SQL = `SELECT ARRAY(
  SELECT 'DEALLOCATE ' || pg_catalog.quote_ident(name) FROM pg_catalog.pg_prepared_statements WHERE from_sql AND name <> ALL ($1::text[])
  UNION ALL
  SELECT 'CLOSE ' || pg_catalog.quote_ident(name) FROM pg_catalog.pg_cursors WHERE name <> '' AND name <> ALL ($2::text[])
  UNION ALL
  SELECT 'UNLISTEN ' || pg_catalog.quote_ident(channel) FROM pg_catalog.pg_listening_channels() AS channel WHERE channel <> ALL ($3::text[])
  UNION ALL
  SELECT pg_catalog.format('DROP %s IF EXISTS pg_temp.%I CASCADE',
           CASE relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, relname)
    FROM (${TEMP_RELATIONS}) t WHERE id <> ALL ($4::text[])
  UNION ALL
  SELECT pg_catalog.format('SELECT pg_catalog.pg_advisory_unlock%s(%s)', CASE WHEN mode = 'ShareLock' THEN '_shared' ELSE '' END,
           CASE WHEN objsubid = 1 THEN ((classid::bigint << 32) | objid::bigint)::text
                ELSE ${int4('classid')} || ', ' || ${int4('objid')} END)
    FROM (${ADVISORY_LOCKS}) l WHERE id <> ALL ($5::text[])
) AS statements`;

/**
 * Notes what the caller's connection holds now.
 */
export async function captureCallerState(client: pg.ClientBase): Promise<CallerState> {
  const { rows } = await client.query<{
    prepared: string[];
    cursors: string[];
    channels: string[];
    temp_relations: string[];
    advisory_locks: string[];
  }>(STATE_SQL);
  const row = rows[0];
  return {
    prepared: row?.prepared ?? [],
    cursors: row?.cursors ?? [],
    channels: row?.channels ?? [],
    tempRelations: row?.temp_relations ?? [],
    advisoryLocks: row?.advisory_locks ?? [],
  };
}

/**
 * Drops what a migration added to the caller's connection since {@link captureCallerState}.
 * Outside a transaction block.
 */
export async function dropCallerAdditions(client: pg.ClientBase, state: CallerState): Promise<void> {
  const { rows } = await client.query<{ statements: string[] }>(ADDITIONS_SQL, [
    state.prepared,
    state.cursors,
    state.channels,
    state.tempRelations,
    state.advisoryLocks,
  ]);
  const statements = rows[0]?.statements ?? [];
  if (statements.length > 0) await client.query(statements.join(';\n'));
}
