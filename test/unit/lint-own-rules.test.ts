import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { ownFindings } from '../../src/lint/own-rules.js';
import { transactionBlockedKind, unguardedParts } from '../../src/lint/statement-kinds.js';
import { statementWords } from '../../src/migrations/statement-words.js';

const kind = (sql: string) => transactionBlockedKind(statementWords(sql));
const unguarded = (sql: string) => unguardedParts(statementWords(sql)).map((part) => `${part.what} -> ${part.guard}`);

describe('statements PostgreSQL refuses inside a transaction block', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['create unique index concurrently if not exists i on t (a)', 'CREATE INDEX CONCURRENTLY'],
    ['DROP INDEX CONCURRENTLY IF EXISTS i', 'DROP INDEX CONCURRENTLY'],
    ['REINDEX TABLE CONCURRENTLY t', 'REINDEX CONCURRENTLY'],
    ['REINDEX (VERBOSE, CONCURRENTLY) INDEX i', 'REINDEX CONCURRENTLY'],
    ['REINDEX DATABASE app', 'REINDEX DATABASE'],
    ['VACUUM (ANALYZE) players', 'VACUUM'],
    ["ALTER SYSTEM SET work_mem = '64MB'", 'ALTER SYSTEM'],
    ['CREATE DATABASE reports', 'CREATE DATABASE'],
    ['DROP DATABASE IF EXISTS reports', 'DROP DATABASE'],
    ["CREATE TABLESPACE fast LOCATION '/ssd'", 'CREATE TABLESPACE'],
    ['ALTER TABLE audit_log DETACH PARTITION audit_log_2020_01 CONCURRENTLY', 'ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY'],
    ['ALTER DATABASE app SET TABLESPACE fast', 'ALTER DATABASE ... SET TABLESPACE'],
    ['CLUSTER', 'CLUSTER'],
    ['DISCARD ALL', 'DISCARD ALL'],
    ["CREATE SUBSCRIPTION s CONNECTION 'host=x' PUBLICATION p", 'CREATE SUBSCRIPTION'],
  ])('%s', (sql, expected) => {
    expect(kind(sql)).toBe(expected);
  });

  it.each([
    'CREATE INDEX i ON t (a)',
    'CREATE INDEX "concurrently" ON t (a)',
    "SELECT 'VACUUM'",
    '-- VACUUM\nSELECT 1',
    'REINDEX TABLE t',
    'CLUSTER players USING players_pkey',
    'ALTER TABLE audit_log DETACH PARTITION audit_log_2020_01',
    'ALTER DATABASE app SET search_path = app',
    "CREATE SUBSCRIPTION s CONNECTION 'x' PUBLICATION p WITH (create_slot = false)",
    'ANALYZE players',
  ])('not %s', (sql) => {
    expect(kind(sql)).toBeUndefined();
  });
});

describe('statements that fail when run a second time although a guard exists', () => {
  it('names each unguarded part and its guard', () => {
    expect(unguarded('CREATE INDEX CONCURRENTLY players_name ON players (name)')).toEqual(['CREATE INDEX -> IF NOT EXISTS']);
    expect(unguarded('CREATE INDEX CONCURRENTLY ON players (name)')).toEqual(['CREATE INDEX -> an index name and IF NOT EXISTS']);
    expect(unguarded('CREATE TABLE public.t (id bigint)')).toEqual(['CREATE TABLE -> IF NOT EXISTS']);
    expect(unguarded('CREATE MATERIALIZED VIEW v AS SELECT 1')).toEqual(['CREATE MATERIALIZED VIEW -> IF NOT EXISTS']);
    expect(unguarded('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql')).toEqual(['CREATE FUNCTION -> OR REPLACE']);
    expect(unguarded('DROP INDEX CONCURRENTLY players_name')).toEqual(['DROP INDEX -> IF EXISTS']);
    expect(unguarded('DROP MATERIALIZED VIEW v')).toEqual(['DROP MATERIALIZED VIEW -> IF EXISTS']);
    expect(unguarded("ALTER TYPE mood ADD VALUE 'meh'")).toEqual(['ALTER TYPE ... ADD VALUE -> IF NOT EXISTS']);
    expect(unguarded('ALTER TABLE ONLY "Players" ADD level int, ADD COLUMN IF NOT EXISTS x int, DROP COLUMN y, DROP CONSTRAINT c')).toEqual(
      [
        'ALTER TABLE ... ADD COLUMN -> IF NOT EXISTS',
        'ALTER TABLE ... DROP COLUMN -> IF EXISTS',
        'ALTER TABLE ... DROP CONSTRAINT -> IF EXISTS',
      ],
    );
  });

  it('passes guarded statements and those with no guard to write', () => {
    for (const sql of [
      'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)',
      'CREATE TABLE IF NOT EXISTS t (id bigint)',
      'CREATE EXTENSION IF NOT EXISTS pgcrypto',
      'CREATE OR REPLACE VIEW v AS SELECT 1',
      'DROP TABLE IF EXISTS t',
      'ALTER TABLE t ADD COLUMN IF NOT EXISTS a int, DROP COLUMN IF EXISTS b, ADD CONSTRAINT c CHECK (a > 0)',
      "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh'",
      "INSERT INTO t VALUES ('CREATE TABLE x')",
      "CREATE TYPE mood AS ENUM ('ok')",
      'DROP OWNED BY app',
    ]) {
      expect(unguarded(sql), sql).toEqual([]);
    }
  });
});

describe('ownFindings', () => {
  it('flags a statement that cannot run in a transaction in a transactional file, with the fix, at its line', () => {
    const migration = parseMigration(
      '0004_index_players.sql',
      '-- index players by name\n-- UP\nCREATE TABLE t (id bigint);\n\n  CREATE INDEX CONCURRENTLY players_name ON players (name);\n-- DOWN\nDROP INDEX CONCURRENTLY players_name;\nDROP TABLE t;\n',
    );
    const findings = ownFindings(migration);
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['requires-no-transaction', 5, 3],
      ['requires-no-transaction', 7, 1],
    ]);
    expect(findings[0]?.message).toContain(
      'CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and 0004_index_players.sql runs in one',
    );
    expect(findings[0]?.help).toContain('add "-- aeturnis:no-transaction" to the header');
  });

  it('checks a no-transaction file for re-runnable statements instead, in both sections', () => {
    const migration = parseMigration(
      '0005_concurrent.sql',
      '-- aeturnis:no-transaction\n-- UP\nCREATE INDEX CONCURRENTLY IF NOT EXISTS a ON t (a);\nCREATE INDEX CONCURRENTLY b ON t (b);\n-- DOWN\nDROP INDEX CONCURRENTLY b;\nDROP INDEX CONCURRENTLY IF EXISTS a;\n',
    );
    const findings = ownFindings(migration);
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([
      ['not-rerunnable', 4, 1],
      ['not-rerunnable', 6, 1],
    ]);
    expect(findings[0]?.message).toBe(
      'CREATE INDEX without IF NOT EXISTS fails if it runs again, and this UP section runs without a transaction',
    );
    expect(findings[0]?.help).toContain('look for an INVALID index it left');
    expect(findings[1]?.message).toContain('this DOWN section');
    expect(findings[1]?.help).not.toContain('INVALID');
  });

  it('points at the offending action of an ALTER TABLE', () => {
    const migration = parseMigration(
      '0006_x.sql',
      '-- aeturnis:no-transaction\n-- UP\nALTER TABLE t\n  ADD COLUMN IF NOT EXISTS a int,\n  DROP COLUMN b;\n-- DOWN\n-- aeturnis:nothing-to-undo\n',
    );
    expect(ownFindings(migration).map((f) => [f.rule, f.line, f.column])).toEqual([['not-rerunnable', 5, 3]]);
  });

  it('gives one not-rerunnable finding a statement, naming each unguarded action', () => {
    const migration = parseMigration(
      '0006_y.sql',
      '-- aeturnis:no-transaction\n-- UP\nALTER TABLE t\n  ADD COLUMN a int,\n  DROP COLUMN b;\n-- DOWN\n-- aeturnis:nothing-to-undo\n',
    );
    const findings = ownFindings(migration);
    expect(findings.map((f) => [f.rule, f.line, f.column])).toEqual([['not-rerunnable', 4, 3]]);
    expect(findings[0]?.message).toBe(
      'ALTER TABLE ... ADD COLUMN without IF NOT EXISTS, ALTER TABLE ... DROP COLUMN without IF EXISTS fail if it runs again, and this UP section runs without a transaction',
    );
    expect(findings[0]?.help).toMatch(/^write IF NOT EXISTS \/ IF EXISTS: /);
  });

  it('warns about an irreversible migration at its -- DOWN marker, or at -- UP without one', () => {
    const emptyDown = parseMigration('0007_a.sql', '-- UP\nUPDATE t SET a = 1;\n\n-- DOWN\n-- cannot be undone\n');
    expect(ownFindings(emptyDown).map((f) => [f.rule, f.line, f.column])).toEqual([['irreversible', 4, 1]]);
    const noDown = parseMigration('0008_b.sql', '-- backfill\n-- UP\nUPDATE t SET a = 1;\n');
    const [finding] = ownFindings(noDown);
    expect([finding?.rule, finding?.line]).toEqual(['irreversible', 2]);
    expect(finding?.help).toContain('-- aeturnis:nothing-to-undo');
    const nothingToUndo = parseMigration('0009_c.sql', '-- UP\nUPDATE t SET a = 1;\n-- DOWN\n-- aeturnis:nothing-to-undo\n');
    expect(ownFindings(nothingToUndo)).toEqual([]);
  });
});
