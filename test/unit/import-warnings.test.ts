import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { planImport } from '../../src/import/plan.js';
import { readSourceDirectory } from '../../src/import/source.js';
import { sourceWarnings } from '../../src/import/warnings.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));

describe('import warnings: a marker indented into the SQL', () => {
  it('dbmate (UPchieve, after a SQL formatter): names each file and line; the file still converts as dbmate reads it', () => {
    const plan = planImport('dbmate', readSourceDirectory(fixture('dbmate-formatted'), false), { renumber: false });
    expect(plan.problems).toEqual([]);
    expect(plan.files.map((f) => f.down)).toEqual(['irreversible', 'irreversible']);
    const why =
      'is indented: dbmate reads its markers only at the start of a line, so it is a comment inside the UP (converted so); ' +
      'a formatter probably moved it, so check the file';
    expect(plan.fileWarnings).toEqual([
      { file: '20211026205335_create_cities_table.sql', reason: `line 12: "-- migrate:down" ${why}` },
      { file: '20220701142259_add_response_display_text.sql', reason: `line 4: "-- migrate:down" ${why}` },
    ]);
  });

  it('goose: an indented annotation', () => {
    const [warning] = sourceWarnings('goose', [{ path: '00002_a.sql', text: '-- +goose Up\nSELECT 1;\n  -- +goose Down\nSELECT 2;\n' }]);
    expect(warning).toEqual({
      file: '00002_a.sql',
      reason:
        'line 3: "-- +goose Down" is indented: goose 3.19 and later refuse the file, earlier versions took it as a comment inside the SQL; ' +
        'import read it as the annotation; a formatter probably moved it, so check the file',
    });
  });

  it('says nothing for markers at the start of their line', () => {
    expect(sourceWarnings('dbmate', [{ path: '1_a.sql', text: '-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 2;\n' }])).toEqual([]);
  });
});

describe("import warnings: SQL naming the tool's own journal table", () => {
  it("golang-migrate (Harbor ALTERs schema_migrations): says adopt would change aeturnis-db's journal and suggests --table", () => {
    const plan = planImport('golang-migrate', readSourceDirectory(fixture('golang-migrate-harbor'), false), { renumber: false });
    const after =
      "golang-migrate's own journal table; aeturnis-db's journal has that name too, so after adopt it would change aeturnis-db's journal: " +
      'import, then keep the journal elsewhere with --table (e.g. --table aeturnis_migrations)';
    expect(plan.fileWarnings).toEqual([
      { file: '0030_2.0.0_schema.up.sql', reason: `line 10: its SQL names schema_migrations, ${after}` },
      { file: '0040_2.1.0_schema.up.sql', reason: `line 5: its SQL names schema_migrations, ${after}` },
    ]);
  });

  it('matches the name, qualified or quoted, in SQL only: not in comments, not inside a longer name', () => {
    const warn = (text: string) => sourceWarnings('goose', [{ path: '1_a.sql', text }]).length;
    expect(warn('-- +goose Up\nUPDATE public."goose_db_version" SET is_applied = true;\n')).toBe(1);
    expect(warn("-- +goose Up\n-- goose_db_version is goose's\nCREATE TABLE goose_db_versions_old ();\n")).toBe(0);
  });
});
