/**
 * Splits migration SQL into statements for `-- aeturnis:no-transaction` sections, which have
 * to be sent one statement at a time (CREATE INDEX CONCURRENTLY and friends refuse to run
 * inside a multi-statement query string).
 *
 * The boundaries are the ones psql finds (src/fe_utils/psqlscan.l, which mirrors the
 * server's own lexer), so a file splits here exactly where `psql -f` would split it:
 * quoting and comment rules are the server's, `;` inside parentheses does not end a statement
 * (CREATE RULE ... DO (a; b)), and psql's BEGIN/CASE/END counting keeps SQL-standard
 * function bodies (BEGIN ATOMIC ... END) whole.
 *
 * Assumes standard_conforming_strings = on (the default since PostgreSQL 9.1): in a plain
 * '...' string a backslash is an ordinary character; only E'...' strings use it as an escape.
 */

/** One statement found in a SQL text. */
export interface SqlStatement {
  /** The statement's text, from its first significant character (leading whitespace and comments skipped) up to but excluding its terminating semicolon; trailing whitespace trimmed. Comments inside the statement are kept. */
  text: string;
  /** 0-based index in the input (UTF-16 code units, i.e. JS string index) where `text` starts, so input.slice(offset, offset + text.length) === text. */
  offset: number;
  /** 1-based line number in the input where `text` starts. */
  line: number;
}

const TAB = 0x09;
const LF = 0x0a;
const FF = 0x0c;
const CR = 0x0d;
const SPACE = 0x20;
const DOUBLE_QUOTE = 0x22;
const DOLLAR = 0x24;
const AMPERSAND = 0x26;
const QUOTE = 0x27;
const LEFT_PAREN = 0x28;
const RIGHT_PAREN = 0x29;
const STAR = 0x2a;
const MINUS = 0x2d;
const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;

const IDENT_START = 1;
const IDENT_CONT = 2;
/** Dollar-quote tags are identifier characters minus `$` (psqlscan.l's dolq_cont). */
const TAG_CONT = 4;

/** Classes of the ASCII characters; every non-ASCII code unit counts as a letter, as the
 * server's lexer treats every high-bit byte of the UTF-8 text as one. */
const ASCII_CLASS = (() => {
  const classes = new Uint8Array(128);
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_';
  for (const ch of letters) classes[ch.charCodeAt(0)] = IDENT_START | IDENT_CONT | TAG_CONT;
  for (const ch of '0123456789') classes[ch.charCodeAt(0)] = IDENT_CONT | TAG_CONT;
  classes[DOLLAR] = IDENT_CONT;
  return classes;
})();

function hasClass(code: number, flag: number): boolean {
  // NaN (reading past the end) fails both comparisons, so callers need no bounds check.
  if (code >= 128) return true;
  return code >= 0 && ((ASCII_CLASS[code] ?? 0) & flag) !== 0;
}

/** PostgreSQL's whitespace set; other Unicode spaces are identifier characters to it. */
function isSpace(code: number): boolean {
  return code === SPACE || code === LF || code === CR || code === TAB || code === FF;
}

function isNewline(code: number): boolean {
  return code === LF || code === CR;
}

/** Where a `--` comment ends (at its newline, which is left for the caller). PostgreSQL
 * ends it at `\r` too, so old Mac line endings cannot swallow the next line. */
function skipLineComment(sql: string, from: number): number {
  let index = from;
  while (index < sql.length && !isNewline(sql.charCodeAt(index))) index++;
  return index;
}

/** Index just after the `*` + `/` closing a block comment whose opening was just consumed,
 * or -1 if it never closes. PostgreSQL nests block comments, unlike the SQL standard. */
function skipBlockComment(sql: string, from: number): number {
  let depth = 0;
  let index = from;
  const end = sql.length - 1;
  while (index < end) {
    const code = sql.charCodeAt(index);
    if (code === STAR && sql.charCodeAt(index + 1) === SLASH) {
      if (depth === 0) return index + 2;
      depth--;
      index += 2;
    } else if (code === SLASH && sql.charCodeAt(index + 1) === STAR) {
      depth++;
      index += 2;
    } else {
      index++;
    }
  }
  return -1;
}

/** End of a '...' string without backslash escapes (also U&'', B'', X'', N''). A B'' or X''
 * string has no `''` escape, but the server then reads the second quote as the start of
 * another literal, which puts the boundary in the same place. */
function skipStandardString(sql: string, from: number): number {
  let index = from;
  for (;;) {
    const close = sql.indexOf("'", index);
    if (close < 0) return sql.length;
    if (sql.charCodeAt(close + 1) !== QUOTE) return close + 1;
    index = close + 2;
  }
}

/** End of an E'...' string, where a backslash escapes the next character. */
function skipEscapeString(sql: string, from: number): number {
  let index = from;
  while (index < sql.length) {
    const code = sql.charCodeAt(index);
    if (code === BACKSLASH) {
      index += 2;
    } else if (code === QUOTE) {
      if (sql.charCodeAt(index + 1) === QUOTE) {
        index += 2;
        continue;
      }
      // E'a'<newline>'b\'c' is one literal whose second part still honours backslashes;
      // splitting it as a plain string would misplace the end. Plain strings need no such
      // check: a continuation there ends where a fresh literal would.
      const continued = quoteContinuation(sql, index + 1);
      if (continued < 0) return index + 1;
      index = continued;
    } else {
      index++;
    }
  }
  return sql.length;
}

/**
 * If a string literal that ended just before `from` is continued (SQL's
 * `'a'<whitespace with a newline>'b'`), the index just after the continuing quote; else -1.
 * Same pattern as the lexer's {quotecontinue}: spaces and `--` comments, at least one newline,
 * then more whitespace or newline-terminated comments.
 */
function quoteContinuation(sql: string, from: number): number {
  let index = from;
  for (;;) {
    const code = sql.charCodeAt(index);
    if (code === SPACE || code === TAB || code === FF) index++;
    else if (code === MINUS && sql.charCodeAt(index + 1) === MINUS) index = skipLineComment(sql, index + 2);
    else break;
  }
  if (!isNewline(sql.charCodeAt(index))) return -1;
  index++;
  for (;;) {
    const code = sql.charCodeAt(index);
    if (isSpace(code)) {
      index++;
    } else if (code === MINUS && sql.charCodeAt(index + 1) === MINUS) {
      index = skipLineComment(sql, index + 2);
      if (index >= sql.length) return -1;
      index++;
    } else {
      break;
    }
  }
  return sql.charCodeAt(index) === QUOTE ? index + 1 : -1;
}

/** End of a "..." identifier, `""` being an escaped quote. */
function skipQuotedIdentifier(sql: string, from: number): number {
  let index = from;
  for (;;) {
    const close = sql.indexOf('"', index);
    if (close < 0) return sql.length;
    if (sql.charCodeAt(close + 1) !== DOUBLE_QUOTE) return close + 1;
    index = close + 2;
  }
}

/** Scans from a `$` that starts a token: past the whole dollar-quoted string if it opens one,
 * else past the `$` alone (`$1` parameters, or `$abc` that has no closing `$`). */
function skipDollar(sql: string, dollar: number): number {
  let tagEnd = dollar + 1;
  if (sql.charCodeAt(tagEnd) !== DOLLAR) {
    if (!hasClass(sql.charCodeAt(tagEnd), IDENT_START)) return dollar + 1;
    tagEnd++;
    while (hasClass(sql.charCodeAt(tagEnd), TAG_CONT)) tagEnd++;
    if (sql.charCodeAt(tagEnd) !== DOLLAR) return dollar + 1;
  }
  // The body is opaque, so the first exact copy of the delimiter closes it: a different tag
  // inside ($outer$ ... $inner$ ... $inner$ ... $outer$) is just text.
  const delimiter = sql.slice(dollar, tagEnd + 1);
  const close = sql.indexOf(delimiter, tagEnd + 1);
  return close < 0 ? sql.length : close + delimiter.length;
}

/**
 * A one-letter word followed by a quote is a literal prefix rather than a word: E'..', B'..',
 * X'..', N'..', U&'..', U&"..". Returns where scanning resumes, or -1 if `letter` at `at` is an
 * ordinary word.
 */
function skipPrefixedLiteral(sql: string, at: number, letter: number): number {
  const next = sql.charCodeAt(at + 1);
  const lower = letter | 0x20;
  if (next === QUOTE) {
    if (lower === 0x65 /* e */) return skipEscapeString(sql, at + 2);
    if (lower === 0x62 /* b */ || lower === 0x78 /* x */ || lower === 0x6e /* n */) return skipStandardString(sql, at + 2);
    return -1;
  }
  if (lower === 0x75 /* u */ && next === AMPERSAND) {
    const quote = sql.charCodeAt(at + 2);
    if (quote === QUOTE) return skipStandardString(sql, at + 3);
    if (quote === DOUBLE_QUOTE) return skipQuotedIdentifier(sql, at + 3);
    // psql reads a bare `u&` as the letter then an operator, without counting a word.
    return at + 1;
  }
  return -1;
}

/** ASCII case-insensitive comparison of sql[from, to) with a lower-case keyword. */
function isWord(sql: string, from: number, to: number, keyword: string): boolean {
  if (to - from !== keyword.length) return false;
  for (let k = 0; k < keyword.length; k++) {
    // `| 0x20` lower-cases ASCII letters and cannot turn any other identifier character
    // (digit, `_`, `$`, non-ASCII) into a lower-case letter.
    if ((sql.charCodeAt(from + k) | 0x20) !== keyword.charCodeAt(k)) return false;
  }
  return true;
}

const HEAD_WORD_SLOTS = 4;
const HEAD_WORDS = ['create', 'or', 'replace', 'function', 'procedure'];
const LETTER_C = 0x63;
const LETTER_F = 0x66;
const LETTER_O = 0x6f;
const LETTER_P = 0x70;
const LETTER_R = 0x72;

/** psql records each of the first four words of a statement as the initial of create, or,
 * replace, function or procedure, or 0 for any other word. */
function headWordInitial(sql: string, from: number, to: number): number {
  for (const word of HEAD_WORDS) {
    if (isWord(sql, from, to, word)) return word.charCodeAt(0);
  }
  return 0;
}

/** CREATE [OR REPLACE] {FUNCTION | PROCEDURE}: the statements whose body may be
 * BEGIN ATOMIC ... END with semicolons inside. */
function isRoutineHead(head: Uint8Array): boolean {
  if (head[0] !== LETTER_C) return false;
  if (head[1] === LETTER_F || head[1] === LETTER_P) return true;
  return head[1] === LETTER_O && head[2] === LETTER_R && (head[3] === LETTER_F || head[3] === LETTER_P);
}

/** Counts `\n` in sql[from, to). Never reads past `to`: with many statements on one line, an
 * indexOf that runs on to the next newline would make splitting quadratic. */
function countLineFeeds(sql: string, from: number, to: number): number {
  let count = 0;
  for (let index = from; index < to; index++) if (sql.charCodeAt(index) === LF) count++;
  return count;
}

/**
 * Splits SQL into top-level statements at the semicolons PostgreSQL (and psql) treat as
 * statement ends: not inside quotes, dollar quotes, comments, parentheses or a
 * BEGIN ATOMIC ... END function body. Pieces holding only whitespace and comments are
 * dropped. Never throws: an unterminated quote or comment runs to the end of the input and
 * stays in the last statement so that the server reports it. Linear in the input length.
 */
export function splitSqlStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  const length = sql.length;

  // Where the current statement's first significant character is; -1 until there is one.
  let statementStart = -1;
  let parenDepth = 0;
  // psql's heuristic for BEGIN ATOMIC bodies: inside CREATE [OR REPLACE] FUNCTION/PROCEDURE,
  // outside parentheses, BEGIN opens a block, CASE (only within a block) too, END closes one.
  let beginDepth = 0;
  let wordCount = 0;
  const headWords = new Uint8Array(HEAD_WORD_SLOTS);
  let inRoutineDefinition = false;

  let line = 1;
  let lineCountedTo = 0;
  const pushStatement = (stop: number): void => {
    let textEnd = stop;
    while (textEnd > statementStart && isSpace(sql.charCodeAt(textEnd - 1))) textEnd--;
    line += countLineFeeds(sql, lineCountedTo, statementStart);
    lineCountedTo = statementStart;
    statements.push({ text: sql.slice(statementStart, textEnd), offset: statementStart, line });
  };

  let index = 0;
  while (index < length) {
    const code = sql.charCodeAt(index);

    if (isSpace(code)) {
      index++;
      continue;
    }
    if (code === MINUS && sql.charCodeAt(index + 1) === MINUS) {
      index = skipLineComment(sql, index + 2);
      continue;
    }
    if (code === SLASH && sql.charCodeAt(index + 1) === STAR) {
      const afterComment = skipBlockComment(sql, index + 2);
      if (afterComment >= 0) {
        index = afterComment;
        continue;
      }
      // Unlike a complete comment, an unterminated one is an error the server must see, even
      // if nothing else is left: dropping it could silently skip statements meant to run.
      if (statementStart < 0) statementStart = index;
      index = length;
      continue;
    }
    if (code === SEMICOLON && parenDepth === 0 && beginDepth === 0) {
      if (statementStart >= 0) pushStatement(index);
      statementStart = -1;
      wordCount = 0;
      headWords.fill(0);
      inRoutineDefinition = false;
      index++;
      continue;
    }

    if (statementStart < 0) statementStart = index;
    switch (code) {
      case LEFT_PAREN:
        parenDepth++;
        index++;
        break;
      case RIGHT_PAREN:
        // psql never lets a stray `)` make the depth negative.
        if (parenDepth > 0) parenDepth--;
        index++;
        break;
      case QUOTE:
        index = skipStandardString(sql, index + 1);
        break;
      case DOUBLE_QUOTE:
        index = skipQuotedIdentifier(sql, index + 1);
        break;
      case DOLLAR:
        index = skipDollar(sql, index);
        break;
      default: {
        if (!hasClass(code, IDENT_START)) {
          // Digits, operators and punctuation. A `$` after digits still opens a dollar quote,
          // as in the server (`1$$` is 1 then `$$`).
          index++;
          break;
        }
        // Whole words, `$` included, so `a$b$` is one identifier, never a dollar quote.
        let wordEnd = index + 1;
        while (hasClass(sql.charCodeAt(wordEnd), IDENT_CONT)) wordEnd++;
        if (wordEnd === index + 1) {
          const afterLiteral = skipPrefixedLiteral(sql, index, code);
          if (afterLiteral >= 0) {
            index = afterLiteral;
            break;
          }
        }
        if (wordCount < HEAD_WORD_SLOTS) {
          headWords[wordCount] = headWordInitial(sql, index, wordEnd);
          inRoutineDefinition = isRoutineHead(headWords);
        }
        wordCount++;
        if (inRoutineDefinition && parenDepth === 0) {
          if (isWord(sql, index, wordEnd, 'begin')) beginDepth++;
          else if (isWord(sql, index, wordEnd, 'case')) {
            // CASE ... END only needs counting where an END could otherwise close the body.
            if (beginDepth > 0) beginDepth++;
          } else if (isWord(sql, index, wordEnd, 'end')) {
            if (beginDepth > 0) beginDepth--;
          }
        }
        index = wordEnd;
      }
    }
  }
  if (statementStart >= 0) pushStatement(length);
  return statements;
}
