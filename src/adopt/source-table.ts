import type pg from 'pg';
import { UsageError } from '../errors.js';
import { displayName, quoteIdentifier, type TableName } from '../identifiers.js';
import type { SourceRow, SourceTool } from './types.js';

/** A table found in the database. */
export interface FoundTable {
  oid: number;
  schema: string;
  table: string;
  /** `"schema"."table"` */
  quoted: string;
  /** `schema.table`, for messages. */
  display: string;
  columns: string[];
}

const FIND_SQL = `
SELECT c.oid, n.nspname::text AS schema, c.relname::text AS table, c.relkind::text AS relkind,
       (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = pg_catalog.to_regclass($1)`;

/**
 * Finds a table as PostgreSQL resolves its name (an unqualified one through search_path);
 * undefined when there is none.
 */
export async function findTable(client: pg.ClientBase, name: Pick<TableName, 'quoted'>): Promise<FoundTable | undefined> {
  const { rows } = await client.query<{ oid: number; schema: string; table: string; relkind: string; columns: string[] | null }>(FIND_SQL, [
    name.quoted,
  ]);
  const row = rows[0];
  if (!row || (row.relkind !== 'r' && row.relkind !== 'p')) return undefined;
  return foundTable(row);
}

/** A catalog row as a FoundTable, its names quoted and displayed. */
function foundTable(row: { oid: number; schema: string; table: string; columns: string[] | null }): FoundTable {
  return {
    oid: row.oid,
    schema: row.schema,
    table: row.table,
    quoted: `${quoteIdentifier(row.schema)}.${quoteIdentifier(row.table)}`,
    display: displayName(row.schema, row.table),
    columns: row.columns ?? [],
  };
}

const CANDIDATES_SQL = `
SELECT c.oid, n.nspname::text AS schema, c.relname::text AS table,
       (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relname = $1 AND c.relkind IN ('r', 'p')
   AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
 ORDER BY n.nspname`;

/**
 * Every table named `table`, in any schema, that has the tool's journal columns: where the tool
 * may have put its journal when its own search_path differed from this session's (dbmate with
 * `?search_path=dbmate,public` keeps it in `dbmate`). By schema name.
 */
export async function findToolTables(client: pg.ClientBase, source: SourceTool, table: string): Promise<FoundTable[]> {
  const { rows } = await client.query<{ oid: number; schema: string; table: string; columns: string[] | null }>(CANDIDATES_SQL, [table]);
  return rows.map(foundTable).filter((found) => source.columns.every((column) => found.columns.includes(column)));
}

/**
 * The schemas a connection URL's `search_path` parameter names (dbmate reads it there), in
 * order; none when the URL has none or is no URL.
 */
export function urlSearchPath(url: string | undefined): string[] {
  if (url === undefined) return [];
  try {
    const value = new URL(url).searchParams.get('search_path');
    return value === null
      ? []
      : value
          .split(',')
          .map((schema) => schema.trim().replace(/^"(.*)"$/, '$1'))
          .filter((schema) => schema !== '');
  } catch {
    return []; // a key=value connection string: no search_path parameter to read
  }
}

/** Refuses (exit 2) a table that does not have the tool's journal columns. */
export function assertToolTable(source: SourceTool, found: FoundTable): void {
  const missing = source.columns.filter((column) => !found.columns.includes(column));
  if (missing.length === 0) return;
  throw new UsageError(
    `${found.display} has columns ${found.columns.join(', ')}: not ${source.title}'s journal (it lacks ${missing.join(', ')}); ` +
      `pass --source-table NAME to name the table ${source.title} used`,
  );
}

interface SourceDbRow {
  version: string | null;
  name: string | null;
  kind: string | null;
  applied_at: string | null;
  execution_ms: number | null;
  ok: boolean;
}

/**
 * Reads the tool's journal; with `lock`, holds it against writes (the old tool still running
 * somewhere) until the caller's transaction ends.
 */
export async function readSourceRows(client: pg.ClientBase, source: SourceTool, table: FoundTable, lock: boolean): Promise<SourceRow[]> {
  if (lock) await client.query(`LOCK TABLE ${table.quoted} IN SHARE MODE`);
  const { rows } = await client.query<SourceDbRow>(source.selectSql(table.quoted));
  return rows.map((row) => ({
    version: row.version,
    name: row.name,
    kind: row.kind,
    appliedAt: row.applied_at,
    executionMs: row.execution_ms,
    ok: row.ok,
  }));
}
