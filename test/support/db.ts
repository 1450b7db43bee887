import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import pg from 'pg';

/** A freshly created, empty database of the test server. */
export interface TestDatabase {
  url: string;
  name: string;
  query<T extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

/** URL of the suite's server, pointing at `database`. */
export function serverUrl(database: string): string {
  const url = new URL(inject('adminDatabaseUrl'));
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs one statement on the admin database. */
export async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Creates a database with a random name for one test (tests run in parallel and never share
 * state) and returns its URL and helpers.
 *
 * @example
 * const db = await createTestDatabase();
 * try { ... } finally { await db.drop() }
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `aeturnis_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = serverUrl(name);
  return {
    url,
    name,
    async query<T extends Record<string, unknown>>(sql: string, params?: unknown[]) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query<T>(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
