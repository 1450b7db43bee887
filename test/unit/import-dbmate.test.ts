import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { convertDbmate } from '../../src/import/dbmate.js';
import { planImport } from '../../src/import/plan.js';
import { readSourceDirectory } from '../../src/import/source.js';
import type { SourceFile } from '../../src/import/types.js';

const fixture = fileURLToPath(new URL('../fixtures/import/dbmate', import.meta.url));
const files = (entries: Record<string, string | undefined>): SourceFile[] =>
  Object.entries(entries).map(([path, text]) => ({ path, text }));

describe('dbmate: the fixture project', () => {
  const plan = planImport('dbmate', readSourceDirectory(fixture, false), { renumber: false });

  it('converts every migration, keeping its timestamp version and name, in order', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => f.fileName)).toEqual([
      '20240105093000_create_players.sql',
      '20240105094500_create_guilds.sql',
      '20240112160000_players_updated_at.sql',
      '20240120101500_create_items.sql',
      '20240120103000_create_inventory.sql',
      '20240201080000_index_inventory_by_item.sql',
      '20240202120000_add_player_display_name.sql',
      '20240202121500_backfill_display_name.sql',
      '20240215170000_add_mythic_rarity.sql',
      '20240301090000_guild_leaderboard.sql',
      '20240310140000_transfer_item_function.sql',
      '20240320110000_document_tables.sql',
    ]);
    expect(plan.files[0]?.version).toBe(20240105093000);
  });

  it('maps transaction:false to -- aeturnis:no-transaction and empty downs to nothing-to-undo', () => {
    const byName = new Map(plan.files.map((f) => [f.name, f]));
    const index = parseMigration('20240201080000_index_inventory_by_item.sql', byName.get('index_inventory_by_item')?.text ?? '');
    expect(index.noTransaction).toBe(true);
    expect(index.up.sql).toContain('CREATE INDEX CONCURRENTLY IF NOT EXISTS inventory_item_id_idx');
    expect(index.down?.sql).toContain('DROP INDEX CONCURRENTLY IF EXISTS inventory_item_id_idx');
    expect(plan.files.filter((f) => f.noTransaction).map((f) => f.name)).toEqual(['index_inventory_by_item']);
    expect(plan.files.filter((f) => f.down === 'nothing-to-undo').map((f) => f.name)).toEqual(['backfill_display_name']);
    const backfill = parseMigration('1_backfill.sql', byName.get('backfill_display_name')?.text ?? '');
    expect(backfill).toMatchObject({ irreversible: false, nothingToUndo: true });
  });

  it('keeps the header comments, the UP and the DOWN as written, dollar quotes included', () => {
    const players = plan.files[0]?.text;
    expect(players).toBe(
      '-- Imported from dbmate: 20240105093000_create_players.sql\n' +
        '-- Players of the Aeturnis world.\n' +
        '-- Usernames compare case-insensitively: the unique index is on lower(username).\n' +
        '\n' +
        '-- UP\n' +
        'CREATE TABLE players (\n' +
        '  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n' +
        '  username   text        NOT NULL,\n' +
        '  email      text        NOT NULL,\n' +
        '  created_at timestamptz NOT NULL DEFAULT now(),\n' +
        '  CONSTRAINT players_username_length CHECK (char_length(username) BETWEEN 3 AND 32)\n' +
        ');\n' +
        '\n' +
        'CREATE UNIQUE INDEX players_username_lower_key ON players (lower(username));\n' +
        '\n' +
        '-- DOWN\n' +
        'DROP TABLE players;\n',
    );
    const transfer = plan.files.find((f) => f.name === 'transfer_item_function')?.text ?? '';
    expect(transfer).toContain("RAISE EXCEPTION 'player % holds % of item %; cannot give %'");
    expect(transfer).toContain('$transfer$;\n\n-- DOWN\nDROP FUNCTION transfer_item(bigint, bigint, bigint, integer);\n');
  });
});

describe('dbmate: conversion rules', () => {
  it('keeps transaction:false per section: on the down only, only the DOWN runs without a transaction', () => {
    const plan = planImport(
      'dbmate',
      files({ '1_idx.sql': '-- migrate:up\nCREATE INDEX i ON t (x);\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n' }),
      { renumber: false },
    );
    expect(plan.problems).toEqual([]);
    const text = plan.files[0]?.text ?? '';
    expect(text).toBe(
      '-- Imported from dbmate: 1_idx.sql\n-- aeturnis:no-transaction down\n-- UP\nCREATE INDEX i ON t (x);\n\n-- DOWN\nDROP INDEX CONCURRENTLY i;\n',
    );
    const parsed = parseMigration('1_idx.sql', text);
    expect([parsed.noTransaction, parsed.noTransactionSection]).toEqual([false, 'down']);
  });

  it('keeps transaction:false on the up only for the UP: the DOWN stays atomic', () => {
    const { migrations } = convertDbmate(
      files({ '1_idx.sql': '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (x);\n-- migrate:down\nDROP INDEX i;\n' }),
    );
    expect(migrations[0]).toMatchObject({ noTransaction: false, noTransactionSection: 'up', notes: [] });
  });

  it('converts only the first block, as dbmate runs it, dropping later empty blocks with a note', () => {
    const { migrations, problems } = convertDbmate(
      files({
        '1_colors.sql':
          "-- migrate:up transaction:false\nALTER TYPE c ADD VALUE 'a';\n-- migrate:down\n-- none\n-- migrate:up\n-- migrate:down\n",
      }),
    );
    expect(problems).toEqual([]);
    expect(migrations[0]).toMatchObject({
      up: "ALTER TYPE c ADD VALUE 'a';\n",
      down: '-- none\n',
      noTransaction: false,
      noTransactionSection: 'up',
      notes: ['its 1 later empty block dropped: dbmate runs only the first'],
    });
  });

  it('refuses SQL in a later block: dbmate never ran it', () => {
    const result = convertDbmate(
      files({
        '1_colors.sql':
          "-- migrate:up\nALTER TYPE c ADD VALUE 'a';\n-- migrate:down\n-- none\n" +
          "-- migrate:up\nALTER TYPE c ADD VALUE 'b';\n-- migrate:down\n-- none either\n",
      }),
    );
    expect(result.migrations).toEqual([]);
    expect(result.problems).toEqual([
      {
        file: '1_colors.sql',
        reason:
          'line 5: a second "-- migrate:up" block with SQL: dbmate runs only the first block (2.29 and later then fail at the second, ' +
          'its version already recorded), so a database it migrated never ran this SQL: delete the later blocks ' +
          '(or move them into a migration of their own), then import again',
      },
    ]);
  });

  it('leaves a file without "-- migrate:down" irreversible', () => {
    const { migrations } = convertDbmate(files({ '20240101_seed.sql': '-- migrate:up\nINSERT INTO t VALUES (1);\n' }));
    expect(migrations[0]?.down).toBeUndefined();
  });

  it('ignores files dbmate ignores and names a file without a name part "migration"', () => {
    const result = convertDbmate(
      files({ 'README.md': undefined, 'schema.sql': '', '20240101.sql': '-- migrate:up\nSELECT 1;\n-- migrate:down\n' }),
    );
    expect(result.ignored).toEqual(['README.md', 'schema.sql']);
    expect(result.migrations[0]?.name).toBe('migration');
  });

  it.each([
    ['CREATE TABLE t ();\n', /no "-- migrate:up" line: the UP is missing/],
    ['CREATE TABLE t ();\n-- migrate:up\nSELECT 1;\n', /line 1: SQL before "-- migrate:up"/],
    ['-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();\n', /line 1: "-- migrate:down" before "-- migrate:up"/],
    ['-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- migrate:down\nSELECT 3;\n', /line 5: a second "-- migrate:down"/],
    ['-- migrate:up\nSELECT 1;\n-- down\nSELECT 2;\n', /line 3 \("-- down"\) would read as an aeturnis-db section marker/],
  ])('names the file and why it cannot convert %j', (text, reason) => {
    const result = convertDbmate(files({ '20240101120000_bad.sql': text }));
    expect(result.migrations).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.file).toBe('20240101120000_bad.sql');
    expect(result.problems[0]?.reason).toMatch(reason);
  });

  it('reports a file that is not UTF-8', () => {
    const result = convertDbmate([{ path: '1_x.sql', text: undefined, unreadable: 'not valid UTF-8 text' }]);
    expect(result.problems).toEqual([{ file: '1_x.sql', reason: 'not valid UTF-8 text' }]);
  });
});
