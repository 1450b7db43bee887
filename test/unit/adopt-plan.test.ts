/**
 * Matching a source journal to the local migrations (pure): through import headers (renumbered
 * files), by version otherwise, "everything up to V", unknown entries, rows already recorded.
 */
import { describe, expect, it } from 'vitest';
import { pendingAfter, planAdoption, type LocalMigration } from '../../src/adopt/plan.js';
import { readImportHeader } from '../../src/adopt/provenance.js';
import { SOURCE_TOOLS } from '../../src/adopt/tools/index.js';
import type { SourceRow } from '../../src/adopt/types.js';
import { parseMigration } from '../../src/migrations/parse.js';

const row = (fields: Partial<SourceRow>): SourceRow => ({
  version: null,
  name: null,
  kind: 'SQL',
  appliedAt: null,
  executionMs: null,
  ok: true,
  ...fields,
});

function local(fileName: string, header?: string): LocalMigration {
  const text = `${header ? `${header}\n` : ''}-- UP\nSELECT 1;\n-- DOWN\nSELECT 1;\n`;
  return { migration: parseMigration(fileName, text), importedFrom: header ? readImportHeader(header) : undefined };
}

describe('planAdoption', () => {
  it('maps files renumbered by import through their header, not their new version', () => {
    const locals = [
      local('0001_create_quests.sql', '-- Imported from flyway: V1__create_quests.sql + U1__create_quests.sql'),
      local('0002_add_quest_chain.sql', '-- Imported from flyway: release-1.1/V1.1__add_quest_chain.sql'),
      local('0003_quest_log.sql', '-- Imported from flyway: V2__quest_log.sql'),
    ];
    const state = SOURCE_TOOLS.flyway.interpret([row({ version: '1', executionMs: 12 }), row({ version: '2' })]);
    const plan = planAdoption(SOURCE_TOOLS.flyway, state, locals, new Set());
    expect(plan.records.map((r) => [r.migration.fileName, r.sourceVersion, r.executionMs])).toEqual([
      ['0001_create_quests.sql', '1', 12],
      ['0003_quest_log.sql', '2', 0],
    ]);
    expect(plan.unknown).toEqual([]);
  });

  it('a file without a header matches by version; a header from another tool does not count', () => {
    const locals = [local('0001_a.sql'), local('0002_b.sql', '-- Imported from goose: 00005_b.sql')];
    const state = SOURCE_TOOLS.dbmate.interpret([row({ version: '1' }), row({ version: '2' })]);
    const plan = planAdoption(SOURCE_TOOLS.dbmate, state, locals, new Set());
    expect(plan.records.map((r) => r.migration.version)).toEqual([1, 2]);
  });

  it('records a Flyway repeatable migration imported as a file of its own; without one it is passed over with a note', () => {
    const state = SOURCE_TOOLS.flyway.interpret([
      row({ version: '1' }),
      row({ version: null, name: 'views/R__player_views.sql' }),
      row({ version: null, name: 'R__functions.sql' }),
    ]);
    const locals = [
      local('0001_players.sql', '-- Imported from flyway: V1__players.sql'),
      local('0002_player_views.sql', '-- Imported from flyway: views/R__player_views.sql'),
    ];
    const plan = planAdoption(SOURCE_TOOLS.flyway, state, locals, new Set());
    expect(plan.records.map((r) => [r.migration.fileName, r.sourceVersion])).toEqual([
      ['0001_players.sql', '1'],
      ['0002_player_views.sql', 'views/R__player_views.sql'],
    ]);
    expect(plan.unknown).toEqual([]);
    expect(plan.notes).toEqual(["Flyway's R__functions.sql has no local file: adopt passes over it"]);
  });

  it('records a placeholder where the tool applied its code migration, by the file its header names', () => {
    const placeholder = (fileName: string, source: string): LocalMigration => {
      const text = `-- Imported from goose: ${source}\n-- aeturnis:placeholder goose ${source}\n-- UP\nDO $p$ BEGIN RAISE EXCEPTION 'x'; END $p$;\n`;
      return { migration: parseMigration(fileName, text), importedFrom: readImportHeader(`-- Imported from goose: ${source}`) };
    };
    const locals = [local('0001_a.sql', '-- Imported from goose: 00001_a.sql'), placeholder('0002_backfill.sql', '00002_backfill.go')];
    expect(locals[1]?.migration.placeholder).toEqual({ tool: 'goose', source: '00002_backfill.go' });
    const state = SOURCE_TOOLS.goose.interpret([row({ version: '1' }), row({ version: '2' })]);
    const plan = planAdoption(SOURCE_TOOLS.goose, state, locals, new Set());
    expect(plan.records.map((r) => r.migration.fileName)).toEqual(['0001_a.sql', '0002_backfill.sql']);
  });

  it('lists source entries with no local file as unknown', () => {
    const state = SOURCE_TOOLS.goose.interpret([row({ version: '1' }), row({ version: '9' })]);
    const plan = planAdoption(SOURCE_TOOLS.goose, state, [local('00001_a.sql')], new Set());
    expect(plan.unknown).toEqual(['9']);
  });

  it("golang-migrate's current version takes every local migration at or below it, with times from nowhere", () => {
    const locals = ['000001_a.sql', '000002_b.sql', '000003_c.sql'].map((name) => local(name));
    const state = SOURCE_TOOLS['golang-migrate'].interpret([row({ version: '2' })]);
    const plan = planAdoption(SOURCE_TOOLS['golang-migrate'], state, locals, new Set([1]));
    expect(plan.alreadyRecorded.map((r) => r.migration.version)).toEqual([1]);
    expect(plan.records.map((r) => [r.migration.version, r.appliedAt])).toEqual([[2, undefined]]);
  });

  it('node-pg-migrate rows with 17-digit names find the files import numbered by milliseconds, header or not', () => {
    const locals = [
      local('1589353644505_users.sql'),
      local('1589353644506_posts.sql', '-- Imported from node-pg-migrate: 20200513070724506_posts.sql'),
    ];
    const state = SOURCE_TOOLS['node-pg-migrate'].interpret([
      row({ name: '20200513070724505_users', appliedAt: '2024-01-01T00:00:00.000001Z' }),
      row({ name: '20200513070724506_posts' }),
    ]);
    const plan = planAdoption(SOURCE_TOOLS['node-pg-migrate'], state, locals, new Set());
    expect(plan.records.map((r) => [r.migration.fileName, r.appliedAt])).toEqual([
      ['1589353644505_users.sql', '2024-01-01T00:00:00.000001Z'],
      ['1589353644506_posts.sql', undefined],
    ]);
  });
});

describe('pendingAfter', () => {
  it('names what up applies next, and which of those it refuses as out of order', () => {
    const migrations = ['0001_a.sql', '0002_b.sql', '0003_c.sql', '0004_d.sql'].map((name) => local(name).migration);
    const plan = planAdoption(
      SOURCE_TOOLS.goose,
      SOURCE_TOOLS.goose.interpret([row({ version: '1' }), row({ version: '3' })]),
      migrations.map((m) => ({ migration: m, importedFrom: undefined })),
      new Set(),
    );
    const after = pendingAfter(migrations, [], plan.records);
    expect(after.pending.map((m) => m.version)).toEqual([2, 4]);
    expect(after.outOfOrder.map((m) => m.version)).toEqual([2]);
  });
});

describe('readImportHeader', () => {
  it('reads the line import writes, and nothing else', () => {
    expect(readImportHeader('-- Imported from golang-migrate: 000001_a.up.sql + 000001_a.down.sql')).toEqual({
      tool: 'golang-migrate',
      sources: ['000001_a.up.sql', '000001_a.down.sql'],
    });
    expect(readImportHeader('-- create users')).toBeUndefined();
  });
});
