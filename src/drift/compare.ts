import type pg from 'pg';
import { journalOwnTables } from '../journal/sql.js';
import { quoteIdentifier } from '../identifiers.js';
import type { Journal } from '../journal/journal.js';
import { listRegistry } from '../partitions/registry.js';
import { plural } from '../plural.js';
import { COLUMN_ORDER } from '../verify/column-order.js';
import { compareSnapshots, withoutImpliedDifferences, type SchemaDifference } from '../verify/compare.js';
import { showPair } from '../verify/show-difference.js';
import { snapshotFromRows, takeSnapshot, type SchemaObject, type SchemaSnapshot } from '../verify/snapshot.js';

/**
 * How a live database differs from what its applied migrations build, in words an operator can
 * act on: what is in the database but in no migration, what the migrations create but the
 * database lacks, and each attribute that differs. Both sides are read alike (one query set on
 * the target, the same on the scratch database); the rest is pure. Objects expected to differ
 * are never drift: the journal and its companion tables (the partition registry among them),
 * and the partitions upkeep manages — children of a registered table, except its default one.
 */

/** The relations to leave out, as the snapshot names them (regclass text). */
export interface ExpectedRelations {
  /** The journal and its companions that exist. */
  journalTables: readonly string[];
  /** Tables registered for partition upkeep. */
  registered: readonly string[];
}

/** One side of the comparison: its schema and the relations in it that are expected to differ. */
export interface ComparableSchema {
  /** As read, every object's privileges written out (see withDefaultGrants). */
  snapshot: SchemaSnapshot;
  relations: ExpectedRelations;
}

/** One difference, as `drift --json` prints it. */
export interface DriftDifference {
  /** `table`, `column`, `index`, `function`, `grant`, ... */
  kind: string;
  /** e.g. `users.nickname`, `users.by_hand_idx`, `cleanup_expired_sessions(interval)`. */
  name: string;
  /** `extra`: in the database only; `missing`: in the migrations only; `changed`: an attribute differs. */
  change: 'extra' | 'missing' | 'changed';
  /** With `changed`: which attribute (`type`, `default`, `not null`, `definition`, `column order`, ...). */
  attribute?: string;
  /** With `changed`: the database's value (null: not set). */
  database?: string | null;
  /** With `changed`: the value the migrations give (null: not set). */
  migrations?: string | null;
}

/** Reads one side: the schema with its grants made comparable, then its expected relations. */
export async function readComparableSchema(client: pg.ClientBase, journal: Journal): Promise<ComparableSchema> {
  const snapshot = await withDefaultGrants(client, await takeSnapshot(client));
  return { snapshot, relations: await readExpectedRelations(client, journal) };
}

/** The live database against what its migrations build, expected objects left out of both. Pure. */
export function compareSchemas(expected: ComparableSchema, live: ComparableSchema): DriftDifference[] {
  // A table registered by hand (`partitions register`) on one side has its managed partitions on both.
  const registered = [...new Set([...live.relations.registered, ...expected.relations.registered])];
  return driftBetween(
    withoutExpectedObjects(expected.snapshot, { ...expected.relations, registered }),
    withoutExpectedObjects(live.snapshot, { ...live.relations, registered }),
  );
}

/** Compares the live snapshot with the expected one: differences in a stable order, implied ones left out. Pure. */
export function driftBetween(expected: SchemaSnapshot, live: SchemaSnapshot): DriftDifference[] {
  return withoutImpliedDifferences(compareSnapshots(expected, live)).map(toDrift);
}

/** One line for a difference. Pure. */
export function describeDrift(difference: DriftDifference): string {
  const { kind, name } = difference;
  if (difference.change === 'extra') return `extra ${kind} ${name}: not in the migrations (write a migration for it, or drop it)`;
  if (difference.change === 'missing') return `${kind} ${name}: missing from the database (the migrations create it; restore it)`;
  const was = difference.migrations ?? null;
  const is = difference.database ?? null;
  if (difference.attribute === COLUMN_ORDER)
    return `${kind} ${name}: column order ${is ?? 'none'} in the database, ${was ?? 'none'} in the migrations`;
  const shown = showPair(was, is);
  return `${kind} ${name}: ${difference.attribute} ${shown.actual} in the database, ${shown.expected} in the migrations`;
}

/** The closing line: equal, or how many differences and what to do. Pure. */
export function driftSummary(differences: readonly DriftDifference[], applied: number): string {
  const history = `its ${plural(applied, 'applied migration')} ${applied === 1 ? 'builds' : 'build'}`;
  if (differences.length === 0) return `No drift: the database matches what ${history}`;
  return `${plural(differences.length, 'difference')} between the database and what ${history}; write a migration for what should stay, undo the rest by hand`;
}

function toDrift(difference: SchemaDifference): DriftDifference {
  const { kind } = difference.object;
  const name = shownName(kind, difference.object.name);
  if (difference.type !== 'changed') return { kind, name, change: difference.type };
  return { kind, name, change: 'changed', attribute: difference.attribute, database: difference.actual, migrations: difference.expected };
}

/** Kinds named `<name> on <relation>`. */
const ON_RELATION = new Set(['index', 'constraint', 'trigger', 'policy', 'rule']);

/** `by_hand_idx on users` reads `users.by_hand_idx`; a domain's constraint keeps its own form. */
function shownName(kind: string, name: string): string {
  if (!ON_RELATION.has(kind)) return name;
  const at = name.lastIndexOf(' on ');
  const owner = name.slice(at + 4);
  return owner.startsWith('domain ') ? name : `${owner}.${name.slice(0, at)}`;
}

/** The snapshot without the journal's tables, managed partitions, and what belongs to them. Pure. */
export function withoutExpectedObjects(snapshot: SchemaSnapshot, relations: ExpectedRelations): SchemaSnapshot {
  const registered = new Set(relations.registered);
  const left = new Set(relations.journalTables);
  for (const object of snapshot.values()) {
    if (object.kind !== 'table') continue;
    const parent = object.attributes['partition of'];
    if (parent !== undefined && parent !== null && registered.has(parent) && object.attributes['partition bound'] !== 'DEFAULT')
      left.add(object.name);
  }
  if (left.size === 0) return snapshot;
  const kept: SchemaSnapshot = new Map();
  for (const [key, object] of snapshot) if (!belongsTo(object, left)) kept.set(key, object);
  return kept;
}

/** True when `object` is one of `relations` or part of one (column, index, grant, comment...). */
function belongsTo({ kind, name }: SchemaObject, relations: ReadonlySet<string>): boolean {
  if (kind === 'table' || kind === 'sequence') return relations.has(name);
  if (kind === 'column') return relations.has(name.slice(0, name.lastIndexOf('.')));
  if (ON_RELATION.has(kind)) return relations.has(name.slice(name.lastIndexOf(' on ') + 4));
  if (kind === 'grant') {
    const target = / on (?:table|column) (.+) to [^ ]+$/.exec(name)?.[1];
    if (target === undefined) return false;
    return relations.has(target) || (name.includes(' on column ') && relations.has(target.slice(0, target.lastIndexOf('.'))));
  }
  if (kind === 'comment') {
    const relation = /(?:^on | of | on )(?:table|sequence) (.+)$/.exec(name)?.[1];
    return relation !== undefined && relations.has(relation);
  }
  return false;
}

/**
 * The journal's tables and the registered tables of one database, named as its snapshot names
 * them (regclass text, which depends on the session's search_path), in one round trip after the
 * registry is read.
 */
async function readExpectedRelations(client: pg.ClientBase, journal: Journal): Promise<ExpectedRelations> {
  const own = journalOwnTables(journal.table).map((table) => `${quoteIdentifier(journal.schema)}.${quoteIdentifier(table)}`);
  const registered = (await listRegistry(client, journal)).map(
    (entry) => `${quoteIdentifier(entry.schema)}.${quoteIdentifier(entry.table)}`,
  );
  const { rows } = await client.query<{ name: string | null; registered: boolean }>(
    `SELECT pg_catalog.to_regclass(u.quoted)::text AS name, u.registered
       FROM unnest($1::text[], $2::boolean[]) AS u(quoted, registered)`,
    [
      [...own, ...registered],
      [...own.map(() => false), ...registered.map(() => true)],
    ],
  );
  const named = (wanted: boolean): string[] => rows.filter((r) => r.registered === wanted && r.name !== null).map((r) => r.name as string);
  return { journalTables: named(false), registered: named(true) };
}

/*
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

/** How a grant to the object's owner is named. */
const OWNER = '(owner)';

/** The snapshot with every object's privileges written out, NULL as its defaults, the owner's named `(owner)`. */
async function withDefaultGrants(client: pg.ClientBase, snapshot: SchemaSnapshot): Promise<SchemaSnapshot> {
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
