/**
 * How each tool's journal rows read (pure): goose's newest row per version, Flyway's row types,
 * golang-migrate's one row, node-pg-migrate's names.
 */
import { describe, expect, it } from 'vitest';
import { SOURCE_TOOLS } from '../../src/adopt/tools/index.js';
import type { SourceRow } from '../../src/adopt/types.js';

const row = (fields: Partial<SourceRow>): SourceRow => ({
  version: null,
  name: null,
  kind: null,
  appliedAt: null,
  executionMs: null,
  ok: true,
  ...fields,
});
const labels = (rows: SourceRow[], tool: keyof typeof SOURCE_TOOLS) =>
  SOURCE_TOOLS[tool].interpret(rows).applied.map((entry) => entry.label);

describe('goose', () => {
  it("the newest row of each version decides (goose 2's is_applied = false rows), version 0 is goose's own", () => {
    const rows = [
      row({ version: '0' }),
      row({ version: '1' }),
      row({ version: '2' }),
      row({ version: '3' }),
      row({ version: '3', ok: false }),
      row({ version: '2', ok: false }),
      row({ version: '2' }),
    ];
    expect(labels(rows, 'goose')).toEqual(['1', '2']);
  });
});

describe('golang-migrate', () => {
  it('its one row is the version everything up to which is applied; dirty blocks; no row or version 0 is nothing', () => {
    expect(SOURCE_TOOLS['golang-migrate'].interpret([row({ version: '7' })]).upTo).toMatchObject({
      label: '7',
      fileRequired: true,
      id: { order: [7n] },
    });
    expect(SOURCE_TOOLS['golang-migrate'].interpret([row({ version: '7', ok: false })]).blocked).toEqual([
      'version 7 is dirty (a migration failed part way): fix the schema by hand, then run migrate force VERSION',
    ]);
    expect(SOURCE_TOOLS['golang-migrate'].interpret([])).toEqual({ applied: [], upTo: undefined, blocked: [], notes: [] });
    expect(SOURCE_TOOLS['golang-migrate'].interpret([row({ version: '0' })]).upTo).toBeUndefined();
  });
});

describe('Flyway', () => {
  const flyway = SOURCE_TOOLS.flyway;
  it('reads rows in installed_rank order: undo and delete take a version back, the schema row is no migration', () => {
    const state = flyway.interpret([
      row({ version: '0', kind: 'SCHEMA', name: '"public"' }),
      row({ version: '1', kind: 'SQL', name: 'V1__a.sql' }),
      row({ version: '1.1', kind: 'SQL', name: 'V1_1__b.sql' }),
      row({ version: '2', kind: 'SQL', name: 'V2__c.sql' }),
      row({ version: '2', kind: 'UNDO_SQL', name: 'U2__c.sql' }),
      row({ version: '1.1', kind: 'DELETE', name: 'V1_1__b.sql' }),
      row({ version: null, kind: 'SQL', name: 'R__views.sql' }),
    ]);
    expect(state.applied.map((entry) => entry.label)).toEqual(['1', 'R__views.sql']);
    expect(state.applied[1]).toMatchObject({ id: { key: 'repeatable:views', order: [] }, optional: true });
  });

  it('a repeatable migration is known by its description; its newest row decides, a DELETE row takes it back', () => {
    const state = flyway.interpret([
      row({ version: null, kind: 'SQL', name: 'R__views.sql', appliedAt: '2024-01-01T00:00:00.000000Z' }),
      row({ version: null, kind: 'SQL', name: 'R__functions.sql' }),
      row({ version: null, kind: 'SQL', name: 'R__views.sql', appliedAt: '2024-02-01T00:00:00.000000Z' }),
      row({ version: null, kind: 'DELETE', name: 'R__functions.sql' }),
    ]);
    expect(state.applied).toEqual([
      {
        label: 'R__views.sql',
        id: { key: 'repeatable:views', order: [] },
        appliedAt: '2024-02-01T00:00:00.000000Z',
        executionMs: undefined,
        optional: true,
      },
    ]);
    expect(flyway.fileId('views/R__views.sql')).toEqual({ key: 'repeatable:views', order: [] });
  });

  it('a BASELINE row covers every version up to its own; a failed row blocks', () => {
    const state = flyway.interpret([
      row({ version: '1.5', kind: 'BASELINE', name: '<< Flyway Baseline >>' }),
      row({ version: '2', kind: 'SQL', name: 'V2__c.sql', ok: false }),
    ]);
    expect(state.upTo).toMatchObject({ label: '1.5', fileRequired: false, id: { order: [1n, 5n] } });
    expect(state.blocked).toEqual(['version 2 (V2__c.sql) failed: fix the schema, then run flyway repair']);
  });

  it('identifies versions as Flyway does: 1_1 is 1.1, 1.0 is 1; U files and other names are no versioned migration', () => {
    expect(flyway.fileId('release/V1_1__b.sql')).toEqual(flyway.fileId('V1.1__other.sql'));
    expect(flyway.fileId('V1.0__a.sql')?.key).toBe(flyway.localId({ version: 1, name: 'a' }).key);
    expect(flyway.fileId('U1__a.sql')).toBeUndefined();
  });
});

describe('node-pg-migrate', () => {
  it('names with a 17-digit UTC prefix map to the millisecond version import gives the file', () => {
    const [entry] = SOURCE_TOOLS['node-pg-migrate'].interpret([row({ name: '20200513070724505_create-users' })]).applied;
    expect(entry?.id).toEqual(SOURCE_TOOLS['node-pg-migrate'].localId({ version: 1589353644505, name: 'create-users' }));
    expect(SOURCE_TOOLS['node-pg-migrate'].fileId('1704447000000_create-players.sql')).toEqual({
      key: '1704447000000_create-players',
      order: [1704447000000n],
    });
  });

  it('a JS/TS migration (built into SQL or a placeholder by import) is named by its file name too', () => {
    const tool = SOURCE_TOOLS['node-pg-migrate'];
    expect(tool.fileId('1704447000000_create-players.ts')).toEqual(tool.fileId('1704447000000_create-players.sql'));
    expect(tool.fileId('1704447000000_create-players.cjs')?.key).toBe('1704447000000_create-players');
    expect(tool.fileId('README.md')).toBeUndefined();
  });

  it("its sql loader's NAME.up.sql and NAME.down.sql are the migration NAME, as its journal names it", () => {
    const tool = SOURCE_TOOLS['node-pg-migrate'];
    expect(tool.fileId('1704447000000_create-players.up.sql')?.key).toBe('1704447000000_create-players');
    expect(tool.fileId('1704447000000_create-players.down.sql')?.key).toBe('1704447000000_create-players');
    expect(tool.fileId('1704447000000_create.players.sql')?.key).toBe('1704447000000_create.players');
  });
});

describe('dbmate', () => {
  it('versions are numbers: 0001 and 1 are one version, a version that is not digits matches nothing', () => {
    expect(SOURCE_TOOLS.dbmate.fileId('0001_a.sql')).toEqual(SOURCE_TOOLS.dbmate.localId({ version: 1, name: 'a' }));
    const [entry] = SOURCE_TOOLS.dbmate.interpret([row({ version: 'v1' })]).applied;
    expect(entry?.id.order).toEqual([]);
  });
});
