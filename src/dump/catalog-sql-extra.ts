/**
 * The catalog queries of `dump` that span every kind of object: comments and privileges.
 * Same rules as catalog-sql.ts (empty search_path; `$1` the relations left out). Foreign tables
 * are not dumped, so neither are their comments and grants (the file must still load).
 */
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from '../verify/snapshot.js';

const KEPT = (oid: string): string => `NOT (${oid} = ANY ($1::oid[]))`;
const KEPT_RELATION = `${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')} AND ${KEPT('c.oid')}`;
const KEPT_PROC = `p.prokind <> 'a' AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`;
/** Types of their own: not arrays, not the row types of tables. */
const KEPT_TYPE = `${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')} AND t.typtype IN ('e', 'd', 'r', 'c')
  AND (t.typrelid = 0 OR (SELECT r.relkind FROM pg_class r WHERE r.oid = t.typrelid) = 'c')`;

const RELATION_KIND = `CASE c.relkind WHEN 'v' THEN 'VIEW ' WHEN 'm' THEN 'MATERIALIZED VIEW ' WHEN 'S' THEN 'SEQUENCE '
  WHEN 'i' THEN 'INDEX ' WHEN 'I' THEN 'INDEX ' ELSE 'TABLE ' END`;
const PROC_KIND = `CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END`;
const TYPE_KIND = `CASE t.typtype WHEN 'd' THEN 'DOMAIN ' ELSE 'TYPE ' END`;
const ON_TABLE = (name: string, relation: string): string => `quote_ident(${name}) || ' ON ' || ${relation}::regclass::text`;

/** SQL: a relation `c` whose comment belongs in the dump (an index only when its table is kept and it is no index partition). */
const COMMENTED_RELATION = `${KEPT_RELATION} AND c.relkind NOT IN ('c', 'f') AND (c.relkind NOT IN ('i', 'I') OR
  (NOT c.relispartition AND EXISTS (SELECT 1 FROM pg_index i WHERE i.indexrelid = c.oid AND ${KEPT('i.indrelid')})))`;

const d = (catalog: string, alias: string, oid: string): string =>
  `FROM pg_description d JOIN ${catalog} ${alias} ON d.classoid = '${catalog}'::regclass AND d.objoid = ${oid}`;

export const COMMENTS_SQL = `
SELECT ${RELATION_KIND} || c.oid::regclass::text AS target, d.description AS text
  ${d('pg_class', 'c', 'c.oid')} AND d.objsubid = 0 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${COMMENTED_RELATION}
UNION ALL
SELECT 'COLUMN ' || c.oid::regclass::text || '.' || quote_ident(a.attname), d.description
  ${d('pg_class', 'c', 'c.oid')} JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.objsubid
  JOIN pg_namespace n ON n.oid = c.relnamespace WHERE d.objsubid > 0 AND c.relkind IN ('r', 'p', 'v', 'm', 'c') AND ${KEPT_RELATION}
UNION ALL
SELECT ${PROC_KIND} || p.oid::regprocedure::text, d.description
  ${d('pg_proc', 'p', 'p.oid')} JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${KEPT_PROC}
UNION ALL
SELECT ${TYPE_KIND} || t.oid::regtype::text, d.description
  ${d('pg_type', 't', 't.oid')} JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${KEPT_TYPE}
UNION ALL
SELECT 'SCHEMA ' || quote_ident(n.nspname), d.description
  ${d('pg_namespace', 'n', 'n.oid')} WHERE ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
UNION ALL
SELECT 'CONSTRAINT ' || CASE WHEN k.conrelid <> 0 THEN ${ON_TABLE('k.conname', 'k.conrelid')}
                             ELSE quote_ident(k.conname) || ' ON DOMAIN ' || k.contypid::regtype::text END, d.description
  ${d('pg_constraint', 'k', 'k.oid')} JOIN pg_namespace n ON n.oid = k.connamespace
 WHERE k.conparentid = 0 AND ${USER_SCHEMA('n')} AND ${KEPT('k.conrelid')}
UNION ALL
SELECT 'TRIGGER ' || ${ON_TABLE('g.tgname', 'g.tgrelid')}, d.description
  ${d('pg_trigger', 'g', 'g.oid')} JOIN pg_class c ON c.oid = g.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE g.tgparentid = 0 AND ${KEPT_RELATION}
UNION ALL
SELECT 'POLICY ' || ${ON_TABLE('p.polname', 'p.polrelid')}, d.description
  ${d('pg_policy', 'p', 'p.oid')} JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${KEPT_RELATION}
UNION ALL
SELECT 'RULE ' || ${ON_TABLE('r.rulename', 'r.ev_class')}, d.description
  ${d('pg_rewrite', 'r', 'r.oid')} JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE r.rulename <> '_RETURN' AND ${KEPT_RELATION}
UNION ALL
SELECT 'EXTENSION ' || quote_ident(x.extname), d.description ${d('pg_extension', 'x', 'x.oid')} WHERE x.extname <> 'plpgsql'`;

/** Every object with privileges of its own, its ACL and its owner (whose own privileges are not shown). */
const ACLS = `
SELECT 'SCHEMA ' || quote_ident(n.nspname) AS target, NULL::text AS col, n.nspacl AS acl, n.nspowner AS owner
  FROM pg_namespace n WHERE n.nspacl IS NOT NULL AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}
UNION ALL
SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE ' ELSE 'TABLE ' END || c.oid::regclass::text, NULL, c.relacl, c.relowner
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND ${KEPT_RELATION}
UNION ALL
SELECT 'TABLE ' || c.oid::regclass::text, quote_ident(a.attname), a.attacl, c.relowner
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attacl IS NOT NULL AND c.relkind IN ('r', 'p', 'v', 'm') AND ${KEPT_RELATION}
UNION ALL
SELECT ${PROC_KIND} || p.oid::regprocedure::text, NULL, p.proacl, p.proowner
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proacl IS NOT NULL AND ${KEPT_PROC}
UNION ALL
SELECT ${TYPE_KIND} || t.oid::regtype::text, NULL, t.typacl, t.typowner
  FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typacl IS NOT NULL AND ${KEPT_TYPE}`;

export const GRANTS_SQL = `
SELECT o.target, o.col AS "column", a.privilege_type AS privilege, a.is_grantable AS grantable,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee
  FROM (${ACLS}) o, aclexplode(o.acl) a
 WHERE a.grantee <> o.owner`;

/** Functions and types whose PUBLIC EXECUTE / USAGE (granted by default) was revoked. */
export const REVOKES_SQL = `
SELECT o.target FROM (
  SELECT ${PROC_KIND} || p.oid::regprocedure::text AS target, p.proacl AS acl, 'EXECUTE' AS privilege
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proacl IS NOT NULL AND ${KEPT_PROC}
  UNION ALL
  SELECT ${TYPE_KIND} || t.oid::regtype::text, t.typacl, 'USAGE'
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typacl IS NOT NULL AND ${KEPT_TYPE}
) o WHERE NOT EXISTS (SELECT 1 FROM aclexplode(o.acl) a WHERE a.grantee = 0 AND a.privilege_type = o.privilege)`;
