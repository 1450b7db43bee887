import type pg from 'pg';
import { ValidationError } from '../errors.js';
import type { StartingSchemas } from '../journal/metadata.js';

/**
 * What `DROP ... CASCADE` would take along, found before anything is dropped: one recursive walk
 * of pg_depend from every object reset drops (its schemas, and the objects the migrations made
 * in a schema that existed before them). Every object the walk reaches must lie inside what reset
 * drops; anything else — a view, FK, trigger, index or extended statistics on a kept table, an
 * operator or function of a kept schema, a cast, an event trigger, a publication's membership —
 * makes reset refuse (exit 3) naming it (pg_describe_object). pg_shdepend is not walked: it only
 * ties objects to roles and tablespaces, which no drop of these objects removes.
 */

/** An object of a schema reset keeps (it existed before the first migration), at the top level. */
export interface TopLevelObject {
  /** OIDs as text: they do not fit a JavaScript integer's safe signed range in every database. */
  classid: string;
  objid: string;
  schema: string;
  /** `type identity`, as the record of the starting schemas holds it. */
  address: string;
  type: string;
  identity: string;
  /** A member of an extension: it goes with its extension. */
  member: boolean;
}

const TOP_LEVEL_SQL = `
SELECT d.classid::text AS classid, d.objid::text AS objid, n.nspname::text AS schema, a.type, a.identity,
       a.type || ' ' || a.identity AS address,
       EXISTS (SELECT 1 FROM pg_catalog.pg_depend e WHERE e.classid = d.classid AND e.objid = d.objid AND e.deptype = 'e') AS member
  FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_namespace n ON n.oid = d.refobjid,
       LATERAL pg_catalog.pg_identify_object(d.classid, d.objid, 0) a
 WHERE d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND d.deptype = 'n' AND n.nspname = ANY ($1::text[])
 ORDER BY d.objid`;

/**
 * The objects the migrations (or anyone after them) made in the kept schemas: those not in the
 * record of the starting schemas, extension members aside (their extension stands for them).
 */
export async function objectsMadeSince(
  client: pg.ClientBase,
  kept: readonly string[],
  starting: StartingSchemas,
): Promise<TopLevelObject[]> {
  if (kept.length === 0) return [];
  const { rows } = await client.query<TopLevelObject>(TOP_LEVEL_SQL, [kept]);
  return rows.filter((row) => !row.member && !starting.get(row.schema)?.has(row.address));
}

/** One object the walk reached (a column or other sub-object has `subid` > 0). */
export interface ReachedObject {
  /** `classid:objid` of the whole object. */
  key: string;
  subid: number;
  /** The schema it lives in (its namespace dependency), null for objects outside any schema. */
  schema: string | null;
  /** It is one of the schemas reset drops. */
  droppedSchema: boolean;
  /** What it is part of ('i' internal, 'e' extension member): it cannot go without them. */
  owners: string[];
  /** What it belongs to ('a' auto, partition dependencies): for objects outside any schema. */
  autoOwners: string[];
  member: boolean;
  address: string;
}

const WALK_SQL = `
WITH RECURSIVE walk(classid, objid, objsubid) AS (
  SELECT 'pg_catalog.pg_namespace'::pg_catalog.regclass::oid, n.oid, 0 FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY ($1::text[])
  UNION
  SELECT s.classid, s.objid, 0 FROM unnest($2::oid[], $3::oid[]) AS s(classid, objid)
  UNION
  SELECT d.classid, d.objid, d.objsubid FROM pg_catalog.pg_depend d JOIN walk w
    ON d.refclassid = w.classid AND d.refobjid = w.objid AND (w.objsubid = 0 OR d.refobjsubid = w.objsubid)
)
SELECT w.classid || ':' || w.objid AS key, w.objsubid AS subid,
       (w.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass AND w.objsubid = 0
        AND w.objid IN (SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY ($1::text[]))) AS "droppedSchema",
       (SELECT n.nspname::text FROM pg_catalog.pg_depend d JOIN pg_catalog.pg_namespace n ON n.oid = d.refobjid
         WHERE d.classid = w.classid AND d.objid = w.objid AND d.objsubid = 0 AND d.deptype = 'n'
           AND d.refclassid = 'pg_catalog.pg_namespace'::pg_catalog.regclass LIMIT 1) AS schema,
       ARRAY(SELECT DISTINCT d.refclassid || ':' || d.refobjid FROM pg_catalog.pg_depend d
              WHERE d.classid = w.classid AND d.objid = w.objid AND d.deptype IN ('i', 'e')) AS owners,
       ARRAY(SELECT DISTINCT d.refclassid || ':' || d.refobjid FROM pg_catalog.pg_depend d
              WHERE d.classid = w.classid AND d.objid = w.objid AND d.deptype IN ('a', 'P', 'S')) AS "autoOwners",
       EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = w.classid AND d.objid = w.objid AND d.deptype = 'e') AS member,
       (SELECT a.type || ' ' || a.identity FROM pg_catalog.pg_identify_object(w.classid, w.objid, 0) a) AS address
  FROM walk w`;

/** What reset drops: whole schemas, and objects made since the start in kept schemas. */
export interface DropScope {
  schemas: readonly string[];
  madeSince: readonly TopLevelObject[];
  starting: StartingSchemas | undefined;
}

/**
 * Refuses (exit 3, nothing dropped) when dropping `scope` would reach anything outside it.
 * Call in the transaction that drops, before the drop.
 */
export async function assertDropStaysInside(client: pg.ClientBase, scope: DropScope, what: string): Promise<void> {
  const { rows } = await client.query<ReachedObject>(WALK_SQL, [
    scope.schemas,
    scope.madeSince.map((object) => object.classid),
    scope.madeSince.map((object) => object.objid),
  ]);
  const outside = objectsOutside(rows, scope);
  if (outside.length === 0) return;
  const names = await describe(client, outside);
  const count = names.length === 1 ? 'an object' : `${names.length} objects`;
  throw new ValidationError(
    `refusing to reset: dropping ${what} would also drop ${count} reset must keep (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}); nothing was changed — drop ${names.length === 1 ? 'it' : 'them'} first, or create ${names.length === 1 ? 'it' : 'them'} in a migration`,
    names,
  );
}

/**
 * The reached objects that lie outside what reset drops. Inside: a dropped schema; an object
 * living in a dropped schema, or made since the start in a kept one, that is not part of
 * ('i', 'e') anything outside; an object of no schema (trigger, policy, index, default) whose
 * owners all lie inside. Pure.
 */
export function objectsOutside(
  reached: readonly ReachedObject[],
  scope: Pick<DropScope, 'schemas' | 'madeSince' | 'starting'>,
): ReachedObject[] {
  const whole = new Map(reached.filter((object) => object.subid === 0).map((object) => [object.key, object]));
  const madeSince = new Set(scope.madeSince.map((object) => `${object.schema}\u0000${object.address}`));
  const memo = new Map<string, boolean>();
  const inside = (key: string): boolean => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    memo.set(key, true); // a cycle of owners decides nothing by itself
    const object = whole.get(key);
    const result = object !== undefined && isInside(object);
    memo.set(key, result);
    return result;
  };
  const located = (object: ReachedObject): boolean => {
    if (object.schema === null) return false;
    if (scope.schemas.includes(object.schema)) return true;
    return object.member ? scope.starting?.has(object.schema) === true : madeSince.has(`${object.schema}\u0000${object.address}`);
  };
  const isInside = (object: ReachedObject): boolean => {
    if (object.droppedSchema) return true;
    if (object.schema !== null) return located(object) && object.owners.every(inside);
    const owners = [...object.owners, ...object.autoOwners];
    return owners.length > 0 && owners.every(inside);
  };
  return reached.filter((object) => !inside(object.key));
}

/** pg_describe_object of each, an internal part named by what it is part of (a view, not its rule). */
async function describe(client: pg.ClientBase, objects: readonly ReachedObject[]): Promise<string[]> {
  const { rows } = await client.query<{ description: string }>(
    `SELECT COALESCE(
              (SELECT pg_catalog.pg_describe_object(d.refclassid, d.refobjid, 0) FROM pg_catalog.pg_depend d
                WHERE d.classid = o.classid AND d.objid = o.objid AND d.deptype = 'i' LIMIT 1),
              pg_catalog.pg_describe_object(o.classid, o.objid, o.subid)) AS description
       FROM unnest($1::oid[], $2::oid[], $3::int[]) WITH ORDINALITY AS o(classid, objid, subid, n) ORDER BY o.n`,
    [objects.map((o) => o.key.split(':')[0]), objects.map((o) => o.key.split(':')[1]), objects.map((o) => o.subid)],
  );
  return [...new Set(rows.map((row) => row.description))];
}
