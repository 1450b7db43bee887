import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { convertGolangMigrate, withoutOwnTransaction } from '../../src/import/golang-migrate.js';
import { planImport } from '../../src/import/plan.js';
import { readSourceDirectory } from '../../src/import/source.js';
import type { SourceFile } from '../../src/import/types.js';

const fixture = fileURLToPath(new URL('../fixtures/import/golang-migrate', import.meta.url));
const files = (entries: Record<string, string | undefined>): SourceFile[] =>
  Object.entries(entries).map(([path, text]) => ({ path, text }));

describe('golang-migrate: the fixture project', () => {
  const plan = planImport('golang-migrate', readSourceDirectory(fixture, false), { renumber: false });
  const file = (name: string) => plan.files.find((f) => f.name === name);

  it('makes one file of each up/down pair, keeping the 000001-style version', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.files).toHaveLength(12);
    expect(file('create_players')).toMatchObject({
      fileName: '000001_create_players.sql',
      version: 1,
      sources: ['000001_create_players.up.sql', '000001_create_players.down.sql'],
      down: 'sql',
    });
  });

  it('turns empty and comment-only down files into nothing-to-undo', () => {
    expect(plan.files.filter((f) => f.down === 'nothing-to-undo').map((f) => f.name)).toEqual([
      'backfill_display_name',
      'add_mythic_rarity',
      'document_tables',
    ]);
    const documented = file('document_tables');
    expect(parseMigration(documented?.fileName ?? '', documented?.text ?? '')).toMatchObject({ irreversible: false, nothingToUndo: true });
  });

  it('runs a lone CREATE INDEX CONCURRENTLY without a transaction, as golang-migrate does', () => {
    const index = file('index_inventory_by_item');
    expect(index?.noTransaction).toBe(true);
    expect(index?.notes).toEqual(['CREATE INDEX CONCURRENTLY cannot run inside a transaction']);
    expect(plan.files.filter((f) => f.noTransaction)).toHaveLength(1);
  });

  it('comments out a file-wide BEGIN/COMMIT, keeping every other line', () => {
    const guilds = parseMigration('000002_create_guilds.sql', file('create_guilds')?.text ?? '');
    expect(guilds.up.sql).toMatch(/^-- BEGIN; \(import: aeturnis-db runs each migration in a transaction\)\n\nCREATE TABLE guilds/);
    expect(guilds.up.sql).toMatch(/\n-- COMMIT; \(import: aeturnis-db runs each migration in a transaction\)\n$/);
    expect(guilds.down?.sql).toBe(
      '-- BEGIN; (import: aeturnis-db runs each migration in a transaction)\nDROP TABLE IF EXISTS guild_members;\nDROP TABLE IF EXISTS guilds;\n' +
        '-- COMMIT; (import: aeturnis-db runs each migration in a transaction)\n',
    );
    expect(file('create_guilds')?.notes).toEqual([
      'its own BEGIN/COMMIT commented out (up and down): aeturnis-db runs each migration in a transaction',
    ]);
  });
});

describe('golang-migrate: conversion rules', () => {
  it('leaves a migration without a down file irreversible', () => {
    const { migrations } = convertGolangMigrate(files({ '3_seed.up.sql': 'INSERT INTO t VALUES (1);\n' }));
    expect(migrations[0]).toMatchObject({ versionDigits: '3', name: 'seed', down: undefined, sources: ['3_seed.up.sql'] });
  });

  it.each([
    [{ '2_x.down.sql': 'DROP TABLE x;\n' }, '2_x.down.sql', /no 2_x\.up\.sql next to it: the UP is missing/],
    [{ '1_a.up.json': undefined }, '1_a.up.json', /a \.json migration: only \.sql files can be converted/],
    [{ '1_a.up.sql': 'SELECT 1;', '01_b.up.sql': 'SELECT 2;' }, '01_b.up.sql', /a second up file for version 1 \(also 1_a\.up\.sql\)/],
  ])('names the file and why it cannot convert %j', (entries, file, reason) => {
    const result = convertGolangMigrate(files(entries));
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.file).toBe(file);
    expect(result.problems[0]?.reason).toMatch(reason);
  });

  it('ignores files that are not migrations', () => {
    expect(convertGolangMigrate(files({ 'README.md': undefined, 'schema.sql': '' })).ignored).toEqual(['README.md', 'schema.sql']);
  });

  it('leaves BEGIN/COMMIT alone unless they wrap the whole file, each on its own line', () => {
    const shared = 'BEGIN; CREATE TABLE t ();\nCOMMIT;\n';
    expect(withoutOwnTransaction(shared)).toBe(shared);
    const middle = 'CREATE TABLE a ();\nBEGIN;\nCREATE TABLE b ();\nCOMMIT;\nCREATE TABLE c ();\n';
    expect(withoutOwnTransaction(middle)).toBe(middle);
    const plpgsql = 'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\nEND;\n$$;\n';
    expect(withoutOwnTransaction(plpgsql)).toBe(plpgsql);
    expect(withoutOwnTransaction('begin transaction;\nSELECT 1;\nend;\n')).toMatch(
      /^-- begin transaction; \(import: .*\)\nSELECT 1;\n-- end; \(import: .*\)\n$/,
    );
  });
});
