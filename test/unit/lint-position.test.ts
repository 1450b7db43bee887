import { describe, expect, it } from 'vitest';
import { parseMigration } from '../../src/migrations/parse.js';
import { offsetInFile, squawkPositionInFile } from '../../src/lint/position.js';
import { findingInFile, parseSquawkReport } from '../../src/lint/squawk-report.js';

describe('squawk positions in the migration file', () => {
  // The UP section starts on line 4 of this file: squawk saw only the section's text.
  const migration = parseMigration(
    '0005_players.sql',
    '-- players get a level\n-- aeturnis:no-transaction\n-- UP\nCREATE TABLE t (id bigint);\nALTER TABLE players ADD COLUMN level int NOT NULL;\n-- DOWN\nALTER TABLE players DROP COLUMN level;\n',
  );

  it('adds the section start to squawk’s 0-based line and makes the column 1-based', () => {
    // squawk: line 1, column 20 = "ADD COLUMN ..." on the section's second line
    expect(squawkPositionInFile(migration.up, 1, 20)).toEqual({ line: 5, column: 21 });
    expect(squawkPositionInFile(migration.up, 0, 0)).toEqual({ line: 4, column: 1 });
  });

  it('maps the DOWN section from its own start line', () => {
    expect(migration.down?.startLine).toBe(7);
    expect(squawkPositionInFile(migration.down!, 0, 20)).toEqual({ line: 7, column: 21 });
  });

  it('turns squawk’s UTF-8 byte columns into character columns', () => {
    // squawk counts bytes: é is 2, 𝄞 is 4; the ADD keyword starts at byte 21, character 17.
    const section = { sql: '-- é\nALTER TABLE "é𝄞" ADD COLUMN "ü" int NOT NULL;', startLine: 10 };
    expect(squawkPositionInFile(section, 1, 21)).toEqual({ line: 11, column: 18 });
    // "int" after "ü" (2 bytes): byte 37, character 32
    expect(squawkPositionInFile(section, 1, 37)).toEqual({ line: 11, column: 33 });
  });

  it('maps a whole squawk report entry to a finding in file coordinates', () => {
    const [entry] = parseSquawkReport(
      '[{"file":"section-0.sql","line":1,"column":20,"level":"Warning","message":"Adding a new column that is `NOT NULL`...","help":"Make the field nullable or add a non-VOLATILE DEFAULT","rule_name":"adding-required-field","column_end":49,"line_end":1}]',
    );
    expect(findingInFile(entry!, migration.up)).toEqual({
      rule: 'adding-required-field',
      line: 5,
      column: 21,
      message: 'Adding a new column that is `NOT NULL`...',
      help: 'Make the field nullable or add a non-VOLATILE DEFAULT',
      source: 'squawk',
    });
  });

  it('refuses a report that is not squawk’s JSON shape, naming what it got', () => {
    expect(parseSquawkReport('')).toEqual([]);
    expect(() => parseSquawkReport('{"oops": 1}')).toThrow(/not an array/);
    expect(() => parseSquawkReport('[{"file": "a.sql"}]')).toThrow(/unknown shape/);
    expect(() => parseSquawkReport('error: x')).toThrow(/could not be read: error: x/);
  });
});

describe('offsetInFile', () => {
  it('gives line and character column of an offset into a section', () => {
    const section = { sql: 'SELECT 1;\n  VACUUM "é𝄞";  VACUUM t;', startLine: 3 };
    expect(offsetInFile(section, section.sql.indexOf('VACUUM'))).toEqual({ line: 4, column: 3 });
    // after "é𝄞" (3 UTF-16 units, 2 characters): character 17, not 18
    expect(offsetInFile(section, section.sql.lastIndexOf('VACUUM'))).toEqual({ line: 4, column: 17 });
  });
});
