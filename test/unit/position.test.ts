import { describe, expect, it } from 'vitest';
import { lineOfOffset, positionInFile } from '../../src/migrations/position.js';

describe('positionInFile', () => {
  const section = { sql: 'CREATE TABLE a();\nCREATE TABLE b(\n  id intt\n);', startLine: 4 };
  it('maps a character offset to the file line and column', () => {
    const offset = section.sql.indexOf('intt') + 1;
    expect(positionInFile(section, offset)).toEqual({ line: 6, column: 6 });
    expect(positionInFile(section, 1)).toEqual({ line: 4, column: 1 });
  });
  it('subtracts what the runner prepended', () => {
    const offset = section.sql.indexOf('intt') + 1 + 'BEGIN;\n'.length;
    expect(positionInFile(section, offset, { prefixLength: 7 })).toEqual({ line: 6, column: 6 });
  });
  it('counts from a statement offset inside the section', () => {
    const statementOffset = section.sql.indexOf('CREATE TABLE b');
    expect(positionInFile(section, 14, { textOffset: statementOffset })).toEqual({ line: 5, column: 14 });
  });
  it('counts characters, not UTF-16 units, as PostgreSQL does', () => {
    const s = { sql: "SELECT '😀', x;", startLine: 1 };
    // PostgreSQL position of x: S(1)..'(8) 😀(9) '(10) ,(11) space(12) x(13)
    expect(positionInFile(s, 13)).toEqual({ line: 1, column: 13 });
  });
  it('returns undefined for positions inside the prefix', () => {
    expect(positionInFile(section, 3, { prefixLength: 7 })).toBeUndefined();
  });
});

describe('lineOfOffset', () => {
  it('gives the file line of a section offset', () => {
    expect(lineOfOffset({ sql: 'a;\nb;\nc;', startLine: 10 }, 6)).toBe(12);
  });
});
