import { describe, expect, it } from 'vitest';
import { leadingWords, statementRetries } from '../../src/lock-retries/no-transaction.js';
import { splitSqlStatements } from '../../src/migrations/split.js';

const retriesOf = (sql: string) => statementRetries(splitSqlStatements(sql));

describe('statementRetries (no-transaction migrations)', () => {
  it('plain statements are retried: each ran alone and left nothing behind', () => {
    expect(retriesOf('ALTER TABLE users ADD COLUMN email text;\nUPDATE users SET email = name;\nVACUUM users;')).toEqual([
      'retry',
      'retry',
      'retry',
    ]);
  });
  it('CREATE INDEX CONCURRENTLY and REINDEX CONCURRENTLY: their INVALID index is dropped before the retry', () => {
    expect(
      retriesOf(
        'CREATE INDEX CONCURRENTLY i ON t (a);\ncreate unique index concurrently if not exists j on t (b);\nREINDEX (VERBOSE) INDEX CONCURRENTLY i;\nCREATE INDEX k ON t (c);',
      ),
    ).toEqual(['drop-invalid-then-retry', 'drop-invalid-then-retry', 'drop-invalid-then-retry', 'retry']);
  });
  it('CALL, DO and DETACH PARTITION CONCURRENTLY are not retried: they may have committed part of their work', () => {
    expect(
      retriesOf(
        'CALL backfill();\nDO $$BEGIN PERFORM 1; END$$;\nALTER TABLE audit_log DETACH PARTITION audit_log_2020_01 CONCURRENTLY;\nALTER TABLE p DETACH PARTITION c;',
      ),
    ).toEqual(['no-retry', 'no-retry', 'no-retry', 'retry']);
  });
  it("nothing inside the file's own BEGIN ... COMMIT is retried (a failure aborts the whole block)", () => {
    expect(
      retriesOf(
        'BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nALTER TABLE t ADD COLUMN b int;\nSTART TRANSACTION;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;\nUPDATE t SET a = 1;\nEND;\nUPDATE t SET b = 1;',
      ),
    ).toEqual(['no-retry', 'no-retry', 'no-retry', 'retry', 'no-retry', 'no-retry', 'no-retry', 'no-retry', 'no-retry', 'retry']);
  });
  it('comments before and inside the first words do not hide them', () => {
    expect(leadingWords('/* why */ CREATE -- one\n UNIQUE INDEX CONCURRENTLY i ON t (a)', 4)).toEqual([
      'CREATE',
      'UNIQUE',
      'INDEX',
      'CONCURRENTLY',
    ]);
    expect(retriesOf('-- a comment\n/* and one more */ CALL p();')).toEqual(['no-retry']);
  });
});
