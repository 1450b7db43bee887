import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/errors.js';
import { parseMigration } from '../../src/migrations/parse.js';

// `-- aeturnis:nothing-to-undo`: what dbmate, goose, golang-migrate, Flyway and node-pg-migrate
// mean by an empty down file. `import` writes it; parseMigration must read it.
describe('-- aeturnis:nothing-to-undo', () => {
  it('in the DOWN section makes an otherwise empty DOWN reversible', () => {
    const m = parseMigration(
      '0007_backfill.sql',
      '-- UP\nUPDATE players SET display_name = username;\n-- DOWN\n-- aeturnis:nothing-to-undo\n',
    );
    expect(m.irreversible).toBe(false);
    expect(m.nothingToUndo).toBe(true);
    expect(m.down).toEqual({ sql: '-- aeturnis:nothing-to-undo\n', startLine: 4 });
  });

  it('keeps the other comments of the DOWN section', () => {
    const m = parseMigration(
      '1_x.sql',
      '-- UP\nSELECT 1;\n-- DOWN\n-- values of an enum cannot be removed\n  --  AETURNIS:Nothing-To-Undo  \n',
    );
    expect(m.irreversible).toBe(false);
    expect(m.nothingToUndo).toBe(true);
  });

  it('in the header makes a file without a DOWN section reversible, with an empty DOWN to run', () => {
    const m = parseMigration('0003_seed.sql', '-- aeturnis:nothing-to-undo\n-- UP\nINSERT INTO t VALUES (1);\n');
    expect(m.irreversible).toBe(false);
    expect(m.nothingToUndo).toBe(true);
    expect(m.down?.sql).toBe('');
  });

  it('is not needed for a DOWN with SQL, and its absence leaves an empty DOWN irreversible', () => {
    const withSql = parseMigration('1_x.sql', '-- UP\nCREATE TABLE t ();\n-- DOWN\nDROP TABLE t;\n');
    expect(withSql).toMatchObject({ irreversible: false, nothingToUndo: false });
    const empty = parseMigration('1_x.sql', '-- UP\nCREATE TABLE t ();\n-- DOWN\n-- nothing\n');
    expect(empty).toMatchObject({ irreversible: true, nothingToUndo: false });
    const noDown = parseMigration('1_x.sql', '-- UP\nCREATE TABLE t ();\n');
    expect(noDown).toMatchObject({ irreversible: true, nothingToUndo: false, down: undefined });
  });

  it('is only a directive on a line of its own', () => {
    const m = parseMigration('1_x.sql', '-- UP\nSELECT 1;\n-- DOWN\n-- aeturnis:nothing-to-undo? no: write the DOWN\n');
    expect(m).toMatchObject({ irreversible: true, nothingToUndo: false });
  });

  it('next to SQL in the DOWN section is an error naming the file and line', () => {
    const text = '-- UP\nCREATE TABLE t ();\n-- DOWN\n-- aeturnis:nothing-to-undo\nDROP TABLE t;\n';
    expect(() => parseMigration('0002_t.sql', text)).toThrow(MigrationFileError);
    expect(() => parseMigration('0002_t.sql', text)).toThrow(/^0002_t\.sql: line 4: .*nothing to undo, but the DOWN section has SQL/);
  });

  it('in the header of a file whose DOWN has SQL is an error', () => {
    const text = '-- aeturnis:nothing-to-undo\n-- UP\nCREATE TABLE t ();\n-- DOWN\nDROP TABLE t;\n';
    expect(() => parseMigration('0002_t.sql', text)).toThrow(/0002_t\.sql: line 1: .*but the DOWN section has SQL/);
  });

  it('in the UP section is an error naming the line', () => {
    const text = '-- UP\nSELECT 1;\n-- aeturnis:nothing-to-undo\n-- DOWN\n';
    expect(() => parseMigration('0002_t.sql', text)).toThrow(/0002_t\.sql: line 3: .*belongs in the header .* or in the DOWN section/);
  });
});
