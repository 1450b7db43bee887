import pg from 'pg';

/** One audit_log row as the tests compare it (no id or created_at; inet as PostgreSQL prints it). */
export interface TrailRow {
  actor_id: string | null;
  event_type: string;
  resource_type: string | null;
  resource_id: string | null;
  changes: Record<string, unknown>;
  ip_address: string | null;
  user_agent: string | null;
}

/** Runs `fn` on one connection of its own, closed afterwards. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** `SET LOCAL name = 'value'` with the value quoted as a string literal. */
export function setLocal(name: string, value: string): string {
  return `SET LOCAL ${name} = '${value.replaceAll("'", "''")}'`;
}

/**
 * Runs `statements` in one transaction after `SET LOCAL` of each setting (as an application
 * would: `aeturnis.actor_id`, `aeturnis.ip_address`, `aeturnis.user_agent`), then commits.
 * Returns the row count of each statement.
 *
 * @example
 * await inTransaction(db.url, { 'aeturnis.actor_id': adminId }, [`UPDATE users SET status = 'banned' WHERE id = '${id}'`]);
 */
export async function inTransaction(url: string, settings: Record<string, string>, statements: string[]): Promise<(number | null)[]> {
  return withClient(url, async (client) => {
    await client.query('BEGIN');
    for (const [name, value] of Object.entries(settings)) await client.query(setLocal(name, value));
    const counts: (number | null)[] = [];
    for (const sql of statements) counts.push((await client.query(sql)).rowCount);
    await client.query('COMMIT');
    return counts;
  });
}

/** The audit_log rows matching `where` (SQL), oldest first, then by event type and resource id. */
export async function trail(url: string, where = 'true'): Promise<TrailRow[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<TrailRow>(
      `SELECT actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent
         FROM audit_log WHERE ${where} ORDER BY created_at, event_type, resource_id`,
    );
    return rows;
  });
}

/** A content hash of every audit_log row (by id) and the partition holding it. */
export async function trailHashes(url: string): Promise<Map<string, { hash: string; partition: string }>> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ id: string; hash: string; partition: string }>(
      `SELECT id::text AS id, tableoid::regclass::text AS partition,
              md5(row(id, actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent, created_at)::text) AS hash
         FROM audit_log`,
    );
    return new Map(rows.map((r) => [r.id, { hash: r.hash, partition: r.partition }]));
  });
}
