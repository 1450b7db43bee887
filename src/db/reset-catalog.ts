import type pg from 'pg';
import type { SessionRoles } from '../migrations/created-schemas.js';
import type { SchemaState } from './reset-plan.js';

/**
 * What `reset` reads from the catalogs: where it is, and the schemas it will drop as they are
 * now (what dropping would take along is db/reset-walk.ts's).
 */

/** The session's database and the names the plan depends on. */
export interface ResetContext extends SessionRoles {
  database: string;
  /** current_schema(): where unqualified names are created; null when search_path names no existing schema. */
  currentSchema: string | null;
}

/**
 * Reads the database, current schema and roles of the session.
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
 */
export async function readSchemaStates(client: pg.ClientBase, names: readonly string[]): Promise<SchemaState[]> {
  // The columns are named as SchemaState's fields, and json_build_object shapes the nested ones.
  const { rows } = await client.query<SchemaState>(SCHEMA_STATES_SQL, [names]);
  return rows;
}
