import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { convertFlyway } from '../../src/import/flyway.js';
import { planImport } from '../../src/import/plan.js';
import { readSourceDirectory } from '../../src/import/source.js';
import type { SourceFile } from '../../src/import/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const files = (entries: Record<string, string | undefined>): SourceFile[] =>
  Object.entries(entries).map(([path, text]) => ({ path, text }));

describe('flyway: the fixture project', () => {
  const plan = planImport('flyway', readSourceDirectory(fixture('flyway'), true), { renumber: false });
  const file = (name: string) => plan.files.find((f) => f.name === name);

  it('pairs each V file with its U file, keeping the version', () => {
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => f.fileName)).toEqual([
      '1_create_players.sql',
      '2_create_guilds.sql',
      '3_players_updated_at.sql',
      '4_create_items.sql',
      '5_create_inventory.sql',
      '6_index_inventory_by_item.sql',
      '7_add_player_display_name.sql',
      '8_backfill_display_name.sql',
      '9_add_mythic_rarity.sql',
      '10_guild_leaderboard.sql',
      '11_transfer_item_function.sql',
      '12_analyze_inventory.sql',
    ]);
    expect(file('create_players')?.sources).toEqual(['V1__create_players.sql', 'U1__create_players.sql']);
    expect(plan.files.filter((f) => f.down === 'nothing-to-undo').map((f) => f.name)).toEqual([
      'backfill_display_name',
      'analyze_inventory',
    ]);
  });

  it('runs without a transaction what Flyway runs without one: a .conf saying so, CONCURRENTLY, VACUUM', () => {
    expect(plan.files.filter((f) => f.noTransaction).map((f) => [f.name, f.notes])).toEqual([
      ['index_inventory_by_item', ['CREATE INDEX CONCURRENTLY cannot run inside a transaction (Flyway runs it outside one too)']],
      ['add_mythic_rarity', ['executeInTransaction=false in V9__add_mythic_rarity.sql.conf']],
      ['analyze_inventory', ['VACUUM cannot run inside a transaction (Flyway runs it outside one too)']],
    ]);
    const mythic = parseMigration('9_add_mythic_rarity.sql', file('add_mythic_rarity')?.text ?? '');
    expect(mythic.noTransaction).toBe(true);
    expect(mythic.down?.sql).toContain("DELETE FROM items WHERE rarity = 'mythic';");
  });
});

describe('flyway: dotted versions', () => {
  const source = readSourceDirectory(fixture('flyway-dotted'), true);

  it('are refused without --renumber, naming the file and the way out', () => {
    const plan = planImport('flyway', source, { renumber: false });
    expect(plan.problems.map((p) => p.file)).toEqual([
      'sql/release-1.1/V1.1__add_quest_chain.sql',
      'sql/release-1.1/V1_2__seed_quests.sql',
      'sql/V2.1__index_quest_log_by_player.sql',
    ]);
    expect(plan.problems[0]?.reason).toBe(
      "version 1.1 is not a whole number, as aeturnis-db versions are (import with --renumber to number them 1, 2, 3, ... in flyway's order)",
    );
  });

  it('are numbered 1, 2, 3, ... in Flyway order with --renumber, subdirectories included', () => {
    const plan = planImport('flyway', source, { renumber: true });
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => [f.sourceVersion, f.fileName])).toEqual([
      ['1', '0001_create_quests.sql'],
      ['1.1', '0002_add_quest_chain.sql'],
      ['1.2', '0003_seed_quests.sql'],
      ['2', '0004_quest_log.sql'],
      ['2.1', '0005_index_quest_log_by_player.sql'],
      ['10', '0006_quest_titles_case_insensitive.sql'],
    ]);
    expect(plan.ignored).toEqual(['flyway.conf']);
    expect(plan.files.find((f) => f.sourceVersion === '1.2')?.down).toBe('nothing-to-undo');
  });
});

describe('flyway: repeatable migrations (R__)', () => {
  it('follow every versioned one, ordered by description, numbered after the largest version, with a note', () => {
    const result = convertFlyway(
      files({
        'V1__players.sql': 'CREATE TABLE players (id int);',
        'views/R__player_views.sql': 'CREATE OR REPLACE VIEW player_names AS SELECT id FROM players;',
        'V2_1__guilds.sql': 'CREATE TABLE guilds (id int);',
        'R__functions.sql': 'CREATE OR REPLACE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
      }),
    );
    expect(result.problems).toEqual([]);
    expect(result.migrations.map((m) => [m.sources[0], m.sourceVersion, m.versionDigits])).toEqual([
      ['V1__players.sql', '1', '1'],
      ['V2_1__guilds.sql', '2.1', undefined],
      ['R__functions.sql', 'R__functions', '3'],
      ['views/R__player_views.sql', 'R__player_views', '4'],
    ]);
    expect(result.migrations[2]?.notes[0]).toMatch(
      /^a Flyway repeatable migration \(R__\), converted to run once after every versioned one/,
    );
    expect(result.migrations[2]?.down).toBeUndefined();
  });

  it('two with one description are refused, as Flyway refuses them', () => {
    const result = convertFlyway(files({ 'R__views.sql': 'SELECT 1;', 'more/R__views.sql': 'SELECT 2;' }));
    expect(result.problems).toEqual([
      { file: 'more/R__views.sql', reason: 'repeatable migration "views" is also R__views.sql (Flyway refuses it too)' },
    ]);
  });

  it('import writes them as ordinary migrations after the versioned ones', () => {
    const plan = planImport(
      'flyway',
      files({ 'V1__a.sql': 'CREATE TABLE a (id int);', 'R__v.sql': 'CREATE OR REPLACE VIEW v AS SELECT 1;' }),
      {
        renumber: false,
      },
    );
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => f.fileName)).toEqual(['1_a.sql', '2_v.sql']);
    expect(plan.files[1]?.text).toBe('-- Imported from flyway: R__v.sql\n-- UP\nCREATE OR REPLACE VIEW v AS SELECT 1;\n');
  });
});

describe('flyway: conversion rules', () => {
  it.each([
    ['afterMigrate.sql', 'ANALYZE;', /a Flyway callback \(afterMigrate\)/],
    ['beforeEachMigrate__set_role.sql', 'SET ROLE app;', /a Flyway callback \(beforeEachMigrate\)/],
    ['V3__load.sh', undefined, /a Flyway script migration/],
    ['B5__baseline.sql', 'CREATE TABLE t ();', /a Flyway baseline migration/],
    ['V1.x__bad.sql', 'SELECT 1;', /could not recognise version "1\.x"/],
    ['V4__grant.sql', 'GRANT SELECT ON t TO ${reader};', /uses the Flyway placeholder \$\{reader\}/],
    ['V5__load.sql', 'COPY t (a) FROM stdin;\n1\n\\.\n', /COPY \.\.\. FROM STDIN/],
    ['V6__note.sql', 'SELECT 1;\n-- Down\n', /line 2 \("-- Down"\) would read as an aeturnis-db section marker/],
  ])('refuses %s, naming it and why', (path, text, reason) => {
    const result = convertFlyway(files({ [path]: text }));
    expect(result.migrations).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.file).toBe(path);
    expect(result.problems[0]?.reason).toMatch(reason);
  });

  it('takes placeholders literally when the script configuration turns replacement off', () => {
    const result = convertFlyway(
      files({ 'V4__tpl.sql': "SELECT '${not_a_placeholder}';", 'V4__tpl.sql.conf': 'placeholderReplacement=false\n' }),
    );
    expect(result.problems).toEqual([]);
    expect(result.migrations[0]?.up).toBe("SELECT '${not_a_placeholder}';");
  });

  it('refuses an undo file without its V file, and two files of one version (1 and 1.0 are one)', () => {
    expect(convertFlyway(files({ 'U7__x.sql': 'SELECT 1;' })).problems).toEqual([
      { file: 'U7__x.sql', reason: 'undo file for version 7, which no V file has' },
    ]);
    expect(convertFlyway(files({ 'V1__a.sql': 'SELECT 1;', 'V1_0__b.sql': 'SELECT 2;' })).problems).toEqual([
      { file: 'V1_0__b.sql', reason: 'version 1.0 is also the version of V1__a.sql' },
    ]);
  });

  it('leaves a V file without U file irreversible and ignores what Flyway ignores', () => {
    const result = convertFlyway(files({ 'V1__a.sql': 'CREATE TABLE a ();', 'v2__lower.sql': 'SELECT 1;', 'README.md': undefined }));
    expect(result.migrations.map((m) => [m.name, m.down])).toEqual([['a', undefined]]);
    expect(result.ignored).toEqual(['v2__lower.sql', 'README.md']);
  });
});
