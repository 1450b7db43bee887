import { describe, expect, it } from 'vitest';
import { splitSqlStatements } from '../../src/migrations/split.js';
import { fileLockTimeouts, lockTimeoutSetBy } from '../../src/migrations/statement-words.js';

describe('lockTimeoutSetBy: the lock_timeout a statement sets, as PostgreSQL reads it', () => {
  it.each([
    ["SET lock_timeout = '250ms'", 250],
    ["set local lock_timeout to '2s'", 2000],
    ['SET SESSION lock_timeout = 5000', 5000],
    ["SET lock_timeout = '1min'", 60_000],
    ["SET lock_timeout = ' 1.5 s '", 1500],
    ['SET lock_timeout = 0', 0],
    ["SET lock_timeout = '0'", 0],
  ])('%s → %i ms', (sql, ms) => {
    expect(lockTimeoutSetBy(sql)).toBe(ms);
  });

  it.each([
    'SET lock_timeout = DEFAULT',
    "SET statement_timeout = '5s'",
    "SET lock_timeout = '5 fortnights'",
    "SELECT set_config('lock_timeout', '1s', true)",
    'ALTER TABLE users ADD COLUMN lock_timeout int',
  ])('%s → not read', (sql) => {
    expect(lockTimeoutSetBy(sql)).toBeUndefined();
  });
});

describe('fileLockTimeouts: what the file has set by each statement', () => {
  it('is undefined before any SET, then the latest SET', () => {
    const statements = splitSqlStatements(
      "ALTER TABLE a ADD COLUMN x int;\nSET lock_timeout = '250ms';\nALTER TABLE b ADD COLUMN y int;\nSET lock_timeout = '1s';\nALTER TABLE c ADD COLUMN z int;",
    );
    expect(fileLockTimeouts(statements)).toEqual([undefined, 250, 250, 1000, 1000]);
    expect(fileLockTimeouts(splitSqlStatements('CREATE TABLE t (id int);'))).toEqual([undefined]);
  });
});
