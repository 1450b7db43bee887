import type { ClientBase } from 'pg';
import type { Journal } from '../journal/journal.js';
import { readDumpCatalog } from '../dump/catalog.js';
import { emptyCatalog, renderDump } from '../dump/render.js';
import { absentEmbeddedDatabase } from './embedded-state.js';
import type { CommonOptions } from './options.js';
import { resolveCommandConnection, withSession } from './scope.js';

export { dumpDifference } from '../dump/check.js';

/** Options of {@link dumpSchema}. */
export interface DumpOptions extends CommonOptions {}

/** Result of {@link dumpSchema}. */
export interface DumpResult {
  /** The schema as SQL, ending with a newline. */
  sql: string;
  /** How many migrations the journal lists (named in the dump's closing comment). */
  migrations: number;
}

/**
 * The live schema as deterministic SQL, read from the catalogs (no pg_dump needed): schemas,
 * extensions, types, sequences, functions, tables, partitions, views, constraints, indexes,
 * triggers, policies, comments and grants, one object per block, sorted, without owners,
 * OIDs, timestamps or versions, so the same schema gives the same bytes; `psql -f` loads it
 * into an empty database. The journal's own tables and the partitions that partition upkeep
 * manages are left out; a closing comment lists the applied migrations. Read-only.
 *
 * @example
 * import { dumpSchema } from 'aeturnis-db';
 * const { sql } = await dumpSchema({ databaseUrl: process.env.DATABASE_URL });
 * await writeFile('schema.sql', sql);
 */
export async function dumpSchema(options: DumpOptions = {}): Promise<DumpResult> {
  const connection = resolveCommandConnection(options);
  const absent = await absentEmbeddedDatabase(options, connection);
  if (absent !== undefined) {
    // Nothing configured and no embedded database yet: an empty schema, and nothing is created.
    options.onEvent?.({ type: 'no-embedded-database', dir: absent });
    return { sql: renderDump(emptyCatalog()), migrations: 0 };
  }
  return withSession(options, ({ session, journal }) => readDump(session.client, journal), undefined, { connection });
}

/** The dump of the database `client` is connected to (`up --dump` calls it at the end of its run). */
export async function readDump(client: ClientBase, journal: Journal): Promise<DumpResult> {
  const catalog = await readDumpCatalog(client, journal);
  return { sql: renderDump(catalog), migrations: catalog.migrations.length };
}
