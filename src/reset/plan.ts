import { UsageError, ValidationError } from '../errors.js';
import type { CreatedSchema } from '../migrations/created-schemas.js';
import { quoteIdentifier, quoteLiteral } from '../identifiers.js';
import type { StartingSchemas } from '../journal/metadata.js';
import type { TopLevelObject } from './walk.js';

/**
 * What `reset` drops and what it creates again, decided from the catalogs' answers. Pure: the
 * SQL is built here as text and run by database.ts.
 *
 * Dropped: the journal's schema, the schema unqualified names are created in (current_schema(),
 * the first existing schema of search_path) and every schema a migration creates. Created again
 * at once, exactly as they were (owner, privileges, comment, default privileges): the dropped
 * schemas no migration creates with a plain `CREATE SCHEMA` — a migration that does would fail
 * on a schema that is already there, so those are left for it to create, as on a new database.
 *
 * Never dropped: a schema that held objects before the first migration (recorded when the journal
 * was created, journal/metadata.ts). It is kept, with what it held then, and only the objects made
 * in it since are dropped. A schema that existed but was empty then is dropped and created again
 * exactly as it was, as one the migrations made. A database whose journal predates the record
 * cannot tell, for a schema the migrations create only with `CREATE SCHEMA IF NOT EXISTS`, whether
 * it was there before them (Supabase's `extensions`): reset refuses (exit 3) rather than guess.
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
  /** Schemas that held objects before the first migration: kept, only what was made since is dropped. */
  keep: string[];
}

/**
 * The schemas reset drops, in order and without repeats. Refuses (exit 2) PostgreSQL's own
 * schemas: a journal or a search_path pointing there is a mistake, not something to drop.
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
 */
function isSystemSchema(name: string): boolean {
  return name.startsWith('pg_') || name === 'information_schema';
}

/**
 * The plan for the schemas that exist (`existing`, from the catalogs). With the record of the
 * starting schemas: keep those that held objects then, drop the others, and create again those
 * that existed then or that no migration creates with a plain CREATE SCHEMA. Without a record
 * (`undefined`: a journal older than it), refuses (exit 3) a schema only `CREATE SCHEMA IF NOT
 * EXISTS` names, other than `fixed` (the journal's schema and current_schema(), always reset's).
 */
export function planReset(
  candidates: readonly string[],
  created: readonly CreatedSchema[],
  existing: readonly SchemaState[],
  starting: StartingSchemas | undefined,
  fixed: readonly string[],
): ResetPlan {
  const byName = new Map(existing.map((state) => [state.name, state]));
  const plain = new Set(created.filter((schema) => !schema.ifNotExists).map((schema) => schema.name));
  const present = candidates.filter((name) => byName.has(name));
  if (!starting) assertKnownOrigin(present, created, plain, fixed);
  const keep = present.filter((name) => (starting?.get(name)?.size ?? 0) > 0);
  const drop = present.filter((name) => !keep.includes(name));
  const recreate = drop.filter((name) => starting?.has(name) || !plain.has(name)).map((name) => byName.get(name) as SchemaState);
  return { drop, recreate, keep };
}

function assertKnownOrigin(
  present: readonly string[],
  created: readonly CreatedSchema[],
  plain: ReadonlySet<string>,
  fixed: readonly string[],
): void {
  const unsure = present.find((name) => !plain.has(name) && !fixed.includes(name));
  if (unsure === undefined) return;
  const file = created.find((schema) => schema.name === unsure)?.fileName ?? 'a migration';
  throw new ValidationError(
    `refusing to reset: schema ${unsure} (${file} creates it with IF NOT EXISTS) may have existed before the first migration, and this database's journal is older than the record that would tell; nothing was changed — drop the schema yourself if the migrations made it`,
  );
}

/** `DROP SCHEMA ... CASCADE` of the plan's schemas, then the objects made since in the kept ones. */
export function dropSql(plan: ResetPlan, madeSince: readonly TopLevelObject[] = []): string[] {
  const schemas = plan.drop.length === 0 ? [] : [`DROP SCHEMA ${plan.drop.map(quoteIdentifier).join(', ')} CASCADE`];
  return [...schemas, ...madeSince.map(dropObjectSql)];
}

/** pg_identify_object's type -> the DROP command for it (types, domains and composite types: TYPE). */
const DROP_COMMANDS: Record<string, string> = {
  table: 'TABLE',
  view: 'VIEW',
  'materialized view': 'MATERIALIZED VIEW',
  sequence: 'SEQUENCE',
  'foreign table': 'FOREIGN TABLE',
  type: 'TYPE',
  function: 'FUNCTION',
  procedure: 'PROCEDURE',
  aggregate: 'AGGREGATE',
  operator: 'OPERATOR',
  'operator class': 'OPERATOR CLASS',
  'operator family': 'OPERATOR FAMILY',
  collation: 'COLLATION',
  conversion: 'CONVERSION',
  'statistics object': 'STATISTICS',
  'text search configuration': 'TEXT SEARCH CONFIGURATION',
  'text search dictionary': 'TEXT SEARCH DICTIONARY',
  'text search parser': 'TEXT SEARCH PARSER',
  'text search template': 'TEXT SEARCH TEMPLATE',
  extension: 'EXTENSION',
};

/**
 * `DROP <kind> IF EXISTS <identity> CASCADE` of one object made since the start in a kept schema
 * (IF EXISTS: an earlier CASCADE may have taken it). Refuses (exit 3) a kind it cannot drop by
 * itself.
 */
export function dropObjectSql(object: Pick<TopLevelObject, 'type' | 'identity' | 'schema'>): string {
  const command = DROP_COMMANDS[object.type];
  if (!command) {
    throw new ValidationError(
      `refusing to reset: it cannot drop ${object.type} ${object.identity} by itself, and schema ${object.schema} existed before the first migration so it is kept; nothing was changed — drop it yourself`,
    );
  }
  return `DROP ${command} IF EXISTS ${object.identity} CASCADE`;
}

/**
 * The statements that create a schema again as it was: CREATE SCHEMA ... AUTHORIZATION owner; for
 * an explicit ACL, REVOKE ALL from the owner (a new schema's ACL is the default one) and the
 * grants in their order; the comment; the default privileges.
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
