import type pg from 'pg';
import { snapshotFromRows, type SchemaSnapshot } from '../verify/snapshot.js';

/**
 * Grants, made comparable between a database and its rebuild. An object nobody granted anything
 * on has no ACL (NULL: its owner's default privileges); the first GRANT writes the owner's
 * privileges out next to the new one, so one `GRANT SELECT ... TO reader` would read as eight
 * extra grants. And the rebuild's objects belong to the role drift connects as, the database's to
 * whoever ran the migrations. So every object's privileges are read with NULL as its defaults,
 * and a grant to the object's owner is named `to (owner)`: only grants to other roles, and what
 * the owner lost or gained, differ.
 */
const USER_SCHEMA = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg\\_%'`;
const NOT_EXTENSION_MEMBER = (catalog: string, oid: string): string =>
  `NOT EXISTS (SELECT 1 FROM pg_depend ext WHERE ext.classid = '${catalog}'::regclass AND ext.objid = ${oid} AND ext.deptype = 'e')`;

const GRANTS_SQL = `
SELECT acl.privilege_type || ' on ' || o.what || ' to ' AS prefix,
       CASE WHEN acl.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(acl.grantee) END AS grantee,
       acl.grantee = o.owner AS to_owner,
       json_build_object('with grant option', CASE WHEN acl.is_grantable THEN 'yes' END) AS attrs
  FROM (
    SELECT 'schema ' || quote_ident(n.nspname) AS what, n.nspowner AS owner, COALESCE(n.nspacl, acldefault('n', n.nspowner)) AS acl
      FROM pg_namespace n WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
    UNION ALL
    SELECT 'table ' || c.oid::regclass::text, c.relowner, COALESCE(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')}
    UNION ALL
    SELECT 'function ' || p.oid::regprocedure::text, p.proowner, COALESCE(p.proacl, acldefault('f', p.proowner))
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}
    UNION ALL
    SELECT 'type ' || t.oid::regtype::text, t.typowner, COALESCE(t.typacl, acldefault('T', t.typowner))
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND (SELECT cc.relkind FROM pg_class cc WHERE cc.oid = t.typrelid) = 'c'))
       AND ${USER_SCHEMA} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}
  ) o, aclexplode(o.acl) acl`;

interface GrantRow {
  prefix: string;
  grantee: string;
  to_owner: boolean;
  attrs: Record<string, string | null>;
}

/** The snapshot with every object's privileges written out, NULL as its defaults, the owner's named `(owner)`. */
export async function withDefaultGrants(client: pg.ClientBase, snapshot: SchemaSnapshot): Promise<SchemaSnapshot> {
  const { rows } = await client.query<GrantRow>(GRANTS_SQL);
  return normalizedGrants(snapshot, rows);
}

/** The snapshot with `rows` as its grants on these objects, a grant to the owner renamed. Pure. */
export function normalizedGrants(snapshot: SchemaSnapshot, rows: readonly GrantRow[]): SchemaSnapshot {
  const result: SchemaSnapshot = new Map(snapshot);
  const grants = rows.map((row) => {
    result.delete(`grant ${row.prefix}${row.grantee}`);
    return { kind: 'grant', name: `${row.prefix}${row.to_owner ? OWNER : row.grantee}`, attrs: row.attrs };
  });
  for (const [key, object] of snapshotFromRows(grants)) result.set(key, object);
  return result;
}

/** How a grant to the object's owner is named. */
export const OWNER = '(owner)';
