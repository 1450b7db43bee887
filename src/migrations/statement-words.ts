/**
 * The words of one SQL statement, enough to recognise its kind and its guards
 * (`IF NOT EXISTS`, `CONCURRENTLY`, ...) without a full parser: comments are skipped, string
 * literals and dollar-quoted bodies become one opaque token, quoted identifiers keep their
 * quotes (so `"concurrently"` is a name, never the keyword). Pure.
 */

/** One token of a statement. */
export interface Word {
  /**
   * A name (`a.b` with its parts joined): bare parts upper-cased, quoted parts as written; `'`
   * for any string; or one of `( ) , =`.
   */
  text: string;
  /** 0-based index in the statement text. */
  offset: number;
  /** Index just after the word in the statement text (`text.slice(offset, end)` is it as written). */
  end: number;
  /** Parenthesis depth: 0 at the statement's top level (a `(` itself has the outer depth). */
  depth: number;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const PUNCTUATION = new Set([',', '=']);

/**
 * Splits a statement into words (the first `limit` of them: a caller that reads only a
 * statement's head need not lex its body).
 */
export function statementWords(sql: string, limit = Number.POSITIVE_INFINITY): Word[] {
  const words: Word[] = [];
  let depth = 0;
  let index = 0;
  while (index < sql.length && words.length < limit) {
    const char = sql[index] as string;
    const next = sql[index + 1];
    if (char === '-' && next === '-') {
      index = endOf(sql.indexOf('\n', index), sql);
    } else if (char === '/' && next === '*') {
      index = skipBlockComment(sql, index + 2);
    } else if (char === "'" || ((char === 'E' || char === 'e') && next === "'")) {
      const end = skipString(sql, char === "'" ? index + 1 : index + 2, char !== "'");
      words.push({ text: "'", offset: index, end, depth });
      index = end;
    } else if (char === '$' && /[$A-Za-z_]/.test(next ?? '')) {
      const end = skipDollarQuote(sql, index);
      if (end > index + 1) words.push({ text: "'", offset: index, end, depth });
      index = Math.max(end, index + 1);
    } else if (char === '"' || WORD_START.test(char)) {
      const end = skipName(sql, index);
      words.push({ text: nameText(sql.slice(index, end)), offset: index, end, depth });
      index = end;
    } else {
      if (char === '(') {
        words.push({ text: char, offset: index, end: index + 1, depth });
        depth++;
      } else if (char === ')') {
        depth = Math.max(0, depth - 1);
        words.push({ text: char, offset: index, end: index + 1, depth });
      } else if (PUNCTUATION.has(char)) {
        words.push({ text: char, offset: index, end: index + 1, depth });
      }
      index++;
    }
  }
  return words;
}

/**
 * True when `sequence` (upper-case words) appears among `words`, consecutively.
 */
export function hasSequence(words: readonly Word[], sequence: readonly string[]): boolean {
  return indexOfSequence(words, sequence) !== -1;
}

/** Index in `words` where `sequence` starts, or -1. */
export function indexOfSequence(words: readonly Word[], sequence: readonly string[]): number {
  outer: for (let start = 0; start + sequence.length <= words.length; start++) {
    for (let k = 0; k < sequence.length; k++) {
      if (words[start + k]?.text !== sequence[k]) continue outer;
    }
    return start;
  }
  return -1;
}

function endOf(found: number, sql: string): number {
  return found === -1 ? sql.length : found;
}

/** After a block comment whose `/*` ends just before `from` (PostgreSQL nests them). */
function skipBlockComment(sql: string, from: number): number {
  let depth = 1;
  let index = from;
  while (index < sql.length && depth > 0) {
    if (sql.startsWith('/*', index)) {
      depth++;
      index += 2;
    } else if (sql.startsWith('*/', index)) {
      depth--;
      index += 2;
    } else {
      index++;
    }
  }
  return index;
}

/** After a string literal whose opening quote ends just before `from`. */
function skipString(sql: string, from: number, backslashEscapes: boolean): number {
  let index = from;
  while (index < sql.length) {
    const char = sql[index];
    if (backslashEscapes && char === '\\') index += 2;
    else if (char === "'" && sql[index + 1] === "'") index += 2;
    else if (char === "'") return index + 1;
    else index++;
  }
  return sql.length;
}

/** After a possibly qualified name starting at `from`: parts (bare or quoted) joined by dots. */
function skipName(sql: string, from: number): number {
  let index = from;
  for (;;) {
    if (sql[index] === '"') {
      index = skipQuoted(sql, index + 1);
    } else {
      index++;
      while (index < sql.length && WORD_PART.test(sql[index] as string)) index++;
    }
    const after = sql[index + 1] ?? '';
    if (sql[index] !== '.' || !(after === '"' || WORD_START.test(after))) return index;
    index++;
  }
}

/** A name as a word: bare parts upper-cased (as PostgreSQL folds them), quoted parts kept. */
function nameText(name: string): string {
  return name.replace(/"(?:[^"]|"")*"|[^".]+/g, (part) => (part.startsWith('"') ? part : part.toUpperCase()));
}

/** After a quoted identifier whose opening `"` ends just before `from`. */
function skipQuoted(sql: string, from: number): number {
  let index = from;
  for (;;) {
    const close = sql.indexOf('"', index);
    if (close === -1) return sql.length;
    if (sql[close + 1] !== '"') return close + 1;
    index = close + 2;
  }
}

/** After a dollar-quoted string starting at `dollar`; `dollar + 1` when it opens none. */
function skipDollarQuote(sql: string, dollar: number): number {
  const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(dollar, dollar + 64));
  if (!tag) return dollar + 1;
  const close = sql.indexOf(tag[0], dollar + tag[0].length);
  return close === -1 ? sql.length : close + tag[0].length;
}

const SET_LOCK_TIMEOUT = /^SET\s+(?:SESSION\s+|LOCAL\s+)?lock_timeout\s*(?:=|\s+TO)\s*(?:'\s*([^']*?)\s*'|(\d+(?:\.\d+)?\s*[a-z]*))$/i;
const POSTGRES_TIME_UNITS_MS: Readonly<Record<string, number>> = {
  '': 1,
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * The lock_timeout in ms that a `SET [SESSION | LOCAL] lock_timeout = …` statement sets (0: no
 * timeout), read as PostgreSQL reads it (a bare number is milliseconds); undefined for any other
 * statement, for DEFAULT, and for a value PostgreSQL would refuse.
 */
export function lockTimeoutSetBy(statement: string): number | undefined {
  if (!/^\s*SET\s/i.test(statement.slice(0, 16))) return undefined; // most statements: no copy, no regex over their text
  const match = SET_LOCK_TIMEOUT.exec(statement.trim());
  if (!match) return undefined;
  const value = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(match[1] ?? match[2] ?? '');
  const unit = POSTGRES_TIME_UNITS_MS[(value?.[2] ?? '').toLowerCase()];
  if (!value || unit === undefined) return undefined;
  return Math.round(Number(value[1]) * unit);
}

/**
 * For each statement, the lock_timeout the file itself has SET by the time it runs (the last SET
 * at or before it; undefined before any): its own value wins over the lock-retry schedule's, so
 * retry lines must report it. One pass over the statements.
 */
export function fileLockTimeouts(statements: readonly { text: string }[]): (number | undefined)[] {
  let set: number | undefined;
  return statements.map((statement) => {
    set = lockTimeoutSetBy(statement.text) ?? set;
    return set;
  });
}
