import type { Migration } from './parse.js';
import { splitSqlStatements } from './split.js';

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
 *
 * @example
 * createdSchemas([migration('-- UP\nCREATE SCHEMA IF NOT EXISTS "Game";')], roles)
 * // [{ name: 'Game', ifNotExists: true, fileName: '0001_x.sql' }]
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
 *
 * @example
 * parseCreateSchema('create schema Game authorization app', roles) // { name: 'game', ifNotExists: false }
 */
export function parseCreateSchema(text: string, roles: SessionRoles): Omit<CreatedSchema, 'fileName'> | undefined {
  const words = leadingWords(text, 7);
  const keyword = (index: number, expected: string): boolean => words[index]?.quoted === false && words[index]?.value === expected;
  if (!keyword(0, 'create') || !keyword(1, 'schema')) return undefined;
  const ifNotExists = keyword(2, 'if') && keyword(3, 'not') && keyword(4, 'exists');
  const at = ifNotExists ? 5 : 2;
  const first = words[at];
  if (!first) return undefined;
  if (!keyword(at, 'authorization')) return { name: first.value, ifNotExists };
  const role = words[at + 1];
  if (!role) return undefined;
  return { name: roleName(role, roles), ifNotExists };
}

/** A role specification: a name, or CURRENT_USER / CURRENT_ROLE / SESSION_USER. */
function roleName(role: Word, roles: SessionRoles): string {
  if (role.quoted) return role.value;
  if (role.value === 'current_user' || role.value === 'current_role') return roles.currentUser;
  if (role.value === 'session_user') return roles.sessionUser;
  return role.value;
}

/** An identifier or keyword: quoted ones keep their case, others fold to lower case like PostgreSQL's (ASCII only). */
interface Word {
  value: string;
  quoted: boolean;
}

const SPACE = /\s/;
const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * The first `count` words of a statement, skipping whitespace and comments between them; stops
 * early at anything that is not a word (punctuation, a string), which no CREATE SCHEMA head holds.
 */
function leadingWords(text: string, count: number): Word[] {
  const words: Word[] = [];
  let at = 0;
  while (words.length < count) {
    at = skipBlank(text, at);
    const char = text[at];
    if (char === undefined) break;
    if (char === '"') {
      const end = closingQuote(text, at + 1);
      if (end < 0) break;
      words.push({ value: text.slice(at + 1, end).replace(/""/g, '"'), quoted: true });
      at = end + 1;
    } else if (WORD_START.test(char)) {
      let end = at + 1;
      while (end < text.length && WORD_PART.test(text[end] as string)) end++;
      words.push({ value: text.slice(at, end).replace(/[A-Z]/g, (c) => c.toLowerCase()), quoted: false });
      at = end;
    } else {
      break;
    }
  }
  return words;
}

/** Index of the `"` closing a quoted identifier that starts at `from` (`""` is an escaped quote), -1 if none. */
function closingQuote(text: string, from: number): number {
  let at = from;
  for (;;) {
    const end = text.indexOf('"', at);
    if (end < 0 || text[end + 1] !== '"') return end;
    at = end + 2;
  }
}

/** Skips whitespace, `-- line` comments and (nested) `/* block *\/` comments. */
function skipBlank(text: string, from: number): number {
  let at = from;
  for (;;) {
    while (at < text.length && SPACE.test(text[at] as string)) at++;
    if (text.startsWith('--', at)) {
      const end = text.indexOf('\n', at);
      at = end < 0 ? text.length : end + 1;
    } else if (text.startsWith('/*', at)) {
      at = blockCommentEnd(text, at);
    } else {
      return at;
    }
  }
}

function blockCommentEnd(text: string, from: number): number {
  let depth = 0;
  let at = from;
  while (at < text.length) {
    if (text.startsWith('/*', at)) {
      depth++;
      at += 2;
    } else if (text.startsWith('*/', at)) {
      depth--;
      at += 2;
      if (depth === 0) return at;
    } else {
      at++;
    }
  }
  return text.length;
}
