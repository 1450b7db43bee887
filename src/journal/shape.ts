import { plural } from '../plural.js';
import { displayName } from '../identifiers.js';

/**
 * What a table found in the database is, as far as the journal is concerned: aeturnis-db's
 * journal as it creates it, one with the journal's columns but other types or key, another
 * tool's journal, or something else. Pure (RESOLVE_SQL is the text of the catalog query whose
 * rows resolveJournal hands to these functions).
 */

/** The journal's columns and types as every release has created them (see createJournalSql). */
const JOURNAL_TYPES: Readonly<Record<string, string>> = {
  version: 'bigint',
  name: 'text',
  checksum: 'text',
  applied_at: 'timestamp with time zone',
  execution_ms: 'integer',
};

/** The contract's columns: a table without them is another tool's journal. */
export const JOURNAL_COLUMNS: readonly string[] = Object.keys(JOURNAL_TYPES);

/** The default journal names of the tools `adopt` reads (dbmate, golang-migrate and Rails share the first). */
export const TOOL_JOURNAL_NAMES: readonly string[] = ['schema_migrations', 'goose_db_version', 'flyway_schema_history', 'pgmigrations'];

/** A table's columns (in order), their types as `format_type` spells them, and its primary key. */
export interface TableShape {
  columns: readonly string[];
  types: readonly string[];
  primaryKey: readonly string[];
}

/** A journal table other than the one asked for (see resolveJournal). */
export interface OtherJournal {
  oid: number;
  schema: string;
  table: string;
  columns: string[];
}

/** The table has every column of the journal (whatever their types). */
export function hasJournalColumns(columns: readonly string[]): boolean {
  return JOURNAL_COLUMNS.every((column) => columns.includes(column));
}

/**
 * How a table with the journal's columns differs from the journal aeturnis-db creates: types and
 * primary key (extra columns are allowed). Empty when it is the journal.
 */
export function shapeProblems(shape: TableShape): string[] {
  const problems = JOURNAL_COLUMNS.flatMap((column) => {
    const type = shape.types[shape.columns.indexOf(column)];
    const wanted = JOURNAL_TYPES[column] as string;
    return type === wanted ? [] : [`${column} is ${type ?? 'missing'}, not ${wanted}`];
  });
  const key = shape.primaryKey.join(', ');
  if (key !== 'version')
    problems.push(key === '' ? 'it has no primary key (wanted: version)' : `its primary key is (${key}), not (version)`);
  return problems;
}

/** How the refusals name each guess (dbmate and Rails share one layout). */
const TOOL_TITLES: Record<string, string> = {
  'golang-migrate': 'golang-migrate',
  goose: 'goose',
  flyway: 'Flyway',
  'node-pg-migrate': 'node-pg-migrate',
  dbmate: 'dbmate or Rails',
};

/**
 * A guess at the owner of a foreign journal, from its columns: the name `adopt --from` takes.
 */
export function foreignToolOf(columns: readonly string[]): string | undefined {
  const has = (name: string): boolean => columns.includes(name);
  if (has('dirty') && has('version')) return 'golang-migrate';
  if (has('version_id') && has('is_applied')) return 'goose';
  if (has('installed_rank')) return 'flyway';
  if (has('run_on') && has('name')) return 'node-pg-migrate';
  if (columns.length === 1 && has('version')) return 'dbmate';
  return undefined;
}

/** The tool's name as refusals print it (`dbmate or Rails`). */
export function toolTitle(tool: string): string {
  return TOOL_TITLES[tool] ?? tool;
}

/** Whose journal `other` is, for messages. */
function whose(other: OtherJournal): string {
  if (hasJournalColumns(other.columns)) return "aeturnis-db's journal";
  const tool = foreignToolOf(other.columns);
  return tool ? `${toolTitle(tool)}'s journal` : 'a table named like a journal';
}

/**
 * The one-line refusal when the journal does not exist and others do: what was found, whose it
 * is, and the ways out.
 */
export function otherJournalsMessage(journal: string, schema: string | undefined, others: readonly OtherJournal[]): string {
  const shown = others.slice(0, 3).map((other) => `${displayName(other.schema, other.table)} (${whose(other)})`);
  if (others.length > shown.length) shown.push(`${others.length - shown.length} more`);
  const where = schema === undefined ? 'this database already holds' : `schema ${displayName(undefined, schema)} already holds`;
  const ours = others.find((other) => hasJournalColumns(other.columns));
  const tooled = ours ? undefined : others.find((other) => foreignToolOf(other.columns) !== undefined);
  const tool = tooled && foreignToolOf(tooled.columns);
  const ways = [
    ...(ours ? [`use it with --table ${displayName(ours.schema, ours.table)}`] : []),
    ...(tooled && tool
      ? [`adopt it with aeturnis-db adopt --from ${tool} --source-table ${displayName(tooled.schema, tooled.table)}`]
      : []),
    'or keep a separate journal with --table SCHEMA.NAME in a schema that holds no other journal',
  ];
  const found = `${where} ${plural(others.length, 'other journal')}: ${shown.join(', ')}`;
  const waysOut = ways.join('; ');
  return `the journal table ${journal} does not exist and ${found}; nothing was created (one journal per database). ${waysOut[0]?.toUpperCase()}${waysOut.slice(1)}`;
}

/**
 * The journal's resolution, one round trip: where the name resolves, that table's shape, and
 * the other journals. $1 the name as given, quoted; $2 its schema or null; $3, $4 the partial
 * and adopted companions; $5 the table; $6 the journal's columns; $7 the companions; $8 the tools' journal names. The
 * other journals are looked for only while aeturnis-db's journal is not there (a status of an
 * existing journal pays nothing for them).
 */
export const RESOLVE_SQL = `
WITH found AS (
  SELECT c.oid, n.nspname::text AS schema, c.relkind::text AS relkind
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = pg_catalog.to_regclass($1)),
shape AS (
  SELECT f.*,
         (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = f.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
         (SELECT pg_catalog.array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
           WHERE a.attrelid = f.oid AND a.attnum > 0 AND NOT a.attisdropped) AS types,
         (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_constraint k
            JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = ANY (k.conkey)
           WHERE k.conrelid = f.oid AND k.contype = 'p') AS primary_key
    FROM found f),
target AS (SELECT COALESCE((SELECT schema FROM found), $2::text, pg_catalog.current_schema()::text) AS schema)
SELECT pg_catalog.current_schema()::text AS current_schema,
       ($2::text IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $2::text)) AS schema_exists,
       s.schema AS found_schema, s.relkind, s.columns, s.types, s.primary_key,
       pg_catalog.to_regclass(pg_catalog.quote_ident(t.schema) || '.' || pg_catalog.quote_ident($3::text)) IS NOT NULL AS partial_exists,
       pg_catalog.to_regclass(pg_catalog.quote_ident(t.schema) || '.' || pg_catalog.quote_ident($4::text)) IS NOT NULL AS adopted_exists,
       (SELECT pg_catalog.json_agg(pg_catalog.json_build_object('oid', c.oid::bigint, 'schema', n.nspname::text, 'table', c.relname::text,
                 'columns', (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum) FROM pg_catalog.pg_attribute a
                              WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped))
               ORDER BY n.nspname, c.relname)
          FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE NOT COALESCE(s.columns @> $6::text[], false)
           AND c.relkind IN ('r', 'p') AND NOT c.relispartition
           AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
           AND ($2::text IS NULL OR n.nspname = $2::text)
           AND c.oid IS DISTINCT FROM s.oid
           AND c.relname::text <> ALL ($7::text[])
           AND (pg_catalog.lower(c.relname::text) = pg_catalog.lower($5::text) OR c.relname::text = ANY ($8::text[])
                OR c.oid IN (SELECT a.attrelid FROM pg_catalog.pg_attribute a
                              WHERE a.attname::text = ANY ($6::text[]) AND a.attnum > 0 AND NOT a.attisdropped
                              GROUP BY a.attrelid HAVING pg_catalog.count(*) = pg_catalog.cardinality($6::text[])))) AS others
  FROM (SELECT 1) AS one LEFT JOIN shape s ON true CROSS JOIN target t`;
