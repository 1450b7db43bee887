import { UsageError } from '../errors.js';
import type { Session } from '../connection/session.js';
import { compareSnapshots, withoutImpliedDifferences } from './compare.js';
import { objectKey, takeSnapshot, takeSnapshotInTransaction, type SchemaObject, type SchemaSnapshot } from './snapshot.js';

/**
 * Emptying a database the user gave with --scratch-url (verify must not drop it), so that
 * `verify --keep-going` can rebuild the scratch state there after a failure: every schema is
 * dropped with everything in it, and the schemas it started with (`public`) are created again
 * with the same owner, privileges and comment. That is only safe when the database started out
 * holding nothing but empty schemas, so {@link readStartingState} refuses any other database.
 */

/** A schema the database started with, as SQL that creates it again. */
interface StartingSchema {
  /** Quoted name. */
  name: string;
  /** CREATE SCHEMA, GRANTs and COMMENT, in order. */
  statements: string[];
}

/** How a --scratch-url database looked before verify changed it. */
export interface StartingState {
  database: string;
  snapshot: SchemaSnapshot;
  schemas: StartingSchema[];
  /** Quoted names of the extensions it started with (those in pg_catalog, e.g. plpgsql). */
  extensions: string[];
}

interface SchemaRow {
  name: string;
  may_recreate: boolean;
  statements: string[];
}

/**
 * The schemas a user may have made (PostgreSQL reserves `pg_*`), each with the SQL to create it
 * again. A comment on a built-in schema (`public`'s "standard public schema") is not put back:
 * on a re-created schema it would be a comment the snapshot sees and the starting state lacked.
 */
const SCHEMAS_SQL = `
SELECT quote_ident(n.nspname) AS name,
       pg_has_role(n.nspowner, 'MEMBER') AND has_database_privilege(current_database(), 'CREATE') AS may_recreate,
       ARRAY[format('CREATE SCHEMA %I AUTHORIZATION %I', n.nspname, pg_get_userbyid(n.nspowner))]
       || COALESCE((SELECT array_agg(format('GRANT %s ON SCHEMA %I TO %s%s', a.privilege_type, n.nspname,
                                            CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
                                            CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END))
                      FROM aclexplode(n.nspacl) a), '{}')
       || CASE WHEN n.oid >= 16384 AND obj_description(n.oid, 'pg_namespace') IS NOT NULL
               THEN ARRAY[format('COMMENT ON SCHEMA %I IS %L', n.nspname, obj_description(n.oid, 'pg_namespace'))]
               ELSE '{}' END AS statements
  FROM pg_namespace n
 WHERE n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass AND d.objid = n.oid AND d.deptype = 'e')`;

/**
 * True for what an empty database holds: schemas (with their privileges and comments) and
 * extensions installed in pg_catalog (plpgsql). Pure.
 */
function holdsNothing(object: SchemaObject): boolean {
  switch (object.kind) {
    case 'schema':
      return true;
    case 'grant':
      return / on schema \S+ to /.test(object.name);
    case 'comment':
      return object.name.startsWith('on schema ');
    case 'extension':
      return object.attributes.schema === 'pg_catalog';
    default:
      return false;
  }
}

/**
 * Reads the starting state of a --scratch-url database, refusing (exit 2, nothing changed) one
 * that holds anything but empty schemas, or whose schemas this role could not drop and create.
 */
export async function readStartingState(session: Session, database: string): Promise<StartingState> {
  const snapshot = await takeSnapshot(session.client);
  const held = [...snapshot.values()].find((object) => !holdsNothing(object));
  if (held) {
    throw new UsageError(
      `--keep-going with --scratch-url needs a database with nothing in it (${database} has ${held.kind} ${held.name}): to rebuild after a failure, verify empties it; pass an empty database, or leave out --scratch-url`,
    );
  }
  const { rows } = await session.client.query<SchemaRow>(SCHEMAS_SQL);
  const blocked = rows.find((row) => !row.may_recreate);
  if (blocked) {
    throw new UsageError(
      `--keep-going with --scratch-url empties ${database} by dropping and re-creating its schema ${blocked.name}, which this role may not (it must own it and may create schemas); leave out --scratch-url, or use a database this role owns`,
    );
  }
  const extensions = [...snapshot.values()].filter((object) => object.kind === 'extension').map((object) => object.name);
  return { database, snapshot, schemas: rows.map(({ name, statements }) => ({ name, statements })), extensions };
}

/**
 * Empties a --scratch-url database back to its starting state, in one transaction that commits
 * only when the schema then equals the starting snapshot; otherwise nothing is changed and a
 * one-line error (exit 2) says what was in the way.
 */
export async function emptyScratch(session: Session, start: StartingState): Promise<void> {
  const { client } = session;
  const now = await takeSnapshot(client);
  const statements = [
    ...[...now.values()]
      .filter((object) => object.kind === 'extension' && !start.extensions.includes(object.name))
      .map((extension) => `DROP EXTENSION IF EXISTS ${extension.name} CASCADE`),
    ...[...now.values()].filter((object) => object.kind === 'schema').map((schema) => `DROP SCHEMA IF EXISTS ${schema.name} CASCADE`),
    ...start.schemas.flatMap((schema) => schema.statements),
  ];
  const refuse = (reason: string): UsageError =>
    new UsageError(
      `could not empty --scratch-url database ${start.database} to rebuild it (${reason}); it was left as it was: leave out --scratch-url`,
    );
  await client.query('BEGIN');
  try {
    try {
      await client.query(statements.join(';\n'));
    } catch (error) {
      throw refuse((error as Error).message);
    }
    const [left] = withoutImpliedDifferences(compareSnapshots(start.snapshot, await takeSnapshotInTransaction(client)));
    if (left) throw refuse(`${objectKey(left.object)} would still differ from how it started`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
