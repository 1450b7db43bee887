/**
 * How database names become TypeScript names: interfaces in PascalCase, `Database` keys and
 * property names exactly as PostgreSQL spells them (written out by escape.ts).
 */

/** The schema whose tables are keyed without a schema prefix in `Database`. */
const DEFAULT_SCHEMA = 'public';

/** Names the file itself declares or uses: a table may not take them. */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'Database',
  'ColumnType',
  'Generated',
  'GeneratedAlways',
  'JsonArray',
  'JsonObject',
  'JsonPrimitive',
  'JsonValue',
  'Date',
  'Buffer',
]);

/**
 * PascalCase of a database name: every run of letters and digits starts with a capital, the
 * rest is kept. A name that would start with a digit gets a leading `_`.
 */
export function pascalCase(name: string): string {
  // Letters and digits only, and of those only what an identifier may hold (not `²` or `½`).
  const words = name.split(/[^\p{L}\p{N}]+/u).map((word) => word.replace(/[^\p{ID_Continue}]/gu, ''));
  const joined = words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('');
  if (joined === '') return 'Unnamed';
  return /^\p{ID_Start}/u.test(joined) ? joined : `_${joined}`;
}

/**
 * The name of a table, view or enum outside `public` carries its schema: `app.users` → `AppUsers`.
 */
export function typeNameOf(schema: string, name: string): string {
  return pascalCase(schema === DEFAULT_SCHEMA ? name : `${schema}_${name}`);
}

/**
 * The key of a relation in `Database`, the name Kysely's `selectFrom` takes: the bare name in
 * `public`, `schema.name` elsewhere.
 */
export function databaseKey(schema: string, name: string): string {
  return schema === DEFAULT_SCHEMA ? name : `${schema}.${name}`;
}

/**
 * Gives every wanted name a unique one, in the order given: a name already taken (or reserved)
 * gets the first free numeric suffix (`Users2`). Deterministic for a sorted input.
 */
export function uniqueNames(wanted: readonly string[]): string[] {
  const taken = new Set<string>(RESERVED_NAMES);
  return wanted.map((name) => {
    let unique = name;
    for (let suffix = 2; taken.has(unique); suffix += 1) unique = `${name}${suffix}`;
    taken.add(unique);
    return unique;
  });
}

/**
 * Compares by UTF-16 code units, not locale: the same order on every machine.
 */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}
