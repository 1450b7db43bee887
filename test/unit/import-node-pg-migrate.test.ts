import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { convertNodePgMigrate, orderOf } from '../../src/import/node-pg-migrate.js';
import { planImport } from '../../src/import/plan.js';
import { readSourceDirectory } from '../../src/import/source.js';
import type { SourceFile } from '../../src/import/types.js';

const fixture = fileURLToPath(new URL('../fixtures/import/node-pg-migrate', import.meta.url));
const files = (entries: Record<string, string | undefined>): SourceFile[] =>
  Object.entries(entries).map(([path, text]) => ({ path, text }));

describe('node-pg-migrate: the fixture project', () => {
  const plan = planImport('node-pg-migrate', readSourceDirectory(fixture, false), { renumber: false });

  it('keeps the millisecond timestamps as versions and the dashed names', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.files).toHaveLength(11);
    expect(plan.files[0]).toMatchObject({ fileName: '1704447000000_create-players.sql', version: 1704447000000, name: 'create-players' });
    expect(plan.files.every((f) => !f.noTransaction)).toBe(true);
  });

  it('turns the markers into -- UP / -- DOWN, keeping the comments above them in the header', () => {
    const players = parseMigration('1704447000000_create-players.sql', plan.files[0]?.text ?? '');
    expect(plan.files[0]?.text).toMatch(
      /^-- Imported from node-pg-migrate: 1704447000000_create-players\.sql\n-- Players of the Aeturnis world\.\n.*\n\n-- UP\nCREATE TABLE players \(/,
    );
    expect(players.down?.sql).toBe('DROP TABLE players;\n');
    expect(plan.files.filter((f) => f.down === 'nothing-to-undo').map((f) => f.name)).toEqual(['backfill-display-name']);
  });
});

describe('node-pg-migrate: conversion rules', () => {
  it('refuses JavaScript and TypeScript migrations, naming each', () => {
    const result = convertNodePgMigrate(
      files({ '1700000000000_a.js': undefined, '1700000000001_b.ts': undefined, '1700000000002_c.sql': '-- Up Migration\nSELECT 1;\n' }),
    );
    expect(result.problems.map((p) => p.file)).toEqual(['1700000000000_a.js', '1700000000001_b.ts']);
    expect(result.problems[0]?.reason).toBe('a node-pg-migrate JavaScript/TypeScript migration: only SQL migrations can be converted');
    expect(result.migrations.map((m) => m.name)).toEqual(['c']);
  });

  it('turns a 17-digit UTC prefix into the millisecond timestamp node-pg-migrate orders it by', () => {
    expect(orderOf('20200513070724505')).toBe(1589353644505);
    const { migrations } = convertNodePgMigrate(
      files({ '20200513070724505_later.sql': '-- Up Migration\nSELECT 2;\n', '1589353644000_earlier.sql': '-- Up Migration\nSELECT 1;\n' }),
    );
    expect(migrations.map((m) => [m.versionDigits, m.name])).toEqual([
      ['1589353644000', 'earlier'],
      ['1589353644505', 'later'],
    ]);
    expect(migrations[1]?.notes).toEqual([
      'version 20200513070724505 (a UTC timestamp) becomes 1589353644505, the number node-pg-migrate orders it by',
    ]);
  });

  it('takes a file without markers as all UP, as node-pg-migrate runs it, and reads a DOWN that comes first', () => {
    const { migrations } = convertNodePgMigrate(
      files({
        '1_all.sql': 'CREATE TABLE a ();\n',
        '2_swapped.sql': '-- Down Migration\nDROP TABLE b;\n-- up migration\nCREATE TABLE b ();\n',
      }),
    );
    expect(migrations[0]).toMatchObject({ up: 'CREATE TABLE a ();\n', down: undefined });
    expect(migrations[1]).toMatchObject({ up: 'CREATE TABLE b ();\n', down: 'DROP TABLE b;\n' });
  });

  it.each([
    ['1_a.sql', '-- Down Migration\nDROP TABLE a;\n', /no "-- Up Migration" line: the UP is missing/],
    [
      '1_a.sql',
      'SET search_path = app;\n-- Up Migration\nCREATE TABLE a ();\n',
      /line 1: SQL before the first marker, which node-pg-migrate never runs/,
    ],
    ['create-users.sql', '-- Up Migration\nSELECT 1;\n', /no numeric prefix/],
    ['29999999999999999_x.sql', '-- Up Migration\nSELECT 1;\n', /prefix 29999999999999999 is not a valid UTC timestamp/],
  ])('refuses %s, naming it and why', (path, text, reason) => {
    const result = convertNodePgMigrate(files({ [path]: text }));
    expect(result.migrations).toEqual([]);
    expect(result.problems[0]?.file).toBe(path);
    expect(result.problems[0]?.reason).toMatch(reason);
  });

  it('skips dot files and lists other files as ignored', () => {
    const result = convertNodePgMigrate(files({ '.eslintrc.json': undefined, 'README.md': undefined }));
    expect(result).toEqual({ migrations: [], problems: [], ignored: ['README.md'] });
  });
});

describe("node-pg-migrate: the sql loader's NAME.up.sql + NAME.down.sql pairs", () => {
  const split = fileURLToPath(new URL('../fixtures/import/node-pg-migrate-split', import.meta.url));

  it.each([false, true])('pairs them into one migration with its DOWN (renumber: %s); a down file never becomes an UP', (renumber) => {
    const plan = planImport('node-pg-migrate', readSourceDirectory(split, false), { renumber });
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => [f.fileName, f.sources, f.down])).toEqual([
      [
        renumber ? '0001_create-players.sql' : '1704447000000_create-players.sql',
        ['1704447000000_create-players.up.sql', '1704447000000_create-players.down.sql'],
        'sql',
      ],
      [
        renumber ? '0002_create-guilds.sql' : '1704447900000_create-guilds.sql',
        ['1704447900000_create-guilds.up.sql', '1704447900000_create-guilds.down.sql'],
        'sql',
      ],
      [
        renumber ? '0003_backfill-handles.sql' : '1705075200000_backfill-handles.sql',
        ['1705075200000_backfill-handles.up.sql', '1705075200000_backfill-handles.down.sql'],
        'nothing-to-undo',
      ],
    ]);
    const players = parseMigration('1_create-players.sql', plan.files[0]?.text ?? '');
    expect(players.up.sql).toMatch(/^-- Players of the Aeturnis world\.\nCREATE TABLE players \(/);
    expect(players.down?.sql).toBe('DROP TABLE players;\n');
  });

  it('takes each file whole (markers and all, as the sql loader does) and an empty down file as none', () => {
    const { migrations, problems } = convertNodePgMigrate(
      files({ '1_a.up.sql': '-- Up Migration\nCREATE TABLE a ();\n', '1_a.down.sql': '', '2_b.up.sql': 'SELECT 1;\n' }),
    );
    expect(problems).toEqual([]);
    expect(migrations.map((m) => [m.name, m.up, m.down, m.notes])).toEqual([
      ['a', '-- Up Migration\nCREATE TABLE a ();\n', undefined, ['1_a.down.sql is empty, which node-pg-migrate takes as no down']],
      ['b', 'SELECT 1;\n', undefined, []],
    ]);
  });

  it('refuses a down file without its up file, and one .sql file mixed with a pair, as node-pg-migrate does', () => {
    const { problems } = convertNodePgMigrate(
      files({ '1_a.down.sql': 'DROP TABLE a;\n', '2_b.sql': '-- Up Migration\nSELECT 1;\n', '2_b.up.sql': 'SELECT 1;\n' }),
    );
    expect(problems).toEqual([
      { file: '1_a.down.sql', reason: 'no 1_a.up.sql next to it: the UP is missing' },
      { file: '2_b.sql', reason: '2_b.up.sql next to it: node-pg-migrate refuses to mix one .sql file with .up.sql/.down.sql' },
    ]);
  });
});
