import type pg from 'pg';

/**
 * What a DOWN section can forget, read from the catalogs: one query per kind of object, all
 * sent in one round trip. Every object gets a stable identity (`kind` + `name`) and the
 * attributes a DOWN must restore, so two snapshots compare key by key.
 *
 * Objects that belong to an extension are left out (the extension itself is listed with its
 * version), as are system schemas and the copies of indexes, constraints and triggers that
 * PostgreSQL makes on each partition (their parent's entry covers them). Needs PostgreSQL 13+. Names are printed by PostgreSQL (regclass, regprocedure,
 * regtype), so they are schema-qualified exactly when the object is not on the search_path.
 */

/** One database object in a snapshot. */
export interface SchemaObject {
  /** e.g. `table`, `column`, `index`, `function`, `enum`, `grant`, `comment`. */
  kind: string;
  /** Identity within its kind, e.g. `users.email`, `idx_audit_actor on audit_log`. */
  name: string;
  /** What must match, e.g. `{ type: 'citext', 'not null': 'true' }`; null means "not set". */
  attributes: Record<string, string | null>;
}

/** A schema snapshot, keyed by `kind name`. */
export type SchemaSnapshot = Map<string, SchemaObject>;

/** The snapshot key of an object. */
export function objectKey(object: Pick<SchemaObject, 'kind' | 'name'>): string {
  return `${object.kind} ${object.name}`;
}

/** SQL: the schema alias `nsp` is not PostgreSQL's own (catalog, information_schema, toast, temp). */
export const USER_SCHEMA = (nsp: string): string =>
  `${nsp}.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND ${nsp}.nspname NOT LIKE 'pg\\_temp\\_%' AND ${nsp}.nspname NOT LIKE 'pg\\_toast\\_temp\\_%'`;

/** SQL: the object `oid` of `catalog` does not belong to an extension. */
export const NOT_EXTENSION_MEMBER = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend ext WHERE ext.classid = '${catalog}'::regclass AND ext.objid = ${oid} AND ext.deptype = 'e')`;

/** User relations: tables, partitions, views, materialized views, sequences, foreign tables. */
const USER_RELATION = `c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}`;

/**
 * The catalog queries, each returning (kind, name, attrs json). Kept as separate statements so
 * a failure names its kind; joined with `;` into one simple-query round trip.
 */
const SNAPSHOT_QUERIES: readonly string[] = [
  // schemas
  `SELECT 'schema' AS kind, quote_ident(n.nspname) AS name, json_build_object() AS attrs
     FROM pg_namespace n WHERE ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}`,
  // tables, partitions (with bounds), views, materialized views, sequences
  `SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'S' THEN 'sequence'
                         WHEN 'f' THEN 'foreign table' ELSE 'table' END AS kind,
          c.oid::regclass::text AS name,
          json_build_object(
            'partitioned by', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
            'partition of', (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition),
            'partition bound', CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
            'inherits', (SELECT string_agg(i.inhparent::regclass::text, ', ' ORDER BY i.inhseqno)
                           FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition),
            'persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' END,
            'row level security', CASE WHEN c.relrowsecurity THEN 'enabled' END,
            'options', array_to_string(c.reloptions, ', '),
            'column order', CASE WHEN c.relkind IN ('r', 'p', 'f') AND NOT c.relispartition THEN
              (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum)
                 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) END,
            'definition', CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END,
            'sequence', CASE WHEN c.relkind = 'S' THEN
              format('%s start %s increment %s min %s max %s cache %s%s', s.seqtypid::regtype, s.seqstart, s.seqincrement,
                     s.seqmin, s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END) END
          ) AS attrs
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_sequence s ON s.seqrelid = c.oid
    WHERE ${USER_RELATION}`,
  // columns (not of partitions: they are the parent's)
  `SELECT 'column' AS kind, c.oid::regclass::text || '.' || quote_ident(a.attname) AS name,
          json_build_object(
            'type', format_type(a.atttypid, a.atttypmod),
            'not null', CASE WHEN a.attnotnull THEN 'NOT NULL' END,
            'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(d.adbin, d.adrelid) END,
            'identity', CASE a.attidentity WHEN 'a' THEN 'GENERATED ALWAYS' WHEN 'd' THEN 'GENERATED BY DEFAULT' END,
            'generated', CASE WHEN a.attgenerated <> '' THEN 'GENERATED ALWAYS AS (' || pg_get_expr(d.adbin, d.adrelid) || ') STORED' END,
            'collation', CASE WHEN a.attcollation <> t.typcollation THEN a.attcollation::regcollation::text END
          ) AS attrs
     FROM pg_attribute a
     JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     JOIN pg_type t ON t.oid = a.atttypid
     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE ${USER_RELATION} AND c.relkind <> 'S' AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped`,
  // constraints, on tables and on domains
  `SELECT 'constraint' AS kind,
          quote_ident(con.conname) || ' on ' || CASE WHEN con.conrelid <> 0 THEN con.conrelid::regclass::text ELSE 'domain ' || con.contypid::regtype::text END AS name,
          json_build_object('definition', pg_get_constraintdef(con.oid)) AS attrs
     FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
    WHERE con.conparentid = 0 AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_constraint', 'con.oid')}`,
  // indexes
  `SELECT 'index' AS kind, quote_ident(ic.relname) || ' on ' || i.indrelid::regclass::text AS name,
          json_build_object('definition', pg_get_indexdef(i.indexrelid)) AS attrs
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_namespace n ON n.oid = ic.relnamespace
    WHERE NOT ic.relispartition AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'ic.oid')}`,
  // functions, procedures, aggregates (signature and body)
  `SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END AS kind,
          p.oid::regprocedure::text AS name,
          json_build_object(
            'returns', pg_get_function_result(p.oid),
            'definition', CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END
          ) AS attrs
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`,
  // triggers
  `SELECT 'trigger' AS kind, quote_ident(t.tgname) || ' on ' || t.tgrelid::regclass::text AS name,
          json_build_object('definition', pg_get_triggerdef(t.oid),
                            'enabled', CASE t.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' END) AS attrs
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND ${USER_SCHEMA('n')}`,
  // event triggers
  `SELECT 'event trigger' AS kind, quote_ident(e.evtname) AS name,
          json_build_object('event', e.evtevent, 'function', e.evtfoid::regprocedure::text,
                            'tags', array_to_string(e.evttags, ', '), 'enabled', e.evtenabled::text) AS attrs
     FROM pg_event_trigger e WHERE ${NOT_EXTENSION_MEMBER('pg_event_trigger', 'e.oid')}`,
  // types: enums (with values), domains, composite types, range types, base types
  `SELECT CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'r' THEN 'range type' ELSE 'type' END AS kind,
          t.oid::regtype::text AS name,
          json_build_object(
            'values', CASE WHEN t.typtype = 'e' THEN
              (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) END,
            'base type', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
            'not null', CASE WHEN t.typtype = 'd' AND t.typnotnull THEN 'NOT NULL' END,
            'default', t.typdefault,
            'attributes', CASE WHEN t.typtype = 'c' THEN
              (SELECT string_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                 FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END,
            'subtype', CASE WHEN t.typtype = 'r' THEN (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid) END
          ) AS attrs
     FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
      AND (t.typtype IN ('e', 'd', 'r', 'b') OR (t.typtype = 'c' AND (SELECT cc.relkind FROM pg_class cc WHERE cc.oid = t.typrelid) = 'c'))
      AND NOT EXISTS (SELECT 1 FROM pg_type el WHERE el.typarray = t.oid)`,
  // extensions
  `SELECT 'extension' AS kind, quote_ident(x.extname) AS name,
          json_build_object('version', x.extversion, 'schema', x.extnamespace::regnamespace::text) AS attrs
     FROM pg_extension x`,
  // row-level security policies
  `SELECT 'policy' AS kind, quote_ident(pol.polname) || ' on ' || pol.polrelid::regclass::text AS name,
          json_build_object('command', pol.polcmd::text, 'permissive', pol.polpermissive::text,
                            'roles', (SELECT string_agg(CASE WHEN r = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(r) END, ', ' ORDER BY 1) FROM unnest(pol.polroles) r),
                            'using', pg_get_expr(pol.polqual, pol.polrelid), 'with check', pg_get_expr(pol.polwithcheck, pol.polrelid)) AS attrs
     FROM pg_policy pol`,
  // rules (not the _RETURN rule that implements a view)
  `SELECT 'rule' AS kind, quote_ident(r.rulename) || ' on ' || r.ev_class::regclass::text AS name,
          json_build_object('definition', pg_get_ruledef(r.oid)) AS attrs
     FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE r.rulename <> '_RETURN' AND ${USER_SCHEMA('n')}`,
  // comments on anything that is not built in or part of an extension
  `SELECT 'comment' AS kind, 'on ' || pg_describe_object(d.classoid, d.objoid, d.objsubid) AS name,
          json_build_object('text', d.description) AS attrs
     FROM pg_description d
    WHERE d.objoid >= 16384
      AND NOT EXISTS (SELECT 1 FROM pg_depend ext WHERE ext.classid = d.classoid AND ext.objid = d.objoid AND ext.deptype = 'e')`,
  // grants on schemas, relations, columns, functions and types
  `SELECT 'grant' AS kind,
          acl.privilege_type || ' on ' || o.what || ' to ' || CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee) END AS name,
          json_build_object('with grant option', CASE WHEN acl.is_grantable THEN 'yes' END) AS attrs
     FROM (
       SELECT 'schema ' || quote_ident(n.nspname) AS what, n.nspacl AS acl
         FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
       UNION ALL
       SELECT 'table ' || c.oid::regclass::text, c.relacl
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relacl IS NOT NULL AND ${USER_RELATION}
       UNION ALL
       SELECT 'column ' || c.oid::regclass::text || '.' || quote_ident(a.attname), a.attacl
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attacl IS NOT NULL AND ${USER_RELATION}
       UNION ALL
       SELECT 'function ' || p.oid::regprocedure::text, p.proacl
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE p.proacl IS NOT NULL AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}
       UNION ALL
       SELECT 'type ' || t.oid::regtype::text, t.typacl
         FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typacl IS NOT NULL AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
     ) o, aclexplode(o.acl) acl`,
];

/** The whole snapshot as one query text (several statements, one round trip). */
const SNAPSHOT_SQL = SNAPSHOT_QUERIES.join(';\n');

interface SnapshotRow {
  kind: string;
  name: string;
  attrs: Record<string, string | null>;
}

/**
 * Reads a schema snapshot of the connected database in one round trip, inside a read-only
 * transaction so every query sees the same state.
 */
export async function takeSnapshot(client: pg.ClientBase): Promise<SchemaSnapshot> {
  const results = (await client.query(
    `BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;\n${SNAPSHOT_SQL};\nCOMMIT`,
  )) as unknown as pg.QueryResult<SnapshotRow>[];
  return snapshotFromRows(results.flatMap((result) => result.rows ?? []));
}

/**
 * Reads a schema snapshot inside the transaction the caller has open (it sees what that
 * transaction changed, before it commits).
 */
export async function takeSnapshotInTransaction(client: pg.ClientBase): Promise<SchemaSnapshot> {
  const results = (await client.query(SNAPSHOT_SQL)) as unknown as pg.QueryResult<SnapshotRow>[];
  return snapshotFromRows(results.flatMap((result) => result.rows ?? []));
}

/**
 * Builds a snapshot from (kind, name, attrs) rows, dropping attributes that are null so a
 * missing attribute and an unset one compare equal. Pure.
 */
export function snapshotFromRows(rows: readonly SnapshotRow[]): SchemaSnapshot {
  const snapshot: SchemaSnapshot = new Map();
  for (const row of rows) {
    const attributes: Record<string, string | null> = {};
    for (const [key, value] of Object.entries(row.attrs ?? {})) {
      if (value !== null && value !== undefined && value !== '') attributes[key] = String(value);
    }
    const object = { kind: row.kind, name: row.name, attributes };
    snapshot.set(objectKey(object), object);
  }
  return snapshot;
}
