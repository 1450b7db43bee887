import type { Migration } from './parse.js';
import { splitSqlStatements } from './split.js';
import { statementWords, type Word } from './statement-words.js';

/**
 * Which schemas the migrations create: `reset` drops them (they are the migrations' own) and
 * leaves every other schema alone. Found by reading the UP sections' top-level statements
 * (the same splitter as no-transaction migrations use) for `CREATE SCHEMA`. A schema created
 * inside a DO block or a function body is not seen. Pure.
 */

/** A `CREATE SCHEMA` statement of a migration's UP section. */
export interface CreatedSchema {
  /** The schema's name as PostgreSQL stores it (unquoted names folded to lower case). */
  name: string;
  /** `IF NOT EXISTS`: the migration also runs when the schema is already there. */
  ifNotExists: boolean;
  fileName: string;
}

/** Who `AUTHORIZATION CURRENT_USER` and friends name, for `CREATE SCHEMA AUTHORIZATION role`. */
export interface SessionRoles {
  currentUser: string;
  sessionUser: string;
}

/**
 * Every `CREATE SCHEMA` in the migrations' UP sections, in file order.
 */
export function createdSchemas(migrations: readonly Migration[], roles: SessionRoles): CreatedSchema[] {
  return migrations.flatMap((migration) =>
    splitSqlStatements(migration.up.sql).flatMap((statement) => {
      const created = parseCreateSchema(statement.text, roles);
      return created ? [{ ...created, fileName: migration.fileName }] : [];
    }),
  );
}

/**
 * Reads `CREATE SCHEMA [IF NOT EXISTS] name [AUTHORIZATION role]` and
 * `CREATE SCHEMA [IF NOT EXISTS] AUTHORIZATION role` (the schema is then named after the role);
 * undefined for any other statement.
 */
export function parseCreateSchema(text: string, roles: SessionRoles): Omit<CreatedSchema, 'fileName'> | undefined {
  const words = statementWords(text, 7);
  const keyword = (index: number, expected: string): boolean => words[index]?.text === expected;
  if (!keyword(0, 'CREATE') || !keyword(1, 'SCHEMA')) return undefined;
  const ifNotExists = keyword(2, 'IF') && keyword(3, 'NOT') && keyword(4, 'EXISTS');
  const at = ifNotExists ? 5 : 2;
  const first = words[at];
  if (!first || !isName(first)) return undefined;
  if (!keyword(at, 'AUTHORIZATION')) return { name: storedName(text, first), ifNotExists };
  const role = words[at + 1];
  if (!role || !isName(role)) return undefined;
  return { name: roleName(text, role, roles), ifNotExists };
}

/** A role specification: a name, or CURRENT_USER / CURRENT_ROLE / SESSION_USER. */
function roleName(text: string, role: Word, roles: SessionRoles): string {
  if (role.text === 'CURRENT_USER' || role.text === 'CURRENT_ROLE') return roles.currentUser;
  if (role.text === 'SESSION_USER') return roles.sessionUser;
  return storedName(text, role);
}

/** A word that is an identifier (not a string, not punctuation). */
function isName(word: Word): boolean {
  return word.text !== "'" && !'(),='.includes(word.text);
}

/**
 * An identifier as PostgreSQL stores it: a quoted one as written inside its quotes (`""` is
 * one `"`), an unquoted one folded to lower case (ASCII only, as PostgreSQL does).
 */
function storedName(text: string, word: Word): string {
  const written = text.slice(word.offset, word.end);
  if (written.startsWith('"')) return written.slice(1, -1).replace(/""/g, '"');
  return written.replace(/[A-Z]/g, (c) => c.toLowerCase());
}
