import type pg from 'pg';
import { quoteIdentifier, quoteLiteral } from './identifiers.js';

/**
 * Every migration starts from the session state the connection started with: a `SET` (or
 * `SET ROLE`) in one migration must not reach the next one, nor the journal write. pg_dump output
 * begins with `set_config('search_path', '', false)`, and a migration that created a schema and
 * put it first on the path would otherwise decide where the next migration's tables go — so one
 * `up` and a step-by-step `up --to` would build different databases.
 *
 * RESET restores what the connection began with: parameters from the URL, PGOPTIONS, and the
 * role's and database's defaults are the reset values, only `SET`s are undone. A connection handed
 * in by an API caller may carry `SET`s of its own: those are captured once and put back.
 */

/** The statements that put the session back to its state at the start of the command. */
export interface SessionBaseline {
  /** Back to the starting user and role; runs before the journal write, so it is written as them. */
  identity: string[];
  /** Back to the starting parameters; runs after the journal write (RESET ALL also clears its guard). */
  settings: string[];
}

/** For connections we open ourselves: nothing was SET before we started. */
export const FRESH_SESSION: SessionBaseline = {
  identity: ['RESET SESSION AUTHORIZATION', 'RESET ROLE'],
  settings: ['RESET ALL'],
};

/**
 * The whole restore as one text (several statements, no parameters).
 *
 * @example
 * restoreSql(FRESH_SESSION) // 'RESET SESSION AUTHORIZATION;\nRESET ROLE;\nRESET ALL'
 */
export function restoreSql(baseline: SessionBaseline): string {
  return [...baseline.identity, ...baseline.settings].join(';\n');
}

interface SettingRow {
  name: string | null;
  value: string | null;
  current_user: string;
  session_user: string;
}

/**
 * Reads what a caller's connection had SET (parameters and role) so that restoring the state
 * after each migration keeps them.
 *
 * @example
 * const baseline = await captureSessionBaseline(client);
 * await client.query(restoreSql(baseline));
 */
export async function captureSessionBaseline(client: pg.ClientBase): Promise<SessionBaseline> {
  const { rows } = await client.query<SettingRow>(
    `SELECT s.name, pg_catalog.current_setting(s.name) AS value, CURRENT_USER::text AS current_user, SESSION_USER::text AS session_user
       FROM (SELECT 1) AS one LEFT JOIN pg_catalog.pg_settings s ON s.source = 'session'`,
  );
  const identity = [...FRESH_SESSION.identity];
  const first = rows[0];
  if (first && first.current_user !== first.session_user) identity.push(`SET ROLE ${quoteIdentifier(first.current_user)}`);
  const settings = [...FRESH_SESSION.settings];
  const calls = rows.flatMap((row) =>
    row.name === null || row.value === null ? [] : [`pg_catalog.set_config(${quoteLiteral(row.name)}, ${quoteLiteral(row.value)}, false)`],
  );
  if (calls.length > 0) settings.push(`SELECT ${calls.join(', ')}`);
  return { identity, settings };
}
