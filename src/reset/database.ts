import type pg from 'pg';
import { DatabaseError, ValidationError } from '../errors.js';
import { pgErrorOf } from '../connection/pg-error.js';
import { dropSql, restoreStatements, schemaDifferences, type ResetPlan, type SchemaState } from './plan.js';
import type { StartingSchemas } from '../journal/metadata.js';
import { assertDropStaysInside, objectsMadeSince } from './walk.js';
import type { SessionRoles } from '../migrations/created-schemas.js';

/**
 * `reset` at the database: what it reads from the catalogs (where it is, the schemas it will
 * drop as they are now; what dropping would take along is walk.ts's), and the drop itself.
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

/**
 * Drops the plan's schemas with everything in them, and in the schemas it keeps the objects made
 * since the first migration, and creates again the schemas it says, in ONE transaction. Before
 * dropping, a walk of pg_depend (walk.ts) proves the drop reaches nothing else (DROP
 * ... CASCADE follows dependencies anywhere: a view elsewhere over a dropped table, a cast, an
 * event trigger); after it, every re-created schema must be exactly as it was. Otherwise it
 * rolls back and refuses (exit 3): nothing changed.
 */
export async function dropSchemas(client: pg.ClientBase, plan: ResetPlan, starting: StartingSchemas | undefined): Promise<void> {
  if (plan.drop.length === 0 && plan.keep.length === 0) return;
  await client.query('BEGIN');
  try {
    const madeSince = starting ? await objectsMadeSince(client, plan.keep, starting) : [];
    await assertDropStaysInside(client, { schemas: plan.drop, madeSince, starting }, dropped(plan));
    try {
      await client.query([...dropSql(plan, madeSince), ...plan.recreate.flatMap(restoreStatements)].join(';\n'));
    } catch (error) {
      throw dropFailure(plan, error);
    }
    await assertRestored(client, plan);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/** What the plan drops, for messages. */
function dropped(plan: ResetPlan): string {
  const kept = plan.keep.length === 0 ? '' : `what the migrations made in ${schemaList(plan.keep)}`;
  if (plan.drop.length === 0) return kept;
  return kept ? `${schemaList(plan.drop)} and ${kept}` : schemaList(plan.drop);
}

async function assertRestored(client: pg.ClientBase, plan: ResetPlan): Promise<void> {
  const restored = await readSchemaStates(
    client,
    plan.recreate.map((state) => state.name),
  );
  const problems = plan.recreate.flatMap((state) =>
    schemaDifferences(
      state,
      restored.find((candidate) => candidate.name === state.name),
    ).map((difference) => `schema ${state.name}: ${difference}`),
  );
  if (problems.length === 0) return;
  throw new ValidationError(
    `refusing to reset: ${problems.length === 1 ? problems[0] : `${problems.length} differences`} after creating it again (privileges granted by another role than the owner cannot be re-created); nothing was changed`,
    problems,
  );
}

function dropFailure(plan: ResetPlan, error: unknown): unknown {
  const pgError = pgErrorOf(error);
  // A cancelled statement (57014) is an interruption: the caller reports it as one.
  if (!pgError || pgError.code === '57014') return error;
  return Object.assign(
    new DatabaseError(`reset could not drop and re-create ${dropped(plan)}: ${pgError.message}; nothing was changed`, pgError.code),
    { cause: error },
  );
}

function schemaList(names: readonly string[]): string {
  return `${names.length === 1 ? 'schema' : 'schemas'} ${names.join(', ')}`;
}
