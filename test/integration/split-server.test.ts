import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { splitSqlStatements } from '../../src/migrations/split.js';

// The splitter's own cases are unit tests (test/unit/split.test.ts); these need a server.
//
// The real server is the reference: sent as one simple-query text, PostgreSQL returns one result
// per statement; the splitter must find the same statements, and each piece alone must give the
// same rows.
const SERVER_CASES = [
  "SELECT 'a;b' AS v; SELECT E'it\\'s;' AS v; SELECT 'x''y;' AS v",
  'SELECT 1 AS "a;b"; SELECT $$c;d$$ AS v; SELECT $t$ $$;$$ $t$ AS v',
  'SELECT /* x; /* nested ; */ y; */ 1 AS v; -- c;\nSELECT 2 AS v',
  "SELECT 'a'\n'b;' AS v; SELECT U&'\\0041;' AS v; SELECT 1 AS v, $$;$$ AS w",
  'SELECT 2*/* ; */3 AS v; SELECT (SELECT 1) AS v',
  'SELECT 1 AS v;;; ; SELECT CASE WHEN true THEN 1 END AS v',
];

describe('splitSqlStatements agrees with PostgreSQL', () => {
  it.each(SERVER_CASES)('%s', async (sql) => {
    const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await client.connect();
    try {
      const whole = await client.query(sql);
      const serverResults = (Array.isArray(whole) ? whole : [whole]) as pg.QueryResult[];
      const pieces = splitSqlStatements(sql);
      expect(pieces).toHaveLength(serverResults.length);
      for (const [index, piece] of pieces.entries()) {
        const alone = await client.query(piece.text);
        expect(alone.rows).toEqual(serverResults[index]?.rows);
      }
    } finally {
      await client.end();
    }
  });
});
