import type pg from 'pg';
import { UsageError } from '../errors.js';
import type { CatalogColumn, CatalogModel, CatalogRelation, CatalogType } from './model.js';

/** What {@link readCatalog} reads. */
export interface CatalogScope {
  /** Schemas to read; undefined: every schema except the system ones. */
  schemas: readonly string[] | undefined;
  /** Tables left out (the journal and its `_partial` companion), by schema and name. */
  exclude: readonly { schema: string; table: string }[];
}

const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\\_temp\\_%' AND n.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

const IN_SCOPE = `${USER_SCHEMA} AND ($1::text[] IS NULL OR n.nspname = ANY ($1::text[]))`;

/** Tables (partitioned parents, not partitions), views, materialized views, foreign tables. */
const RELATIONS_SQL = `
SELECT c.oid, n.nspname AS schema, c.relname AS name, c.relkind AS kind
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND ${IN_SCOPE}
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'e')
   AND NOT (n.nspname, c.relname) IN (SELECT * FROM unnest($2::text[], $3::text[]))`;

const COLUMNS_SQL = `
SELECT a.attrelid AS relation, a.attname AS name, a.atttypid AS type, a.attnotnull AS not_null,
       a.atthasdef OR a.attidentity <> '' AS generated,
       a.attidentity = 'a' OR a.attgenerated <> '' AS generated_always
  FROM pg_attribute a
 WHERE a.attrelid = ANY ($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY a.attrelid, a.attnum`;

/**
 * Every type the columns reach (through domains and array elements), and every enum of the
 * schemas read, even one no column uses yet.
 */
const TYPES_SQL = `
WITH RECURSIVE reachable(oid) AS (
  SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = ANY ($2::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
  UNION
  SELECT t.oid FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE t.typtype = 'e' AND ${IN_SCOPE}
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
  UNION
  SELECT next.oid FROM reachable r JOIN pg_type t ON t.oid = r.oid
   CROSS JOIN LATERAL (VALUES (t.typbasetype), (t.typelem)) AS next(oid)
   WHERE next.oid <> 0
)
SELECT t.oid, n.nspname AS schema, t.typname AS name, t.typtype AS kind,
       CASE WHEN t.typtype = 'b' AND t.typcategory = 'A' AND t.typlen = -1 AND t.typelem <> 0 THEN t.typelem END AS element,
       CASE WHEN t.typtype = 'd' THEN t.typbasetype END AS base,
       t.typnotnull AS not_null,
       CASE WHEN t.typtype = 'e' THEN
         ARRAY(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) END AS labels
  FROM reachable r JOIN pg_type t ON t.oid = r.oid JOIN pg_namespace n ON n.oid = t.typnamespace`;

interface RelationRow {
  oid: number;
  schema: string;
  name: string;
  kind: string;
}

interface ColumnRow {
  relation: number;
  name: string;
  type: number;
  not_null: boolean;
  generated: boolean;
  generated_always: boolean;
}

interface TypeRow {
  oid: number;
  schema: string;
  name: string;
  kind: string;
  element: number | null;
  base: number | null;
  not_null: boolean;
  labels: string[] | null;
}

/**
 * Reads the tables, views, columns and types of the schemas in scope, in one read-only
 * transaction (one consistent view of the catalogs). Refuses (exit 2) a schema that does not exist.
 */
export async function readCatalog(client: pg.ClientBase, scope: CatalogScope): Promise<CatalogModel> {
  const schemas = scope.schemas ? [...scope.schemas] : null;
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    if (schemas) await assertSchemasExist(client, schemas);
    const excluded = [scope.exclude.map((e) => e.schema), scope.exclude.map((e) => e.table)];
    const { rows: relations } = await client.query<RelationRow>(RELATIONS_SQL, [schemas, ...excluded]);
    const oids = relations.map((relation) => relation.oid);
    const { rows: columns } = await client.query<ColumnRow>(COLUMNS_SQL, [oids]);
    const { rows: types } = await client.query<TypeRow>(TYPES_SQL, [schemas, oids]);
    return { relations: toRelations(relations, columns), types: new Map(types.map((row) => [row.oid, toType(row)])) };
  } finally {
    await client.query('COMMIT').catch(() => {});
  }
}

async function assertSchemasExist(client: pg.ClientBase, schemas: string[]): Promise<void> {
  const { rows } = await client.query<{ name: string }>(
    'SELECT s.name FROM unnest($1::text[]) AS s(name) WHERE NOT EXISTS (SELECT 1 FROM pg_namespace n WHERE n.nspname = s.name)',
    [schemas],
  );
  const missing = rows[0];
  if (missing) {
    const {
      rows: [database],
    } = await client.query<{ name: string }>('SELECT current_database() AS name');
    throw new UsageError(`--schema ${missing.name}: database ${database?.name ?? ''} has no schema "${missing.name}"`);
  }
}

function toRelations(relations: RelationRow[], columns: ColumnRow[]): CatalogRelation[] {
  const byRelation = new Map<number, CatalogColumn[]>();
  for (const row of columns) {
    const column: CatalogColumn = {
      name: row.name,
      typeOid: row.type,
      notNull: row.not_null,
      generated: row.generated,
      generatedAlways: row.generated_always,
    };
    const list = byRelation.get(row.relation);
    if (list) list.push(column);
    else byRelation.set(row.relation, [column]);
  }
  return relations.map((row) => ({
    schema: row.schema,
    name: row.name,
    kind: row.kind === 'v' || row.kind === 'm' ? 'view' : 'table',
    columns: byRelation.get(row.oid) ?? [],
  }));
}

function toType(row: TypeRow): CatalogType {
  return {
    oid: row.oid,
    schema: row.schema,
    name: row.name,
    kind: row.kind,
    elementOid: row.element ?? undefined,
    baseOid: row.base ?? undefined,
    notNull: row.not_null,
    labels: row.labels ?? [],
  };
}
