import { describe, expect, it } from 'vitest';
import { splitSqlStatements, type SqlStatement } from '../../src/migrations/split.js';
import { countingText } from '../support/counting-text.js';

// splitSqlStatements decides where a `-- aeturnis:no-transaction` migration is cut into
// statements. A wrong cut sends half a statement to the server (or glues two together), so
// every quoting and comment rule of PostgreSQL's lexer is exercised here.

const texts = (sql: string): string[] => splitSqlStatements(sql).map((s) => s.text);

const CASES: [name: string, sql: string, expected: string[]][] = [
  ['plain statements', 'SELECT 1; SELECT 2;', ['SELECT 1', 'SELECT 2']],
  ['no final semicolon', 'SELECT 1;\nSELECT 2', ['SELECT 1', 'SELECT 2']],
  ['empty pieces dropped', ';;  ;\nSELECT 1;;\n;', ['SELECT 1']],
  ['only comments and whitespace', '-- nothing\n/* at all; */\n  \n', []],
  ['CRLF line endings', 'SELECT 1;\r\nSELECT 2;\r\n', ['SELECT 1', 'SELECT 2']],

  // Single quotes
  ["; in a '' string", "SELECT 'a;b'; SELECT 2", ["SELECT 'a;b'", 'SELECT 2']],
  ["'' escape inside a string", "SELECT 'it''s; fine'; SELECT 2", ["SELECT 'it''s; fine'", 'SELECT 2']],
  ['backslash is ordinary in a standard string', "SELECT 'C:\\'; SELECT 2", ["SELECT 'C:\\'", 'SELECT 2']],
  ['string spanning lines', "SELECT 'a\n;\nb'; SELECT 2", ["SELECT 'a\n;\nb'", 'SELECT 2']],
  ['continued string literal', "SELECT 'a'\n'b;c'; SELECT 2", ["SELECT 'a'\n'b;c'", 'SELECT 2']],

  // E'' strings
  ["E'' with \\' escape", "SELECT E'it\\'s; fine'; SELECT 2", ["SELECT E'it\\'s; fine'", 'SELECT 2']],
  ["e'' lower case, escaped backslash before the quote", "SELECT e'\\\\'; SELECT 2", ["SELECT e'\\\\'", 'SELECT 2']],
  ["E'' continued on the next line keeps escapes", "SELECT E'a'\n'\\';'; SELECT 2", ["SELECT E'a'\n'\\';'", 'SELECT 2']],
  ["an identifier ending in e is not an E'' prefix", "SELECT type 'x\\'; SELECT 2", ["SELECT type 'x\\'", 'SELECT 2']],
  [
    "B'', X'', N'', U&'' strings",
    "SELECT B'1;', X'3b', N'n;', U&'\\0041;' UESCAPE '!'; SELECT 2",
    ["SELECT B'1;', X'3b', N'n;', U&'\\0041;' UESCAPE '!'", 'SELECT 2'],
  ],

  // Double-quoted identifiers
  ['; in a quoted identifier', 'SELECT 1 AS "a;b"; SELECT 2', ['SELECT 1 AS "a;b"', 'SELECT 2']],
  ['"" escape in a quoted identifier', 'SELECT 1 AS "a"";b"; SELECT 2', ['SELECT 1 AS "a"";b"', 'SELECT 2']],
  ['quotes of the other kind inside', `SELECT 'say "hi;"' AS "it's;"; SELECT 2`, [`SELECT 'say "hi;"' AS "it's;"`, 'SELECT 2']],
  ['U&"" identifier', 'SELECT 1 AS U&"d\\0061t;a"; SELECT 2', ['SELECT 1 AS U&"d\\0061t;a"', 'SELECT 2']],

  // Dollar quoting
  ['$$ body', 'SELECT $$a;b$$; SELECT 2', ['SELECT $$a;b$$', 'SELECT 2']],
  ['tagged body containing $$', 'SELECT $fn$ $$ ; $$ $fn$; SELECT 2', ['SELECT $fn$ $$ ; $$ $fn$', 'SELECT 2']],
  ['another tag inside is text', 'SELECT $a$ $b$ ; $b$ $a$; SELECT 2', ['SELECT $a$ $b$ ; $b$ $a$', 'SELECT 2']],
  ['tags are case-sensitive', 'SELECT $T$ $t$; $T$; SELECT 2', ['SELECT $T$ $t$; $T$', 'SELECT 2']],
  ['quotes and comments inside a dollar quote are text', "SELECT $$ ' -- /* ; $$; SELECT 2", ["SELECT $$ ' -- /* ; $$", 'SELECT 2']],
  [
    'DO block',
    "DO $body$\nBEGIN\n  RAISE NOTICE 'x;y';\n  PERFORM 1;\nEND\n$body$;\nSELECT 2;",
    ["DO $body$\nBEGIN\n  RAISE NOTICE 'x;y';\n  PERFORM 1;\nEND\n$body$", 'SELECT 2'],
  ],
  [
    'plpgsql function',
    'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$;\nSELECT f();',
    ['CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END $$', 'SELECT f()'],
  ],
  ['$1 is a parameter, not a quote', 'SELECT $1; SELECT $_$;$_$', ['SELECT $1', 'SELECT $_$;$_$']],
  ['$ inside an identifier is not a quote', 'SELECT a$b$c; SELECT 2', ['SELECT a$b$c', 'SELECT 2']],
  ['a number then $$ opens a quote', 'SELECT 1$$;$$; SELECT 2', ['SELECT 1$$;$$', 'SELECT 2']],
  ['non-ASCII tag', 'SELECT $é$;$é$; SELECT 2', ['SELECT $é$;$é$', 'SELECT 2']],

  // Comments
  ['; in a line comment', 'SELECT 1 -- not the end;\n; SELECT 2', ['SELECT 1 -- not the end;', 'SELECT 2']],
  ['line comment ends at \\r', 'SELECT 1 -- c\r; SELECT 2', ['SELECT 1 -- c', 'SELECT 2']],
  ['; in a block comment', 'SELECT /* ; */ 1; SELECT 2', ['SELECT /* ; */ 1', 'SELECT 2']],
  ['nested block comments', '/* a /* nested ; */ still ; */ SELECT 1; SELECT 2', ['SELECT 1', 'SELECT 2']],
  ['deeply nested', 'SELECT 1 /* 1 /* 2 /* 3 ; */ ; */ ; */; SELECT 2', ['SELECT 1 /* 1 /* 2 /* 3 ; */ ; */ ; */', 'SELECT 2']],
  ['comment closed by **/', 'SELECT 1 /* x **/; SELECT 2', ['SELECT 1 /* x **/', 'SELECT 2']],
  ['comment start right after an operator', 'SELECT 2*/* ; */3; SELECT 2', ['SELECT 2*/* ; */3', 'SELECT 2']],
  ['-- right after an operator', 'SELECT 2*-- ;\n3; SELECT 2', ['SELECT 2*-- ;\n3', 'SELECT 2']],
  ['quote in a comment does not open a string', "-- don't\nSELECT 1; /* it's */ SELECT 2", ['SELECT 1', 'SELECT 2']],
  ['leading comments are skipped, inner ones kept', '-- head\n/* c */ SELECT 1 -- tail\n;', ['SELECT 1 -- tail']],

  // Statement structure
  [
    'parentheses (CREATE RULE ... DO (a; b))',
    'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 2',
    ['CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))', 'SELECT 2'],
  ],
  [
    'BEGIN ATOMIC function body',
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END; SELECT 3',
    ['CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END', 'SELECT 3'],
  ],
  [
    'BEGIN ATOMIC with CASE ... END inside',
    'CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END; SELECT 3',
    ['CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END', 'SELECT 3'],
  ],
  ['BEGIN as a transaction statement', 'BEGIN; SELECT 1; END;', ['BEGIN', 'SELECT 1', 'END']],
  [
    'CREATE INDEX CONCURRENTLY pieces',
    'CREATE INDEX CONCURRENTLY i ON t (a);\nVACUUM t;',
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'VACUUM t'],
  ],

  // Unterminated input: kept whole, so the server reports the error instead of a silent skip
  ['unterminated string', "SELECT 'open; SELECT 2", ["SELECT 'open; SELECT 2"]],
  ['unterminated block comment', 'SELECT 1; /* open ; SELECT 2', ['SELECT 1', '/* open ; SELECT 2']],
  ['unterminated dollar quote', 'SELECT $$ open; SELECT 2', ['SELECT $$ open; SELECT 2']],
  ['unterminated quoted identifier', 'SELECT "open; SELECT 2', ['SELECT "open; SELECT 2']],
];

describe('splitSqlStatements', () => {
  it.each(CASES)('%s', (_name, sql, expected) => {
    expect(texts(sql)).toEqual(expected);
  });

  it.each(CASES)('offset and line point at each statement: %s', (_name, sql) => {
    for (const statement of splitSqlStatements(sql)) {
      expect(sql.slice(statement.offset, statement.offset + statement.text.length)).toBe(statement.text);
      expect(statement.line).toBe(sql.slice(0, statement.offset).split('\n').length);
    }
  });

  it('reports the line of each statement, after comments and blank lines', () => {
    const sql = '-- header\n\n/* a\n   block */ CREATE TABLE a (id int);\n\n\nINSERT INTO a\n  VALUES (1);\n$$x$$;';
    expect(splitSqlStatements(sql)).toEqual([
      { text: 'CREATE TABLE a (id int)', offset: 28, line: 4 },
      { text: 'INSERT INTO a\n  VALUES (1)', offset: 55, line: 7 },
      { text: '$$x$$', offset: 83, line: 9 },
    ]);
  });

  // Linear in the input: the characters the splitter reads are counted (not timed), on n and
  // 10n copies of text that takes every path (quotes, dollar quotes, nested comments, string
  // continuations, BEGIN ATOMIC bodies, parentheses). Work that grew with the square of the
  // input would read ~100 times more for 10 times the text. bench/functions.mjs times it.
  const EVERY_PATH = [
    'CREATE TABLE t (id int, note text DEFAULT \'a;b\', "odd;name" int);',
    "INSERT INTO t VALUES (1, E'it\\'s;'), (2, $$c;d$$), (3, $tag$ $$;$$ $tag$); -- trailing ;",
    "/* block /* nested ; */ ; */ SELECT 'a'\n'b;' AS x, U&'\\0041;', B'1', X'3b', N'n;';",
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; SELECT 2; END;',
    'CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));',
    'SELECT $1, a$b$c, 1$$;$$, 2*/* ; */3;',
  ].join('\n');
  const charactersRead = (sql: string): { visits: number; statements: SqlStatement[] } => {
    const counted = countingText(sql);
    const statements = splitSqlStatements(counted.text);
    return { visits: counted.visits(), statements };
  };

  it('reads 10 times the characters for 10 times the statements', () => {
    const small = charactersRead(`${EVERY_PATH}\n`.repeat(300));
    const large = charactersRead(`${EVERY_PATH}\n`.repeat(3_000));
    expect(small.statements).toHaveLength(6 * 300);
    expect(large.statements).toHaveLength(6 * 3_000);
    expect(large.statements.at(-1)).toMatchObject({ text: 'SELECT $1, a$b$c, 1$$;$$, 2*/* ; */3', line: 3_000 * 7 });
    expect(large.visits).toBeLessThanOrEqual(10.5 * small.visits);
  });

  it('reads 10 times the characters for 10 times the statements on one line', () => {
    const oneLine = (count: number) => 'INSERT INTO t VALUES (1);'.repeat(count);
    const small = charactersRead(oneLine(1_000));
    const large = charactersRead(oneLine(10_000));
    expect(large.statements).toHaveLength(10_000);
    expect(large.statements.at(-1)).toMatchObject({ line: 1 });
    expect(large.visits).toBeLessThanOrEqual(10.5 * small.visits);
  });

  it('reads 10 times the characters for a statement 10 times as long', () => {
    const insert = (rows: number) => `INSERT INTO t VALUES\n${"(1, 'a;b', $$c;d$$, E'\\'' /* ; */),\n".repeat(rows)}(0, '', '', '');\n`;
    const small = charactersRead(insert(1_000));
    const large = charactersRead(insert(10_000));
    expect(large.statements).toHaveLength(1);
    expect(large.visits).toBeLessThanOrEqual(10.5 * small.visits);
  });
});
