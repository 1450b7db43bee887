/**
 * Reads everything `dump` shows from the catalogs, in one read-only snapshot, with the session
 * settings that make PostgreSQL print the same text on every run: an empty search_path (names
 * schema-qualified and quoted where needed), UTC and ISO dates (partition bounds, defaults), all
 * float digits. Left out: objects of extensions and of PostgreSQL's own schemas (verify's
 * filters), the journal's own tables, and the partitions that partition upkeep manages (they
 * come and go every period without a migration; the parent's note names the rule instead).
 * Then the queries, one per kind of object, each returning the rows of model.ts; `$1` is the
 * array of relations left out. Foreign tables are not dumped, so neither are their comments
 * and grants (the file must still load).
 */
import type { ClientBase } from 'pg';
import { quoteIdentifier } from '../identifiers.js';
import { journalOwnTables } from '../journal/sql.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { DatabaseError } from '../errors.js';
import { readKey, readPartitions, resolveTable } from '../partitions/catalog.js';
import { INTERVAL_ADJECTIVE, type PartitionInterval, partitionNameOf, periodEnd, periodOf, periodStart } from '../partitions/periods.js';
import type { ExistingPartition } from '../partitions/plan.js';
import { readRegistry } from '../partitions/registry.js';
import { PartitionSetupError } from '../partitions/types.js';
import { NOT_EXTENSION_MEMBER, USER_SCHEMA } from '../verify/snapshot.js';
import type { AppliedMigration, DumpCatalog, ManagedTable, SequenceRow, SequenceSettings } from './model.js';

/** The journal as `dump` needs it (db/journal.ts's Journal fits). */
interface DumpJournal {
  schema: string;
  table: string;
  quoted: string;
  partialQuoted: string;
  /** `schema.table`, for the closing comment. */
  display: string;
}

const SETTINGS = `SET LOCAL search_path = ''; SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD';
SET LOCAL IntervalStyle = 'postgres'; SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'`;

/** The dump's catalog rows, read in one REPEATABLE READ READ ONLY transaction. */
export async function readDumpCatalog(client: ClientBase, journal: DumpJournal): Promise<DumpCatalog> {
  await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; ${SETTINGS}`);
  try {
    const catalog = await readInTransaction(client, journal);
    await client.query('COMMIT');
    return catalog;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    const pg = pgErrorOf(error);
    if (pg) throw new DatabaseError(`dump cannot read the catalogs: ${pg.message}`, pg.code ?? 'XX000');
    throw error;
  }
}

async function readInTransaction(client: ClientBase, journal: DumpJournal): Promise<DumpCatalog> {
  const managed = await readManagedPartitions(client, journal);
  const own = journalOwnTables(journal.table).map((table) => `${quoteIdentifier(journal.schema)}.${quoteIdentifier(table)}`);
  const excluded = await excludedRelations(client, [...own, ...managed.partitions]);
  const rows = <T>(sql: string): Promise<T[]> => rowsOf<T>(client, sql, excluded);
  const sequences = await rows<Omit<SequenceRow, keyof SequenceSettings> & { settings: SequenceSettings }>(QUERIES.sequences);
  return {
    schemas: (await rows<{ name: string }>(QUERIES.schemas)).map((row) => row.name),
    extensions: await rows(QUERIES.extensions),
    enums: await rows(QUERIES.enums),
    domains: await rows(QUERIES.domains),
    composites: await rows(QUERIES.composites),
    ranges: await rows(QUERIES.ranges),
    sequences: sequences.map(({ settings, ...row }) => ({ ...row, ...settings })),
    functions: await rows(QUERIES.functions),
    tables: await rows(QUERIES.tables),
    views: await rows(QUERIES.views),
    constraints: await rows(QUERIES.constraints),
    indexes: await rows(QUERIES.indexes),
    triggers: await rows(QUERIES.triggers),
    rules: await rows(QUERIES.rules),
    policies: await rows(QUERIES.policies),
    comments: await rows(COMMENTS_SQL),
    grants: await rows(GRANTS_SQL),
    revokes: (await rows<{ target: string }>(REVOKES_SQL)).map((row) => row.target),
    managed: managed.tables,
    ...(await appliedMigrations(client, journal)),
  };
}

/** The journal's rows, names only (it is checked here: `up` may have created it after the scope resolved it). */
async function appliedMigrations(client: ClientBase, journal: DumpJournal): Promise<Pick<DumpCatalog, 'journal' | 'migrations'>> {
  const { rows: found } = await client.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [journal.quoted]);
  if (!found[0]?.exists) return { journal: null, migrations: [] };
  const { rows } = await client.query<AppliedMigration>(`SELECT version::text AS version, name FROM ${journal.quoted} ORDER BY version`);
  return { journal: journal.display, migrations: rows };
}

/** The relations left out, with their partitions: the journal's own tables and the managed partitions. */
async function excludedRelations(client: ClientBase, names: readonly string[]): Promise<string[]> {
  const { rows } = await client.query<{ oids: string[] }>(
    `SELECT coalesce(array_agg(DISTINCT r.relid::oid::text), '{}') AS oids
       FROM unnest($1::text[]) AS x(name),
            LATERAL (SELECT to_regclass(x.name) AS relid UNION ALL SELECT t.relid FROM pg_partition_tree(to_regclass(x.name)) t) r
      WHERE r.relid IS NOT NULL`,
    [names],
  );
  return rows[0]?.oids ?? [];
}

async function rowsOf<T>(client: ClientBase, sql: string, excluded: readonly string[]): Promise<T[]> {
  return (await client.query(sql, sql.includes('$1') ? [excluded] : [])).rows as T[];
}

// Managed partitions: upkeep creates and drops them every period, without a migration.

interface ManagedPartitions {
  tables: ManagedTable[];
  /** The partitions upkeep manages, quoted and qualified. */
  partitions: string[];
}

/** The registered tables and their managed partitions; a table upkeep cannot manage has none. */
async function readManagedPartitions(client: ClientBase, journal: DumpJournal): Promise<ManagedPartitions> {
  const result: ManagedPartitions = { tables: [], partitions: [] };
  for (const entry of await readRegistry(client, journal)) {
    const name = `${quoteIdentifier(entry.schema)}.${quoteIdentifier(entry.table)}`;
    const info = await resolveTable(client, name);
    if (info?.relkind !== 'p') continue;
    try {
      const partitions = await readPartitions(client, name, info, await readKey(client, name, info));
      const managed = partitions.filter((partition) => isManagedPartition(info.relname, entry.interval, partition));
      result.partitions.push(...managed.map((partition) => partition.sql));
    } catch (error) {
      if (!(error instanceof PartitionSetupError)) throw error;
      continue; // upkeep refuses this table, so it manages none of its partitions
    }
    // As the table rows name it (regclass under an empty search_path), so the note finds its table.
    const { rows } = await client.query<{ shown: string }>('SELECT $1::pg_catalog.oid::pg_catalog.regclass::text AS shown', [info.oid]);
    const shown = rows[0]?.shown ?? name;
    result.tables.push({ name: shown, interval: INTERVAL_ADJECTIVE[entry.interval], ahead: entry.ahead, retain: entry.retain });
  }
  return result;
}

/**
 * True for a partition upkeep would have made: the period's name and exactly its range. A
 * hand-made partition of another name or range (an archive, the default) stays in the dump. Pure.
 */
export function isManagedPartition(table: string, interval: PartitionInterval, partition: ExistingPartition): boolean {
  if (partition.isDefault || partition.from === null || partition.to === null) return false;
  const period = periodOf(partition.from, interval);
  return (
    partition.name === partitionNameOf(table, period) &&
    partition.from.getTime() === periodStart(period).getTime() &&
    partition.to.getTime() === periodEnd(period).getTime()
  );
}

// The queries: names come out quoted and qualified (empty search_path); `$1` is the relations left out.

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

const QUERIES = {
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

// Comments and privileges, which span every kind of object.

/** SQL: a function or procedure `p` (in schema `n`) of the user's own (not an aggregate). */
const KEPT_PROC = `p.prokind <> 'a' AND ${USER_SCHEMA('n')} AND ${NOT_EXTENSION_MEMBER('pg_proc', 'p.oid')}`;
/** Types of their own: not arrays, not the row types of tables. */
const KEPT_TYPE = `${TYPE_FILTER} AND t.typtype IN ('e', 'd', 'r', 'c')
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

const COMMENTS_SQL = `
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

const GRANTS_SQL = `
SELECT o.target, o.col AS "column", a.privilege_type AS privilege, a.is_grantable AS grantable,
       CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END AS grantee
  FROM (${ACLS}) o, aclexplode(o.acl) a
 WHERE a.grantee <> o.owner`;

/** Functions and types whose PUBLIC EXECUTE / USAGE (granted by default) was revoked. */
const REVOKES_SQL = `
SELECT o.target FROM (
  SELECT ${PROC_KIND} || p.oid::regprocedure::text AS target, p.proacl AS acl, 'EXECUTE' AS privilege
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proacl IS NOT NULL AND ${KEPT_PROC}
  UNION ALL
  SELECT ${TYPE_KIND} || t.oid::regtype::text, t.typacl, 'USAGE'
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE t.typacl IS NOT NULL AND ${KEPT_TYPE}
) o WHERE NOT EXISTS (SELECT 1 FROM aclexplode(o.acl) a WHERE a.grantee = 0 AND a.privilege_type = o.privilege)`;
