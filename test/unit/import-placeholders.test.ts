/**
 * `import --placeholders` (pure): each code migration becomes a placeholder in the tool's order,
 * the file reads back as one (`-- aeturnis:placeholder`), and `up`'s plan refuses it (exit 3)
 * where it is pending, never where it is applied or beyond `--to`.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { planImport } from '../../src/import/plan.js';
import type { SourceFile } from '../../src/import/types.js';
import { parseMigration } from '../../src/migrations/parse.js';
import { planUp } from '../../src/migrations/plan.js';

const files = (entries: Record<string, string | undefined>): SourceFile[] =>
  Object.entries(entries).map(([path, text]) => ({ path, text }));

const goose = files({
  '00001_users.sql': '-- +goose Up\nCREATE TABLE users (id int);\n-- +goose Down\nDROP TABLE users;\n',
  '00002_backfill.go': undefined,
  '00003_index.sql': '-- +goose Up\nCREATE INDEX users_id ON users (id);\n',
  'helpers.go': undefined,
});

describe('import --placeholders', () => {
  it('puts a placeholder in the place of each goose Go migration, in version order', () => {
    const plan = planImport('goose', goose, { renumber: false, placeholders: true });
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => [f.fileName, f.placeholder, f.down])).toEqual([
      ['00001_users.sql', false, 'sql'],
      ['00002_backfill.sql', true, 'irreversible'],
      ['00003_index.sql', false, 'irreversible'],
    ]);
    const text = plan.files[1]?.text ?? '';
    expect(text.split('\n').slice(0, 2)).toEqual([
      '-- Imported from goose: 00002_backfill.go',
      '-- aeturnis:placeholder goose 00002_backfill.go',
    ]);
    expect(parseMigration('00002_backfill.sql', text).placeholder).toEqual({ tool: 'goose', source: '00002_backfill.go' });
    // Run anyway (an older aeturnis-db, verify), its UP fails saying what to do.
    expect(text).toContain("RAISE EXCEPTION 'placeholder for goose''s 00002_backfill.go: rewrite this file in SQL (keep its name)'");
  });

  it('without it, the Go file is a problem that names the flag; --renumber numbers placeholders in turn', () => {
    expect(planImport('goose', goose, { renumber: false }).problems).toEqual([
      {
        file: '00002_backfill.go',
        reason: 'a goose Go migration, which has no SQL to convert: rewrite it in SQL, or import with --placeholders',
      },
    ]);
    const renumbered = planImport('goose', goose, { renumber: true, placeholders: true });
    expect(renumbered.files.map((f) => f.fileName)).toEqual(['0001_users.sql', '0002_backfill.sql', '0003_index.sql']);
  });

  it('node-pg-migrate modules not built (package not installed) become placeholders in its order, a UTC prefix as its milliseconds', () => {
    const plan = planImport(
      'node-pg-migrate',
      files({
        '1700000000000_a.sql': '-- Up Migration\nSELECT 1;\n',
        '20240101000000000_b.ts': undefined,
        '1600000000000_c.js': undefined,
      }),
      { renumber: false, placeholders: true, rendering: undefined },
    );
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => [f.fileName, f.placeholder])).toEqual([
      ['1600000000000_c.sql', true],
      ['1700000000000_a.sql', false],
      ['1704067200000_b.sql', true],
    ]);
  });
});

describe("up's plan and placeholders", () => {
  const placeholder = parseMigration(
    '0002_backfill.sql',
    "-- aeturnis:placeholder goose 00002_backfill.go\n-- UP\nDO $p$ BEGIN RAISE EXCEPTION 'x'; END $p$;\n",
  );
  const sql = (version: number) => parseMigration(`000${version}_m.sql`, `-- UP\nCREATE TABLE t${version} ();\n`);
  const row = (migration: { version: number; name: string; checksum: string }) => ({
    version: migration.version,
    name: migration.name,
    checksum: migration.checksum,
    appliedAt: new Date(),
    executionMs: 0,
  });

  it('refuses a pending placeholder before anything runs (exit 3), naming each', () => {
    expect(() => planUp([sql(1), placeholder, sql(3)], [])).toThrow(ValidationError);
    try {
      planUp([sql(1), placeholder, sql(3)], []);
    } catch (error) {
      expect((error as ValidationError).exitCode).toBe(3);
      expect((error as ValidationError).problems).toEqual([
        "0002_backfill.sql is a placeholder for goose's 00002_backfill.go, never applied here: rewrite it in SQL (keep its file name)",
      ]);
    }
  });

  it('lets up run where the placeholder is applied (adopted), or where --to stops before it', () => {
    expect(planUp([sql(1), placeholder, sql(3)], [row(sql(1)), row(placeholder)]).pending.map((m) => m.version)).toEqual([3]);
    expect(planUp([sql(1), placeholder, sql(3)], [], { to: 1 }).pending.map((m) => m.version)).toEqual([1]);
  });
});
