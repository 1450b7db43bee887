import type pg from 'pg';
import { journalOwnTables } from '../journal/sql.js';
import { quoteIdentifier } from '../identifiers.js';
import type { Journal } from '../journal/journal.js';
import { listRegistry } from '../partitions/registry.js';
import type { ExpectedRelations } from './expected-objects.js';

/**
 * The journal's tables and the registered tables of one database, named as its snapshot names
 * them (regclass text, which depends on the session's search_path), in one round trip after the
 * registry is read.
 */
export async function readExpectedRelations(client: pg.ClientBase, journal: Journal): Promise<ExpectedRelations> {
  const own = journalOwnTables(journal.table).map((table) => `${quoteIdentifier(journal.schema)}.${quoteIdentifier(table)}`);
  const registered = (await listRegistry(client, journal)).map(
    (entry) => `${quoteIdentifier(entry.schema)}.${quoteIdentifier(entry.table)}`,
  );
  const { rows } = await client.query<{ name: string | null; registered: boolean }>(
    `SELECT pg_catalog.to_regclass(u.quoted)::text AS name, u.registered
       FROM unnest($1::text[], $2::boolean[]) AS u(quoted, registered)`,
    [
      [...own, ...registered],
      [...own.map(() => false), ...registered.map(() => true)],
    ],
  );
  const named = (wanted: boolean): string[] => rows.filter((r) => r.registered === wanted && r.name !== null).map((r) => r.name as string);
  return { journalTables: named(false), registered: named(true) };
}
