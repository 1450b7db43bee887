import { hasSequence, indexOfSequence, type Word } from '../migrations/statement-words.js';

/**
 * What aeturnis-db knows about a statement's kind that squawk cannot: whether PostgreSQL
 * refuses to run it inside a transaction block, and whether it can be run a second time.
 * Works on {@link Word}s of one statement. Pure.
 */

/**
 * The name PostgreSQL gives a statement that "cannot run inside a transaction block", or
 * undefined for any other statement. Checked against PostgreSQL 15.
 */
export function transactionBlockedKind(words: readonly Word[]): string | undefined {
  const top = words.filter((word) => word.depth === 0 && word.text !== '(' && word.text !== ')');
  const [first, second, third] = [top[0]?.text, top[1]?.text, top[2]?.text];
  switch (first) {
    case 'VACUUM':
      return 'VACUUM';
    case 'CREATE':
      if (second === 'DATABASE' || second === 'TABLESPACE') return `CREATE ${second}`;
      if (second === 'SUBSCRIPTION') return createsReplicationSlot(words) ? 'CREATE SUBSCRIPTION' : undefined;
      return indexKeywordAfter(top, 1) === 'CONCURRENTLY' ? 'CREATE INDEX CONCURRENTLY' : undefined;
    case 'DROP':
      if (second === 'DATABASE' || second === 'TABLESPACE') return `DROP ${second}`;
      return second === 'INDEX' && third === 'CONCURRENTLY' ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'REINDEX':
      return reindexKind(words, top);
    case 'ALTER':
      return alterKind(top);
    case 'CLUSTER':
      // CLUSTER [VERBOSE] with no table reclusters every table: only that form is refused.
      return top.length === 1 || (top.length === 2 && second === 'VERBOSE') ? 'CLUSTER' : undefined;
    case 'DISCARD':
      return second === 'ALL' ? 'DISCARD ALL' : undefined;
    default:
      return undefined;
  }
}

/** `CREATE [UNIQUE] INDEX <word>`: the word after INDEX (CONCURRENTLY, IF, a name, ON). */
function indexKeywordAfter(top: readonly Word[], from: number): string | undefined {
  let index = from;
  if (top[index]?.text === 'UNIQUE') index++;
  return top[index]?.text === 'INDEX' ? top[index + 1]?.text : undefined;
}

function reindexKind(words: readonly Word[], top: readonly Word[]): string | undefined {
  const options = words.filter((word) => word.depth === 1).map((word) => word.text);
  if (top.some((word) => word.text === 'CONCURRENTLY') || options.includes('CONCURRENTLY')) return 'REINDEX CONCURRENTLY';
  const target = top[1]?.text;
  return target === 'DATABASE' || target === 'SYSTEM' ? `REINDEX ${target}` : undefined;
}

function alterKind(top: readonly Word[]): string | undefined {
  const second = top[1]?.text;
  if (second === 'SYSTEM') return 'ALTER SYSTEM';
  if (second === 'DATABASE' && hasSequence(top, ['SET', 'TABLESPACE'])) return 'ALTER DATABASE ... SET TABLESPACE';
  if (second === 'TABLE') {
    const detach = indexOfSequence(top, ['DETACH', 'PARTITION']);
    if (detach !== -1 && top.slice(detach).some((word) => word.text === 'CONCURRENTLY')) {
      return 'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY';
    }
  }
  return undefined;
}

/** CREATE SUBSCRIPTION creates a replication slot unless `create_slot = false` (or `connect = false`). */
function createsReplicationSlot(words: readonly Word[]): boolean {
  const texts = words.map((word) => word.text);
  for (const option of ['CREATE_SLOT', 'CONNECT']) {
    const at = texts.indexOf(option);
    if (at === -1) continue;
    const value = texts[at + 1] === '=' ? texts[at + 2] : texts[at + 1];
    if (value === 'FALSE' || value === 'OFF') return false;
  }
  return true;
}

/** A statement that fails when it runs a second time, and the guard that would make it re-runnable. */
export interface UnguardedStatement {
  /** Index in the statement's words where the offending part starts. */
  wordIndex: number;
  /** What it is, e.g. `CREATE INDEX` or `ALTER TABLE ... ADD COLUMN`. */
  what: string;
  /** The guard to write, e.g. `IF NOT EXISTS`. */
  guard: string;
}

const CREATE_MODIFIERS = new Set([
  'UNIQUE',
  'TEMP',
  'TEMPORARY',
  'UNLOGGED',
  'GLOBAL',
  'LOCAL',
  'RECURSIVE',
  'TRUSTED',
  'PROCEDURAL',
  'CONSTRAINT',
]);
const CREATE_IF_NOT_EXISTS = new Set(['TABLE', 'INDEX', 'SCHEMA', 'EXTENSION', 'SEQUENCE', 'SERVER', 'STATISTICS', 'COLLATION']);
const CREATE_OR_REPLACE = new Set(['FUNCTION', 'PROCEDURE', 'VIEW', 'TRIGGER', 'RULE', 'AGGREGATE', 'TRANSFORM', 'LANGUAGE']);
/** DROP forms without an IF EXISTS guard in PostgreSQL. */
const DROP_WITHOUT_GUARD = new Set(['OWNED']);

/**
 * The parts of a statement that fail when it runs a second time although PostgreSQL offers a
 * guard for them (`IF NOT EXISTS`, `IF EXISTS`, `OR REPLACE`). Statements with no such guard
 * (`INSERT`, `RENAME`, `CREATE TYPE`) are not reported: nothing in them could be written
 * otherwise.
 */
export function unguardedParts(words: readonly Word[]): UnguardedStatement[] {
  const first = words[0]?.text;
  if (first === 'CREATE') return unguardedCreate(words);
  if (first === 'DROP') {
    const kind = words[1]?.text ?? '';
    if (DROP_WITHOUT_GUARD.has(kind) || hasSequence(words, ['IF', 'EXISTS'])) return [];
    return [{ wordIndex: 0, what: `DROP ${dropKind(words)}`, guard: 'IF EXISTS' }];
  }
  if (first === 'ALTER' && words[1]?.text === 'TABLE') return unguardedAlterTableActions(words);
  if (first === 'ALTER' && words[1]?.text === 'TYPE') {
    const add = indexOfSequence(words, ['ADD', 'VALUE']);
    if (add !== -1 && words[add + 2]?.text !== 'IF') return [{ wordIndex: add, what: 'ALTER TYPE ... ADD VALUE', guard: 'IF NOT EXISTS' }];
  }
  return [];
}

function unguardedCreate(words: readonly Word[]): UnguardedStatement[] {
  if (hasSequence(words.slice(0, 3), ['OR', 'REPLACE'])) return [];
  let index = 1;
  while (CREATE_MODIFIERS.has(words[index]?.text ?? '')) index++;
  let kind = words[index]?.text ?? '';
  if (kind === 'MATERIALIZED' || kind === 'FOREIGN') kind = `${kind} ${words[index + 1]?.text ?? ''}`;
  const bodyStart = words.findIndex((word) => word.text === '(' || word.text === 'AS' || word.text === 'ON');
  const head = bodyStart === -1 ? words : words.slice(0, bodyStart);
  if (
    (CREATE_IF_NOT_EXISTS.has(kind) || kind === 'MATERIALIZED VIEW' || kind === 'FOREIGN TABLE') &&
    !hasSequence(head, ['IF', 'NOT', 'EXISTS'])
  ) {
    // IF NOT EXISTS needs a name to look for: CREATE INDEX ON t (...) has none.
    const unnamedIndex = kind === 'INDEX' && ['INDEX', 'CONCURRENTLY'].includes(head[head.length - 1]?.text ?? '');
    return [{ wordIndex: 0, what: `CREATE ${kind}`, guard: unnamedIndex ? 'an index name and IF NOT EXISTS' : 'IF NOT EXISTS' }];
  }
  if (CREATE_OR_REPLACE.has(kind)) return [{ wordIndex: 0, what: `CREATE ${kind}`, guard: 'OR REPLACE' }];
  return [];
}

/** The object kind a DROP names: one word, or two for `MATERIALIZED VIEW`, `FOREIGN TABLE`, ... */
function dropKind(words: readonly Word[]): string {
  const kind = words[1]?.text ?? '';
  const next = words[2]?.text ?? '';
  const twoWords = ['MATERIALIZED', 'FOREIGN', 'EVENT', 'TEXT', 'ACCESS', 'USER'].includes(kind);
  return twoWords ? `${kind} ${next}` : kind;
}

const CONSTRAINT_STARTS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN', 'EXCLUDE']);

/** `ALTER TABLE t ADD [COLUMN] c ...` without IF NOT EXISTS, `DROP [COLUMN | CONSTRAINT] x` without IF EXISTS. */
function unguardedAlterTableActions(words: readonly Word[]): UnguardedStatement[] {
  const found: UnguardedStatement[] = [];
  for (const start of actionStarts(words)) {
    const action = words[start]?.text;
    const object = words[start + 1]?.text ?? '';
    if (action === 'ADD' && !CONSTRAINT_STARTS.has(object)) {
      const guardAt = object === 'COLUMN' ? start + 2 : start + 1;
      if (words[guardAt]?.text !== 'IF') found.push({ wordIndex: start, what: 'ALTER TABLE ... ADD COLUMN', guard: 'IF NOT EXISTS' });
    } else if (action === 'DROP') {
      const named = object === 'COLUMN' || object === 'CONSTRAINT';
      const guardAt = named ? start + 2 : start + 1;
      const what = object === 'CONSTRAINT' ? 'ALTER TABLE ... DROP CONSTRAINT' : 'ALTER TABLE ... DROP COLUMN';
      if (words[guardAt]?.text !== 'IF') found.push({ wordIndex: start, what, guard: 'IF EXISTS' });
    }
  }
  return found;
}

/** Indexes of the first word of each action of an ALTER TABLE (after the table name, and after each top-level comma). */
export function actionStarts(words: readonly Word[]): number[] {
  let index = 2;
  if (words[index]?.text === 'IF' && words[index + 1]?.text === 'EXISTS') index += 2;
  if (words[index]?.text === 'ONLY') index++;
  index++; // the table name
  const starts = [index];
  words.forEach((word, at) => {
    if (at > index && word.depth === 0 && word.text === ',') starts.push(at + 1);
  });
  return starts;
}
