import type pg from 'pg';

/**
 * `--targets-query` runs on the control database and must not be able to write there: it runs
 * as one statement (the extended query protocol refuses several commands in one query string)
 * inside a read-only transaction whose snapshot is already taken (so `SET TRANSACTION READ
 * WRITE` is refused), which is then rolled back.
 */

/** What the query returned: its rows and its column names. */
export interface QueryRows {
  rows: Record<string, unknown>[];
  columns: string[];
}

/** node-pg's option for the extended protocol even without parameters (missing from @types/pg). */
type ExtendedQuery = pg.QueryConfig & { queryMode: 'extended' };

/**
 * Runs `sql` so that it cannot write: BEGIN READ ONLY, a first query that takes the snapshot,
 * the statement alone, ROLLBACK. Its error is thrown as it came (see {@link targetsQueryRefusal}).
 */
export async function readOnlyQuery(client: pg.ClientBase, sql: string): Promise<QueryRows> {
  await client.query('BEGIN READ ONLY');
  try {
    // After the transaction's first query, its read-only mode can no longer be changed.
    await client.query('SELECT 1');
    const statement: ExtendedQuery = { text: sql, queryMode: 'extended' };
    const result = await client.query<Record<string, unknown>>(statement);
    return { rows: result.rows ?? [], columns: (result.fields ?? []).map((field) => field.name) };
  } finally {
    await client.query('ROLLBACK').catch(() => {});
  }
}

/** SQLSTATEs of a write (or a switch to read-write) refused in a read-only transaction. */
const WRITE_REFUSED = new Set(['25006', '25001']);

/**
 * The one-line error for a refused `--targets-query`: what it must be when it wrote or held
 * several statements, else the server's message. Pure.
 */
export function targetsQueryRefusal(code: string, message: string): string {
  const severalStatements = code === '42601' && /multiple commands/i.test(message);
  if (WRITE_REFUSED.has(code) || severalStatements) {
    return `--targets-query must only read (one read-only statement): ${message} (SQLSTATE ${code})`;
  }
  return `--targets-query failed: ${message} (SQLSTATE ${code})`;
}
