import type { Migration } from '../migrations/parse.js';
import { splitSqlStatements } from '../migrations/split.js';
import { hasSequence, statementWords, type Word } from '../migrations/statement-words.js';

/**
 * What lint learns of the schema from the migrations before the one it checks: which tables
 * are partitioned, and which table each index is on. squawk judges one file at a time, so it
 * advises CONCURRENTLY for an index on a partitioned table, where PostgreSQL refuses it.
 * Names are keyed without their schema (see {@link nameKey}). Pure.
 */

/** The facts at one point of the history. */
export interface SchemaFacts {
  /** Tables created with `PARTITION BY`. */
  partitioned: Set<string>;
  /** Index name → the table it is on. */
  indexTables: Map<string, string>;
}

export function emptySchemaFacts(): SchemaFacts {
  return { partitioned: new Set(), indexTables: new Map() };
}

export function copySchemaFacts(facts: SchemaFacts): SchemaFacts {
  return { partitioned: new Set(facts.partitioned), indexTables: new Map(facts.indexTables) };
}

/**
 * The key of a name as {@link statementWords} gives it: its last part (the schema is left
 * out: migrations rarely name one, and rarely the same table in two schemas), a bare part in
 * lower case as PostgreSQL folds it, a quoted one as written.
 */
export function nameKey(text: string): string {
  const parts = text.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [text];
  const last = parts[parts.length - 1] ?? text;
  return last.startsWith('"') ? last.slice(1, -1).replaceAll('""', '"') : last.toLowerCase();
}

/**
 * The facts before each of `targets`' UP and DOWN sections: every migration of `history` and
 * `targets` (one per version, the target's text winning) is applied in version order, a
 * DOWN's facts being those after its own UP.
 */
export function schemaTimeline(
  history: readonly Migration[],
  targets: readonly Migration[],
): Map<Migration, { beforeUp: SchemaFacts; beforeDown: SchemaFacts }> {
  const byVersion = new Map<number, Migration>();
  for (const migration of history) byVersion.set(migration.version, migration);
  for (const migration of targets) byVersion.set(migration.version, migration);
  const wanted = new Set(targets);
  const timeline = new Map<Migration, { beforeUp: SchemaFacts; beforeDown: SchemaFacts }>();
  const facts = emptySchemaFacts();
  for (const migration of [...byVersion.values()].sort((a, b) => a.version - b.version)) {
    const beforeUp = wanted.has(migration) ? copySchemaFacts(facts) : undefined;
    learnSql(facts, migration.up.sql);
    if (beforeUp) timeline.set(migration, { beforeUp, beforeDown: copySchemaFacts(facts) });
  }
  return timeline;
}

/** Learns from every statement of a SQL text, in order. */
function learnSql(facts: SchemaFacts, sql: string): void {
  if (!/partition|index/i.test(sql)) return; // nothing to learn, and most sections have neither
  for (const statement of splitSqlStatements(sql)) learnStatement(facts, statementWords(statement.text));
}

const TABLE_MODIFIERS = new Set(['GLOBAL', 'LOCAL', 'TEMP', 'TEMPORARY', 'UNLOGGED']);

/** Learns from one statement: CREATE TABLE / INDEX, their renames and drops. */
export function learnStatement(facts: SchemaFacts, words: readonly Word[]): void {
  const [first, second] = [words[0]?.text, words[1]?.text];
  if (first === 'CREATE') {
    let at = 1;
    while (TABLE_MODIFIERS.has(words[at]?.text ?? '')) at++;
    if (words[at]?.text === 'TABLE') {
      const top = words.filter((word) => word.depth === 0);
      const name = objectName(words, at + 1);
      if (name !== undefined && hasSequence(top, ['PARTITION', 'BY'])) facts.partitioned.add(name);
      return;
    }
    const index = createdIndex(words);
    if (index?.name !== undefined) facts.indexTables.set(index.name, index.table);
  } else if (first === 'ALTER' && (second === 'TABLE' || second === 'INDEX')) {
    learnRename(facts, words, second);
  } else if (first === 'DROP' && (second === 'TABLE' || second === 'INDEX')) {
    for (const name of droppedNames(words)) {
      if (second === 'TABLE') facts.partitioned.delete(name);
      else facts.indexTables.delete(name);
    }
  }
}

/**
 * `CREATE [UNIQUE] INDEX [CONCURRENTLY] [[IF NOT EXISTS] name] ON [ONLY] table`: the index's
 * name (undefined when it has none) and its table's.
 */
export function createdIndex(words: readonly Word[]): { name: string | undefined; table: string } | undefined {
  if (words[0]?.text !== 'CREATE') return undefined;
  let at = 1;
  if (words[at]?.text === 'UNIQUE') at++;
  if (words[at]?.text !== 'INDEX') return undefined;
  at++;
  if (words[at]?.text === 'CONCURRENTLY') at++;
  if (hasSequence(words.slice(at, at + 3), ['IF', 'NOT', 'EXISTS'])) at += 3;
  const name = words[at]?.text === 'ON' ? undefined : nameKey(words[at++]?.text ?? '');
  if (words[at]?.text !== 'ON') return undefined;
  at++;
  if (words[at]?.text === 'ONLY') at++;
  const table = objectName(words, at);
  return table === undefined ? undefined : { name, table };
}

/** The names of `DROP TABLE|INDEX [CONCURRENTLY] [IF EXISTS] a, b [CASCADE]`. */
export function droppedNames(words: readonly Word[]): string[] {
  let at = 2;
  if (words[at]?.text === 'CONCURRENTLY') at++;
  if (words[at]?.text === 'IF' && words[at + 1]?.text === 'EXISTS') at += 2;
  const names: string[] = [];
  for (; at < words.length; at += 2) {
    const name = objectName(words, at);
    if (name === undefined) break;
    names.push(name);
    if (words[at + 1]?.text !== ',') break;
  }
  return names;
}

/** `ALTER TABLE|INDEX [IF EXISTS] [ONLY] a RENAME TO b`: the facts follow the new name. */
function learnRename(facts: SchemaFacts, words: readonly Word[], kind: 'TABLE' | 'INDEX'): void {
  let at = 2;
  if (words[at]?.text === 'IF' && words[at + 1]?.text === 'EXISTS') at += 2;
  if (words[at]?.text === 'ONLY') at++;
  const from = objectName(words, at);
  if (from === undefined || words[at + 1]?.text !== 'RENAME' || words[at + 2]?.text !== 'TO') return;
  const to = objectName(words, at + 3);
  if (to === undefined) return;
  if (kind === 'INDEX') {
    const table = facts.indexTables.get(from);
    if (table === undefined) return;
    facts.indexTables.delete(from);
    facts.indexTables.set(to, table);
  } else if (facts.partitioned.delete(from)) {
    facts.partitioned.add(to);
  }
  for (const [index, table] of kind === 'TABLE' ? facts.indexTables : []) if (table === from) facts.indexTables.set(index, to);
}

const NOT_NAMES = new Set(['(', ')', ',', '=', "'"]);

/** The key of the name at `words[at]`, or undefined when there is no name there. */
function objectName(words: readonly Word[], at: number): string | undefined {
  let index = at;
  if (words[index]?.text === 'IF') index += words[index + 1]?.text === 'NOT' ? 3 : 2;
  const text = words[index]?.text;
  return text === undefined || NOT_NAMES.has(text) ? undefined : nameKey(text);
}
