import type pg from 'pg';
import { snapshotFromRows, type SchemaSnapshot } from '../verify/snapshot.js';

/**
 * An object nobody granted anything on has no ACL (NULL: its owner's default privileges); the
 * first GRANT writes the owner's privileges out next to the new one. The snapshot lists only
 * written-out grants, so one `GRANT SELECT ... TO reader` would read as eight extra grants. These
 * rows name the default privileges of objects without an ACL the way the snapshot names grants,
 * so both sides say the same for the owner and only the real change is left.
 */
const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_%'`;
const NOT_EXTENSION_MEMBER = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend ext WHERE ext.classid = '${catalog}'::regclass AND ext.objid = ${oid} AND ext.deptype = 'e')`;

const DEFAULT_GRANTS_SQL = `
SELECT 'grant' AS kind,
       acl.privilege_type || ' on ' || o.what || ' to ' || CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee) END AS name,
       json_build_object('with grant option', CASE WHEN acl.is_grantable THEN 'yes' END) AS attrs
  FROM (
    SELECT 'schema ' || quote_ident(n.nspname) AS what, acldefault('n', n.nspowner) AS acl
      FROM pg_namespace n WHERE n.nspacl IS NULL AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
    UNION ALL
    SELECT 'table ' || c.oid::regclass::text, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relacl IS NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure::text, acldefault('f', p.proowner)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE p.proacl IS NULL AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}
    UNION ALL
    SELECT 'type ' || t.oid::regtype::text, acldefault('T', t.typowner)
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE t.typacl IS NULL AND (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT cc.relkind FROM pg_class cc WHERE cc.oid = t.typrelid) = 'c'))
       AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
  ) o, aclexplode(o.acl) acl`;

/** The snapshot with the default privileges of every object without an ACL written out. */
export async function withDefaultGrants(client: pg.ClientBase, snapshot: SchemaSnapshot): Promise<SchemaSnapshot> {
  const { rows } = await client.query<{ kind: string; name: string; attrs: Record<string, string | null> }>(DEFAULT_GRANTS_SQL);
  const defaults = snapshotFromRows(rows);
  return new Map([...snapshot, ...defaults]);
}
