import { describe, expect, it } from 'vitest';
import { migrationChecksum } from '../../src/migrations/checksum.js';
import { parseMigration } from '../../src/migrations/parse.js';
import { outputClashes, planImport, type PlannedFile } from '../../src/import/plan.js';
import { nonTransactionalStatement } from '../../src/import/sql-text.js';
import type { SourceFile } from '../../src/import/types.js';

const files = (entries: Record<string, string | undefined>): SourceFile[] =>
  Object.entries(entries).map(([path, text]) => ({ path, text }));
const dbmate = (up: string, down = '') => `-- migrate:up\n${up}\n-- migrate:down\n${down}`;

describe('versions', () => {
  it('refuses two files whose digits are the same number, and renumbers them on request', () => {
    const source = files({ '01_b.sql': dbmate('SELECT 2;'), '1_a.sql': dbmate('SELECT 1;') });
    const kept = planImport('dbmate', source, { renumber: false });
    expect(kept.problems).toEqual([
      {
        file: '1_a.sql',
        reason: "version 1 is the same number as 01_b.sql's (import with --renumber to number them 1, 2, 3, ... in dbmate's order)",
      },
    ]);
    const renumbered = planImport('dbmate', source, { renumber: true });
    expect(renumbered.files.map((f) => [f.sourceVersion, f.fileName])).toEqual([
      ['01', '0001_b.sql'],
      ['1', '0002_a.sql'],
    ]);
  });

  it('refuses version 0 and versions beyond the largest safe integer', () => {
    const plan = planImport('golang-migrate', files({ '0_init.up.sql': 'SELECT 0;', '99999999999999999999_big.up.sql': 'SELECT 1;' }), {
      renumber: false,
    });
    expect(plan.problems.map((p) => p.reason)).toEqual([
      "version 0: aeturnis-db versions start at 1 (import with --renumber to number them 1, 2, 3, ... in golang-migrate's order)",
      "version 99999999999999999999 is larger than aeturnis-db's largest, 9007199254740991 (import with --renumber to number them 1, 2, 3, ... in golang-migrate's order)",
    ]);
  });

  it("warns when dbmate's name order (10_c before 1_a, as Go compares bytes) differs from the version numbers' order", () => {
    const plan = planImport(
      'dbmate',
      files({ '1_a.sql': dbmate('SELECT 1;'), '10_c.sql': dbmate('SELECT 10;'), '2_b.sql': dbmate('SELECT 2;') }),
      {
        renumber: false,
      },
    );
    expect(plan.problems).toEqual([]);
    expect(plan.warnings).toEqual([
      'dbmate applies 10_c.sql before 1_a.sql; aeturnis-db applies migrations by version number, so 1_a.sql comes first: ' +
        "check that this order works, or import with --renumber to number them 1, 2, 3, ... in dbmate's order",
    ]);
  });

  it('widens renumbered versions past 9999 migrations', () => {
    const many = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`${i + 1}_m.sql`, dbmate(`SELECT ${i};`)]));
    const plan = planImport('dbmate', files(many), { renumber: true });
    expect(plan.files[0]?.fileName).toBe('00001_m.sql');
    expect(plan.files[9_999]?.fileName).toBe('10000_m.sql');
  });
});

describe('the written files', () => {
  it('are the same bytes on every run (stable checksums) and valid aeturnis-db migrations', () => {
    const source = files({ '20240101120000_users.sql': dbmate('CREATE TABLE users ();', 'DROP TABLE users;') });
    const first = planImport('dbmate', source, { renumber: false }).files[0] as PlannedFile;
    const second = planImport('dbmate', source, { renumber: false }).files[0] as PlannedFile;
    expect(second.text).toBe(first.text);
    expect(migrationChecksum(second.text)).toBe(migrationChecksum(first.text));
    const parsed = parseMigration(first.fileName, first.text);
    expect(parsed).toMatchObject({ version: 20240101120000, name: 'users', irreversible: false });
    expect(parsed.up.sql).toBe('CREATE TABLE users ();\n');
  });

  it('end at the UP when the source has no down, so the migration stays irreversible', () => {
    const plan = planImport('goose', files({ '1_seed.sql': '-- +goose Up\nINSERT INTO t VALUES (1);\n' }), { renumber: false });
    expect(plan.files[0]?.text).toBe('-- Imported from goose: 1_seed.sql\n-- UP\nINSERT INTO t VALUES (1);\n');
    expect(plan.files[0]?.down).toBe('irreversible');
  });

  it('refuse a source whose comments would act as an aeturnis-db directive', () => {
    const plan = planImport('goose', files({ '1_a.sql': '-- aeturnis:no-transaction\n-- +goose Up\nSELECT 1;\n' }), { renumber: false });
    expect(plan.files).toEqual([]);
    expect(plan.problems[0]?.file).toBe('1_a.sql');
    expect(plan.problems[0]?.reason).toMatch(/hold an aeturnis-db directive/);
  });
});

describe('outputClashes', () => {
  const planned = planImport('goose', files({ '00001_a.sql': '-- +goose Up\nSELECT 1;\n', '00002_b.sql': '-- +goose Up\nSELECT 2;\n' }), {
    renumber: false,
  }).files;

  it('names a file that exists already and a version another file has', () => {
    expect(outputClashes(planned, ['00001_a.sql', '2_other.sql', 'README.md'], 'migrations')).toEqual([
      { file: 'migrations/00001_a.sql', reason: 'already exists (import never overwrites a file)' },
      { file: 'migrations/00002_b.sql', reason: 'version 2 is already taken by migrations/2_other.sql' },
    ]);
  });

  it('finds nothing in an empty directory', () => {
    expect(outputClashes(planned, [], 'migrations')).toEqual([]);
  });
});

describe('nonTransactionalStatement', () => {
  it.each([
    ['CREATE INDEX CONCURRENTLY i ON t (x);', 'CREATE INDEX CONCURRENTLY'],
    ['-- why\ncreate unique index\n  concurrently i ON t (x);', 'CREATE UNIQUE INDEX CONCURRENTLY'],
    ['SELECT 1;\nDROP INDEX CONCURRENTLY IF EXISTS i;', 'DROP INDEX CONCURRENTLY'],
    ['REINDEX INDEX CONCURRENTLY i;', 'REINDEX INDEX CONCURRENTLY'],
    ['VACUUM (ANALYZE) t;', 'VACUUM'],
    ['ALTER SYSTEM SET work_mem = 1;', 'ALTER SYSTEM'],
  ])('finds %j', (sql, expected) => {
    expect(nonTransactionalStatement(sql)).toBe(expected);
  });

  it.each([
    'CREATE INDEX i ON t (x);',
    "COMMENT ON INDEX i IS 'built CONCURRENTLY later';",
    'CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ VACUUM $$;',
  ])('leaves %j in a transaction', (sql) => {
    expect(nonTransactionalStatement(sql)).toBeUndefined();
  });
});
