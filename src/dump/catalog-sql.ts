/**
 * The catalog queries of `dump`, one per kind of object, each returning the rows of model.ts.
 * They run with an empty search_path, so PostgreSQL prints every name schema-qualified and
 * quoted where needed. `$1` is the array of relations left out (the journal's own tables, the
 * partitions upkeep manages, and their partitions). Objects of extensions and of PostgreSQL's
 * own schemas are left out with verify's filters.
 */
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from '../verify/snapshot.js';

/** SQL: relation `oid` is not one of those left out. */
const KEPT = (oid: string): string => `NOT (${oid} = ANY ($1::oid[]))`;

/** SQL: `c` (joined with its schema `n`) is a user relation that is kept. */
const KEPT_RELATION = `${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_class', 'c.oid')} AND ${KEPT('c.oid')}`;

const FROM_RELATION = 'FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace';

/** SQL: a collation worth naming (not the type's own). */
const COLLATION = (collation: string, typeCollation: string): string =>
  `CASE WHEN ${collation} <> 0 AND ${collation} <> ${typeCollation} THEN ${collation}::regcollation::text END`;

/** SQL: a sequence's settings as a JSON object (SequenceSettings). */
const SEQUENCE_JSON = (s: string): string =>
  `json_build_object('type', format_type(${s}.seqtypid, NULL), 'start', ${s}.seqstart::text, 'increment', ${s}.seqincrement::text,
     'min', ${s}.seqmin::text, 'max', ${s}.seqmax::text, 'cache', ${s}.seqcache::text, 'cycle', ${s}.seqcycle)`;

const TYPE_FILTER = `${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_type', 't.oid')}`;
const FROM_TYPE = 'FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace';

export const QUERIES = {
  schemas: `SELECT quote_ident(n.nspname) AS name FROM pg_namespace n
     WHERE ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_namespace', 'n.oid')}`,
  extensions: `SELECT quote_ident(x.extname) AS name, quote_ident(n.nspname) AS schema
     FROM pg_extension x JOIN pg_namespace n ON n.oid = x.extnamespace WHERE x.extname <> 'plpgsql'`,
  enums: `SELECT t.oid::regtype::text AS name,
          array(SELECT e.enumlabel::text FROM pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
     ${FROM_TYPE} WHERE t.typtype = 'e' AND ${TYPE_FILTER}`,
  domains: `SELECT t.oid::regtype::text AS name, format_type(t.typbasetype, t.typtypmod) AS base,
          ${COLLATION('t.typcollation', 'b.typcollation')} AS collation, t.typnotnull AS "notNull",
          pg_get_expr(t.typdefaultbin, 0) AS default,
          coalesce((SELECT json_agg(json_build_object('name', quote_ident(k.conname), 'definition', pg_get_constraintdef(k.oid)) ORDER BY k.conname)
                      FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), '[]') AS checks
     ${FROM_TYPE} JOIN pg_type b ON b.oid = t.typbasetype WHERE t.typtype = 'd' AND ${TYPE_FILTER}`,
  composites: `SELECT t.oid::regtype::text AS name,
          coalesce((SELECT json_agg(json_build_object('name', quote_ident(a.attname), 'type', format_type(a.atttypid, a.atttypmod),
                                                      'collation', ${COLLATION('a.attcollation', 'at.typcollation')}) ORDER BY a.attnum)
                      FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
                     WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped), '[]') AS attributes
     ${FROM_TYPE} JOIN pg_class c ON c.oid = t.typrelid WHERE t.typtype = 'c' AND c.relkind = 'c' AND ${TYPE_FILTER}`,
  ranges: `SELECT t.oid::regtype::text AS name, format_type(r.rngsubtype, NULL) AS subtype,
          CASE WHEN NOT opc.opcdefault THEN quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) END AS opclass,
          ${COLLATION('r.rngcollation', 'st.typcollation')} AS collation,
          CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regproc::text END AS canonical,
          CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regproc::text END AS diff,
          r.rngmultitypid::regtype::text AS multirange
     ${FROM_TYPE} JOIN pg_range r ON r.rngtypid = t.oid JOIN pg_type st ON st.oid = r.rngsubtype
     JOIN pg_opclass opc ON opc.oid = r.rngsubopc JOIN pg_namespace opn ON opn.oid = opc.opcnamespace
    WHERE t.typtype = 'r' AND ${TYPE_FILTER}`,
  // sequences of their own (an identity column's is part of its column)
  sequences: `SELECT c.oid::regclass::text AS name, (${SEQUENCE_JSON('s')}) AS settings,
          (SELECT d.refobjid::regclass::text || '.' || quote_ident(a.attname)
             FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
            WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'a' AND d.refobjsubid > 0 AND ${KEPT('d.refobjid')}) AS "ownedBy"
     ${FROM_RELATION} JOIN pg_sequence s ON s.seqrelid = c.oid
    WHERE c.relkind = 'S' AND ${KEPT_RELATION}
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                        AND (d.deptype = 'i' OR (d.deptype = 'a' AND NOT ${KEPT('d.refobjid')})))`,
  functions: `SELECT p.oid::regprocedure::text AS name, pg_get_functiondef(p.oid) AS definition,
          EXISTS (SELECT 1 FROM pg_depend d JOIN pg_type dt ON dt.oid = d.refobjid
                    JOIN pg_type t ON t.oid = CASE WHEN dt.typelem <> 0 AND dt.typlen = -1 THEN dt.typelem ELSE dt.oid END
                    JOIN pg_class c ON c.oid = t.typrelid
                   WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_type'::regclass AND c.relkind <> 'c') AS late
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prokind IN ('f', 'p', 'w') AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`,
  tables: `SELECT c.oid::regclass::text AS name, c.relkind::text AS kind, c.relpersistence = 'u' AS unlogged,
          CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS "partitionKey",
          (SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid AND c.relispartition) AS "partitionOf",
          CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
          array(SELECT i.inhparent::regclass::text FROM pg_inherits i WHERE i.inhrelid = c.oid AND NOT c.relispartition ORDER BY i.inhseqno) AS inherits,
          coalesce(c.reloptions, '{}') AS options, c.relrowsecurity AS "rowSecurity", c.relforcerowsecurity AS "forceRowSecurity",
          CASE WHEN c.relispartition THEN (SELECT count(*) FROM pg_partition_ancestors(c.oid)) - 1 ELSE 0 END::int AS depth,
          coalesce((SELECT json_agg(json_build_object(
              'name', quote_ident(a.attname), 'type', format_type(a.atttypid, a.atttypmod),
              'collation', ${COLLATION('a.attcollation', 't.typcollation')}, 'notNull', a.attnotnull,
              'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
              'identity', a.attidentity::text,
              'generated', CASE WHEN a.attgenerated <> '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
              'sequence', (SELECT ${SEQUENCE_JSON('s')} FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid
                            WHERE a.attidentity <> '' AND d.classid = 'pg_class'::regclass AND d.refobjid = c.oid
                              AND d.refobjsubid = a.attnum AND d.deptype = 'i')
            ) ORDER BY a.attnum)
            FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
           WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attislocal), '[]') AS columns
     ${FROM_RELATION} WHERE c.relkind IN ('r', 'p') AND ${KEPT_RELATION}`,
  views: `SELECT c.oid::regclass::text AS name, c.relkind = 'm' AS materialized, pg_get_viewdef(c.oid) AS definition,
          coalesce(c.reloptions, '{}') AS options,
          array(SELECT DISTINCT d.refobjid::regclass::text
                  FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
                  JOIN pg_class u ON u.oid = d.refobjid
                 WHERE r.ev_class = c.oid AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> c.oid AND u.relkind IN ('v', 'm')) AS uses
     ${FROM_RELATION} WHERE c.relkind IN ('v', 'm') AND ${KEPT_RELATION}`,
  constraints: `SELECT c.oid::regclass::text AS "table", quote_ident(k.conname) AS name, k.contype::text AS type,
          pg_get_constraintdef(k.oid) AS definition
     FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE k.contype IN ('p', 'u', 'c', 'x', 'f') AND k.conparentid = 0 AND k.conislocal AND c.relkind IN ('r', 'p') AND ${KEPT_RELATION}`,
  // not the indexes of constraints, nor the copies on partitions of a partitioned table's index
  indexes: `SELECT c.oid::regclass::text AS "table", quote_ident(ic.relname) AS name, pg_get_indexdef(i.indexrelid) AS definition,
          c.relkind = 'p' AS partitioned
     FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid JOIN pg_class c ON c.oid = i.indrelid
     JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT ic.relispartition AND ${KEPT_RELATION}
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))`,
  triggers: `SELECT c.oid::regclass::text AS "table", quote_ident(t.tgname) AS name, pg_get_triggerdef(t.oid) AS definition,
          t.tgenabled::text AS enabled
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND ${KEPT_RELATION}`,
  rules: `SELECT c.oid::regclass::text AS "table", quote_ident(r.rulename) AS name, pg_get_ruledef(r.oid) AS definition
     FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE r.rulename <> '_RETURN' AND ${KEPT_RELATION}`,
  policies: `SELECT c.oid::regclass::text AS "table", quote_ident(p.polname) AS name, p.polpermissive AS permissive,
          p.polcmd::text AS command,
          array(SELECT CASE WHEN r = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r)) END FROM unnest(p.polroles) r ORDER BY 1) AS roles,
          pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check
     FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE ${KEPT_RELATION}`,
};
