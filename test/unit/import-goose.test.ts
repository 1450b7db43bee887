import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { convertGoose } from '../../src/import/goose.js';
import { planImport } from '../../src/import/plan.js';
import { readSourceDirectory } from '../../src/import/source.js';
import type { SourceFile } from '../../src/import/types.js';

const fixture = fileURLToPath(new URL('../fixtures/import/goose', import.meta.url));
const files = (entries: Record<string, string | undefined>): SourceFile[] =>
  Object.entries(entries).map(([path, text]) => ({ path, text }));

describe('goose: the fixture project', () => {
  const plan = planImport('goose', readSourceDirectory(fixture, false), { renumber: false });
  const parsed = (name: string) => {
    const file = plan.files.find((f) => f.name === name);
    return parseMigration(file?.fileName ?? '', file?.text ?? '');
  };

  it('converts the twelve migrations, keeping 00001-style versions', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => f.fileName)).toHaveLength(12);
    expect(plan.files[0]?.fileName).toBe('00001_create_players.sql');
    expect(plan.files[11]?.fileName).toBe('00012_document_tables.sql');
    expect(plan.files.map((f) => f.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  it('drops the StatementBegin/End lines and keeps the SQL between them byte for byte', () => {
    for (const file of plan.files) expect(file.text).not.toContain('+goose');
    const source = readFileSync(`${fixture}/00011_transfer_item_function.sql`, 'utf8');
    const body = source.slice(source.indexOf('CREATE OR REPLACE FUNCTION'), source.indexOf('$transfer$;') + '$transfer$;\n'.length);
    const transfer = parsed('transfer_item_function');
    expect(transfer.up.sql).toBe(`-- Moves items between players atomically; raises when the giver has too few.\n${body}`);
    expect(transfer.down?.sql).toBe('DROP FUNCTION transfer_item(bigint, bigint, bigint, integer);\n');
    expect(parsed('backfill_display_name').up.sql).toContain('DO $$\nDECLARE\n  batch integer;\nBEGIN\n');
  });

  it('maps NO TRANSACTION to the header directive, keeping the header comment', () => {
    const index = plan.files.find((f) => f.name === 'index_inventory_by_item');
    expect(index?.text).toBe(
      '-- Imported from goose: 00006_index_inventory_by_item.sql\n' +
        '-- The inventory table is large in production: build the index without locking out writes.\n' +
        '\n' +
        '-- aeturnis:no-transaction\n' +
        '-- UP\n' +
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS inventory_item_id_idx ON inventory (item_id);\n' +
        '\n' +
        '-- DOWN\n' +
        'DROP INDEX CONCURRENTLY IF EXISTS inventory_item_id_idx;\n',
    );
    expect(parsed('index_inventory_by_item').noTransaction).toBe(true);
    expect(plan.files.filter((f) => f.noTransaction)).toHaveLength(1);
  });

  it('turns an empty "-- +goose Down" into nothing-to-undo', () => {
    expect(plan.files.filter((f) => f.down === 'nothing-to-undo').map((f) => f.name)).toEqual([
      'backfill_display_name',
      'add_mythic_rarity',
    ]);
    expect(parsed('add_mythic_rarity')).toMatchObject({ irreversible: false, nothingToUndo: true });
  });
});

describe('goose: conversion rules', () => {
  it('reads annotations in any case and leaves a file without Down irreversible', () => {
    const { migrations, problems } = convertGoose(files({ '7_seed.sql': '-- +goose up\nINSERT INTO t VALUES (1);\n' }));
    expect(problems).toEqual([]);
    expect(migrations[0]).toMatchObject({ versionDigits: '7', up: 'INSERT INTO t VALUES (1);\n', down: undefined });
  });

  it('refuses Go migrations, ignoring Go files that are not migrations', () => {
    const result = convertGoose(
      files({
        '00003_backfill.go': undefined,
        'helpers.go': undefined,
        'migrations_test.go': undefined,
        '00001_a.sql': '-- +goose Up\nSELECT 1;\n',
      }),
    );
    expect(result.problems).toEqual([
      { file: '00003_backfill.go', reason: 'a goose Go migration: only SQL migrations can be converted (rewrite it in SQL)' },
    ]);
    expect(result.ignored).toEqual(['helpers.go', 'migrations_test.go']);
  });

  it.each([
    ['SELECT 1;\n', /no "-- \+goose Up" annotation: the UP is missing/],
    ['-- +goose Down\nSELECT 1;\n-- +goose Up\nSELECT 2;\n', /line 1: "-- \+goose Down" before "-- \+goose Up"/],
    ['SELECT 0;\n-- +goose Up\nSELECT 1;\n', /line 1: SQL before "-- \+goose Up"/],
    ['-- +goose Up\n-- +goose StatementBegin\nSELECT 1;\n', /StatementBegin" without "-- \+goose StatementEnd"/],
    ['-- +goose Up\n-- +goose StatementEnd\n', /line 2: "-- \+goose StatementEnd" without its pair/],
    ['-- +goose Up\n-- +goose Sideways\n', /line 2: unknown goose annotation "-- \+goose Sideways"/],
    ['-- +goose ENVSUB ON\n-- +goose Up\nCREATE ROLE ${APP_USER};\n', /line 1: ENVSUB ON: goose puts environment variables into this SQL/],
  ])('names the file and why it cannot convert %j', (text, reason) => {
    const result = convertGoose(files({ '00004_bad.sql': text }));
    expect(result.migrations).toEqual([]);
    expect(result.problems[0]?.file).toBe('00004_bad.sql');
    expect(result.problems[0]?.reason).toMatch(reason);
  });

  it('orders by version number, not by name', () => {
    const { migrations } = convertGoose(
      files({ '10_c.sql': '-- +goose Up\nSELECT 10;\n', '9_b.sql': '-- +goose Up\nSELECT 9;\n', '1_a.sql': '-- +goose Up\nSELECT 1;\n' }),
    );
    expect(migrations.map((m) => m.versionDigits)).toEqual(['1', '9', '10']);
  });
});
