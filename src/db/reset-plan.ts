import { UsageError } from '../errors.js';
import type { CreatedSchema } from '../migrations/created-schemas.js';
import { quoteIdentifier, quoteLiteral } from './identifiers.js';

/**
 * What `reset` drops and what it creates again, decided from the catalogs' answers. Pure: the
 * SQL is built here as text and run by db/reset.ts.
 *
 * Dropped: the journal's schema, the schema unqualified names are created in (current_schema(),
 * the first existing schema of search_path) and every schema a migration creates. Created again
 * at once, exactly as they were (owner, privileges, comment, default privileges): the dropped
 * schemas no migration creates with a plain `CREATE SCHEMA` — a migration that does would fail
 * on a schema that is already there, so those are left for it to create, as on a new database.
 */

/** One entry of an ACL, as `aclexplode` lists it; `grantee` null is PUBLIC. */
export interface AclEntry {
  grantor: string;
  grantee: string | null;
  privilege: string;
  grantable: boolean;
}

/** `ALTER DEFAULT PRIVILEGES FOR ROLE role IN SCHEMA ...` for one kind of object. */
export interface DefaultPrivileges {
  role: string;
  /** pg_default_acl.defaclobjtype: r tables, S sequences, f functions, T types. */
  objectType: string;
  entries: AclEntry[];
  /** The ACL as PostgreSQL prints it, to check the restored one against. */
  aclText: string;
}

/** A schema as the catalogs describe it before the drop. */
export interface SchemaState {
  name: string;
  owner: string;
  /** null: PostgreSQL's default ACL (NULL in pg_namespace), which a new schema gets too. */
  acl: AclEntry[] | null;
  /** The ACL as PostgreSQL prints it, to check the restored one against. */
  aclText: string | null;
  comment: string | null;
  defaultPrivileges: DefaultPrivileges[];
}

/** What reset does to the schemas. */
export interface ResetPlan {
  /** Existing schemas to drop, with everything in them. */
  drop: string[];
  /** Of those, the ones created again at once, as they were. */
  recreate: SchemaState[];
}

/**
 * The schemas reset drops, in order and without repeats. Refuses (exit 2) PostgreSQL's own
 * schemas: a journal or a search_path pointing there is a mistake, not something to drop.
 *
 * @example
 * schemasToDrop('public', 'public', [{ name: 'game', ifNotExists: false, fileName: '0001_game.sql' }]) // ['public', 'game']
 */
export function schemasToDrop(journalSchema: string, currentSchema: string | null, created: readonly CreatedSchema[]): string[] {
  const sources: { name: string; why: string }[] = [
    { name: journalSchema, why: 'it holds the journal table' },
    ...(currentSchema === null ? [] : [{ name: currentSchema, why: 'it is the first schema of search_path' }]),
    ...created.map((schema) => ({ name: schema.name, why: `${schema.fileName} creates it` })),
  ];
  const system = sources.find((source) => isSystemSchema(source.name));
  if (system) {
    throw new UsageError(`refusing to reset: it would drop schema ${system.name} (${system.why}), which belongs to PostgreSQL`);
  }
  return [...new Set(sources.map((source) => source.name))];
}

/**
 * PostgreSQL's own schemas (pg_catalog, pg_toast, pg_temp_N, information_schema ...).
 *
 * @example
 * isSystemSchema('pg_catalog') // true
 */
export function isSystemSchema(name: string): boolean {
  return name.startsWith('pg_') || name === 'information_schema';
}

/**
 * The plan for the schemas that exist (`existing`, from the catalogs): drop them all, create
 * again those no migration creates with a plain CREATE SCHEMA.
 *
 * @example
 * planReset(['public', 'game'], created, states).recreate.map((s) => s.name) // ['public']
 */
export function planReset(candidates: readonly string[], created: readonly CreatedSchema[], existing: readonly SchemaState[]): ResetPlan {
  const byName = new Map(existing.map((state) => [state.name, state]));
  const leftToMigrations = new Set(created.filter((schema) => !schema.ifNotExists).map((schema) => schema.name));
  const drop = candidates.filter((name) => byName.has(name));
  const recreate = drop.filter((name) => !leftToMigrations.has(name)).map((name) => byName.get(name) as SchemaState);
  return { drop, recreate };
}

/** `DROP SCHEMA ... CASCADE` of the plan's schemas (empty when there is none). */
export function dropSql(plan: ResetPlan): string {
  return plan.drop.length === 0 ? '' : `DROP SCHEMA ${plan.drop.map(quoteIdentifier).join(', ')} CASCADE`;
}

/**
 * The statements that create a schema again as it was: CREATE SCHEMA ... AUTHORIZATION owner; for
 * an explicit ACL, REVOKE ALL from the owner (a new schema's ACL is the default one) and the
 * grants in their order; the comment; the default privileges.
 *
 * @example
 * restoreStatements(publicOfPg15)
 * // ['CREATE SCHEMA "public" AUTHORIZATION "pg_database_owner"',
 * //  'REVOKE ALL ON SCHEMA "public" FROM "pg_database_owner"',
 * //  'GRANT USAGE, CREATE ON SCHEMA "public" TO "pg_database_owner"',
 * //  'GRANT USAGE ON SCHEMA "public" TO PUBLIC',
 * //  `COMMENT ON SCHEMA "public" IS 'standard public schema'`]
 */
export function restoreStatements(state: SchemaState): string[] {
  const schema = quoteIdentifier(state.name);
  const owner = quoteIdentifier(state.owner);
  const privileges =
    state.acl === null ? [] : [`REVOKE ALL ON SCHEMA ${schema} FROM ${owner}`, ...grants(state.acl, `ON SCHEMA ${schema}`)];
  const comment = state.comment === null ? [] : [`COMMENT ON SCHEMA ${schema} IS ${quoteLiteral(state.comment)}`];
  const defaults = state.defaultPrivileges.flatMap((entry) =>
    grants(entry.entries, `ON ${DEFAULT_ACL_OBJECTS[entry.objectType] ?? 'TABLES'}`).map(
      (grant) => `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdentifier(entry.role)} IN SCHEMA ${schema} ${grant}`,
    ),
  );
  return [`CREATE SCHEMA ${schema} AUTHORIZATION ${owner}`, ...privileges, ...comment, ...defaults];
}

const DEFAULT_ACL_OBJECTS: Record<string, string> = { r: 'TABLES', S: 'SEQUENCES', f: 'FUNCTIONS', T: 'TYPES' };

/** GRANT statements for ACL entries, one per run of entries with the same grantee and grant option, in order. */
function grants(entries: readonly AclEntry[], on: string): string[] {
  const statements: string[] = [];
  let run: AclEntry[] = [];
  const flush = (): void => {
    const [first] = run;
    if (!first) return;
    const grantee = first.grantee === null ? 'PUBLIC' : quoteIdentifier(first.grantee);
    const option = first.grantable ? ' WITH GRANT OPTION' : '';
    statements.push(`GRANT ${run.map((entry) => entry.privilege).join(', ')} ${on} TO ${grantee}${option}`);
    run = [];
  };
  for (const entry of entries) {
    const previous = run[0];
    if (previous && (previous.grantee !== entry.grantee || previous.grantable !== entry.grantable)) flush();
    run.push(entry);
  }
  flush();
  return statements;
}

/**
 * How a re-created schema differs from how it was (owner, privileges, comment, default
 * privileges), one phrase each; empty when it is the same.
 *
 * @example
 * schemaDifferences(before, after) // ['privileges {app=U/app} (were {app=U/dba})']
 */
export function schemaDifferences(before: SchemaState, after: SchemaState | undefined): string[] {
  if (!after) return ['it is missing'];
  const differences: string[] = [];
  if (after.owner !== before.owner) differences.push(`owner ${after.owner} (was ${before.owner})`);
  if (after.aclText !== before.aclText) differences.push(`privileges ${after.aclText ?? 'default'} (were ${before.aclText ?? 'default'})`);
  if (after.comment !== before.comment) differences.push(`comment ${String(after.comment)} (was ${String(before.comment)})`);
  const defaults = (state: SchemaState): string =>
    state.defaultPrivileges.map((entry) => `${entry.role}/${entry.objectType}:${entry.aclText}`).join(' ');
  if (defaults(after) !== defaults(before))
    differences.push(`default privileges ${defaults(after) || 'none'} (were ${defaults(before) || 'none'})`);
  return differences;
}
