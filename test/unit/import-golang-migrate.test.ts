import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { convertGolangMigrate } from '../../src/import/golang-migrate.js';
import { withoutOwnTransactions } from '../../src/import/golang-migrate-blocks.js';
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

  it('leaves a file without transaction statements alone (BEGIN in a plpgsql body is not one)', () => {
    const plpgsql = 'CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  PERFORM 1;\nEND;\n$$;\n';
    expect(withoutOwnTransactions(plpgsql)).toEqual({ text: plpgsql, blocks: 0, wrapper: false, mustCommitBetween: false });
    expect(withoutOwnTransactions('begin transaction;\nSELECT 1;\nend;\n')).toMatchObject({
      text: expect.stringMatching(/^-- begin transaction; \(import: .*\)\nSELECT 1;\n-- end; \(import: .*\)\n$/),
      wrapper: true,
    });
  });
});

describe('golang-migrate: files with several BEGIN ... COMMIT blocks', () => {
  const why = '(import: aeturnis-db runs each migration in a transaction)';

  it('comments out every block, the inner COMMIT; BEGIN; included, and says the file runs as one transaction', () => {
    const { migrations, problems } = convertGolangMigrate(
      files({
        '7_blocks.up.sql': 'BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n\nBEGIN;\nCREATE TABLE b (id int);\nCOMMIT;\n',
        '7_blocks.down.sql': 'DROP TABLE b;\nBEGIN; DROP TABLE a; COMMIT;\n',
      }),
    );
    expect(problems).toEqual([]);
    expect(migrations[0]?.up).toBe(
      `-- BEGIN; ${why}\nCREATE TABLE a (id int);\n-- COMMIT; ${why}\n\n-- BEGIN; ${why}\nCREATE TABLE b (id int);\n-- COMMIT; ${why}\n`,
    );
    expect(migrations[0]?.down).toBe(`DROP TABLE b;\n/* BEGIN; ${why} */ DROP TABLE a; /* COMMIT; ${why} */\n`);
    expect(migrations[0]?.noTransaction).toBe(false);
    expect(migrations[0]?.notes).toEqual([
      'its 2 BEGIN ... COMMIT blocks (up) commented out: the UP runs as one transaction, where golang-migrate committed at each COMMIT',
      'its BEGIN ... COMMIT block (down) commented out: the DOWN runs as one transaction, where golang-migrate committed at each COMMIT',
    ]);
  });

  it('runs the section without a transaction when a later block uses an enum value an earlier one added', () => {
    const { migrations } = convertGolangMigrate(
      files({
        '8_status.up.sql':
          "BEGIN;\nALTER TYPE status ADD VALUE 'archived';\nCOMMIT;\nBEGIN;\nUPDATE jobs SET status = 'archived' WHERE done;\nCOMMIT;\n",
        '8_status.down.sql': "UPDATE jobs SET status = 'done' WHERE status = 'archived';\n",
      }),
    );
    expect(migrations[0]).toMatchObject({ noTransaction: false, noTransactionSection: 'up' });
    expect(migrations[0]?.notes[0]).toMatch(
      /ALTER TYPE \.\.\. ADD VALUE needs a commit .* the UP runs without a transaction, statement by statement$/,
    );
  });

  it('refuses transaction control it cannot keep, naming the line', () => {
    const { problems } = convertGolangMigrate(files({ '9_x.up.sql': 'BEGIN;\nSAVEPOINT s;\nSELECT 1;\nCOMMIT;\n' }));
    expect(problems).toEqual([
      {
        file: '9_x.up.sql',
        reason:
          'line 2: "SAVEPOINT S" controls the transaction in a way import cannot keep (aeturnis-db runs each migration in one): rewrite it, then import again',
      },
    ]);
  });
});
