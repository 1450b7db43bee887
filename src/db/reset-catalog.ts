import type pg from 'pg';
import type { SessionRoles } from '../migrations/created-schemas.js';
import type { SchemaState } from './reset-plan.js';

/**
 * What `reset` reads from the catalogs: where it is, the schemas it will drop as they are now,
 * and the objects of the schemas it leaves alone (so it can tell when dropping would take one
 * of them along).
 */

/** The session's database and the names the plan depends on. */
export interface ResetContext extends SessionRoles {
  database: string;
  /** current_schema(): where unqualified names are created; null when search_path names no existing schema. */
  currentSchema: string | null;
}

/**
 * Reads the database, current schema and roles of the session.
 *
 * @example
 * const { database, currentSchema } = await readResetContext(client); // 'app_dev', 'public'
 */
export async function readResetContext(client: pg.ClientBase): Promise<ResetContext> {
  const { rows } = await client.query<ResetContext>(
    `SELECT pg_catalog.current_database()::text AS database, pg_catalog.current_schema()::text AS "currentSchema",
            current_user::text AS "currentUser", session_user::text AS "sessionUser"`,
  );
  return rows[0] as ResetContext;
}

const ACL_ENTRIES = (acl: string) => `(SELECT pg_catalog.json_agg(json_build_object(
      'grantor', pg_catalog.pg_get_userbyid(a.grantor),
      'grantee', CASE WHEN a.grantee = 0 THEN NULL ELSE pg_catalog.pg_get_userbyid(a.grantee) END,
      'privilege', a.privilege_type, 'grantable', a.is_grantable) ORDER BY a.ordinality)
    FROM pg_catalog.aclexplode(${acl}) WITH ORDINALITY AS a)`;

const SCHEMA_STATES_SQL = `
SELECT n.nspname::text AS name, pg_catalog.pg_get_userbyid(n.nspowner)::text AS owner,
       CASE WHEN n.nspacl IS NULL THEN NULL ELSE COALESCE(${ACL_ENTRIES('n.nspacl')}, '[]') END AS acl,
       n.nspacl::text AS "aclText",
       pg_catalog.obj_description(n.oid, 'pg_namespace') AS comment,
       COALESCE((SELECT pg_catalog.json_agg(json_build_object(
                  'role', pg_catalog.pg_get_userbyid(d.defaclrole), 'objectType', d.defaclobjtype::text,
                  'entries', COALESCE(${ACL_ENTRIES('d.defaclacl')}, '[]'), 'aclText', d.defaclacl::text)
                  ORDER BY pg_catalog.pg_get_userbyid(d.defaclrole), d.defaclobjtype)
                   FROM pg_catalog.pg_default_acl d WHERE d.defaclnamespace = n.oid), '[]') AS "defaultPrivileges"
  FROM pg_catalog.pg_namespace n
 WHERE n.nspname = ANY($1::text[])
 ORDER BY pg_catalog.array_position($1::text[], n.nspname::text)`;

/**
 * The schemas of `names` that exist, as they are: owner, ACL, comment, default privileges.
 *
 * @example
 * const [publicSchema] = await readSchemaStates(client, ['public']);
 */
export async function readSchemaStates(client: pg.ClientBase, names: readonly string[]): Promise<SchemaState[]> {
  // The columns are named as SchemaState's fields, and json_build_object shapes the nested ones.
  const { rows } = await client.query<SchemaState>(SCHEMA_STATES_SQL, [names]);
  return rows;
}

/**
 * Objects users made (OID >= 16384) in every schema but `dropped` (and PostgreSQL's toast and
 * temporary ones), keyed by catalog and OID — stable within a transaction, whatever search_path
 * shows — with a description for messages: relations, columns, column defaults, functions,
 * types, constraints, triggers, policies, rules and extensions.
 */
const KEPT_OBJECTS_SQL = `
WITH kept AS (
  SELECT oid, pg_catalog.quote_ident(nspname) AS q FROM pg_catalog.pg_namespace
   WHERE NOT (nspname = ANY($1::text[])) AND nspname !~ '^pg_(toast|temp_|toast_temp_)'),
rel AS (
  SELECT c.oid, c.relkind, k.q || '.' || pg_catalog.quote_ident(c.relname) AS q
    FROM pg_catalog.pg_class c JOIN kept k ON k.oid = c.relnamespace WHERE c.oid >= 16384)
SELECT 'class:' || oid AS key, 'relation ' || q AS description, NULL AS parent FROM rel
UNION ALL
SELECT 'column:' || a.attrelid || ':' || a.attnum, 'column ' || r.q || '.' || pg_catalog.quote_ident(a.attname), 'class:' || r.oid
  FROM pg_catalog.pg_attribute a JOIN rel r ON r.oid = a.attrelid WHERE a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'default:' || d.oid, 'default of column ' || r.q || '.' || pg_catalog.quote_ident(a.attname), 'class:' || r.oid
  FROM pg_catalog.pg_attrdef d JOIN rel r ON r.oid = d.adrelid
  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
UNION ALL
SELECT 'proc:' || p.oid, 'function ' || k.q || '.' || pg_catalog.quote_ident(p.proname) || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')', NULL
  FROM pg_catalog.pg_proc p JOIN kept k ON k.oid = p.pronamespace WHERE p.oid >= 16384
UNION ALL
SELECT 'type:' || t.oid, 'type ' || k.q || '.' || pg_catalog.quote_ident(t.typname), NULL
  FROM pg_catalog.pg_type t JOIN kept k ON k.oid = t.typnamespace
 WHERE t.oid >= 16384 AND t.typrelid = 0 AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type e WHERE e.typarray = t.oid)
UNION ALL
SELECT 'constraint:' || c.oid, 'constraint ' || pg_catalog.quote_ident(c.conname) || ' on ' || COALESCE(r.q, k.q || '.' || pg_catalog.format_type(c.contypid, NULL)),
       COALESCE('class:' || r.oid, 'type:' || NULLIF(c.contypid, 0))
  FROM pg_catalog.pg_constraint c JOIN kept k ON k.oid = c.connamespace LEFT JOIN rel r ON r.oid = c.conrelid WHERE c.oid >= 16384
UNION ALL
SELECT 'trigger:' || t.oid, 'trigger ' || pg_catalog.quote_ident(t.tgname) || ' on ' || r.q, 'class:' || r.oid
  FROM pg_catalog.pg_trigger t JOIN rel r ON r.oid = t.tgrelid WHERE NOT t.tgisinternal
UNION ALL
SELECT 'policy:' || p.oid, 'policy ' || pg_catalog.quote_ident(p.polname) || ' on ' || r.q, 'class:' || r.oid
  FROM pg_catalog.pg_policy p JOIN rel r ON r.oid = p.polrelid
UNION ALL
SELECT 'rule:' || w.oid, 'rule ' || pg_catalog.quote_ident(w.rulename) || ' on ' || r.q, 'class:' || r.oid
  FROM pg_catalog.pg_rewrite w JOIN rel r ON r.oid = w.ev_class WHERE w.rulename <> '_RETURN'
UNION ALL
SELECT 'extension:' || e.oid, 'extension ' || pg_catalog.quote_ident(e.extname), NULL
  FROM pg_catalog.pg_extension e JOIN kept k ON k.oid = e.extnamespace WHERE e.oid >= 16384`;

/** An object of a schema reset leaves alone. */
export interface KeptObject {
  description: string;
  /** The key of the relation or type it is part of (a column's table), if any. */
  parent: string | null;
}

/**
 * The objects users made in the schemas reset leaves alone, by key (see KEPT_OBJECTS_SQL).
 *
 * @example
 * const before = await keptObjects(client, ['public']);
 */
export async function keptObjects(client: pg.ClientBase, dropped: readonly string[]): Promise<Map<string, KeptObject>> {
  const { rows } = await client.query<{ key: string; description: string; parent: string | null }>(KEPT_OBJECTS_SQL, [dropped]);
  return new Map(rows.map(({ key, description, parent }) => [key, { description, parent }]));
}

/**
 * What was in `before` and is not in `after`, described; a part of something that went too (a
 * dropped view's columns) is left out: naming the view says it.
 *
 * @example
 * lostObjects(before, after) // ['relation keep.user_counts']
 */
export function lostObjects(before: ReadonlyMap<string, KeptObject>, after: ReadonlyMap<string, KeptObject>): string[] {
  const lost = new Set([...before.keys()].filter((key) => !after.has(key)));
  return [...lost].flatMap((key) => {
    const object = before.get(key) as KeptObject;
    return object.parent !== null && lost.has(object.parent) ? [] : [object.description];
  });
}
