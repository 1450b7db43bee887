import { describe, expect, it } from 'vitest';
import { UsageError, ValidationError } from '../../src/errors.js';
import { appliedHistory, truncatedMigration } from '../../src/drift/history.js';
import { appliedStatementsSha256 } from '../../src/migrations/resume.js';
import { parseMigration, type Migration } from '../../src/migrations/parse.js';
import { splitSqlStatements } from '../../src/migrations/split.js';
import type { JournalRow, PartialRow } from '../../src/migrations/status.js';

const file = (fileName: string, up: string, header = ''): Migration =>
  parseMigration(fileName, `${header}-- UP\n${up}\n-- DOWN\nSELECT 1;\n`);
const row = (m: Migration, at: number): JournalRow => ({
  version: m.version,
  name: m.name,
  checksum: m.checksum,
  appliedAt: new Date(at),
  executionMs: 1,
});

const a = file('0001_a.sql', 'CREATE TABLE a (id int);');
const b = file('0002_b.sql', 'CREATE TABLE b (id int);');
const c = file('0003_c.sql', 'CREATE TABLE c (id int);\nCREATE INDEX c_i ON c (id);\nSELECT 1/0;', '-- aeturnis:no-transaction\n');

function partialOf(m: Migration, applied: number, at: number): PartialRow {
  const statements = splitSqlStatements(m.up.sql);
  return {
    version: m.version,
    direction: 'up',
    name: m.name,
    checksum: m.checksum,
    statementsApplied: applied,
    statementCount: statements.length,
    appliedSha256: appliedStatementsSha256(statements, applied),
    invalidIndexes: [],
    error: null,
    failedAt: new Date(at),
  };
}

describe('applied history', () => {
  it('follows the order the journal says they were applied (out of order included), then a partial run where it stopped', () => {
    const history = appliedHistory([a, b, c], [row(b, 1000), row(a, 2000)], [partialOf(c, 2, 3000)]);
    expect(history.steps.map((s) => [s.migration.fileName, s.direction, s.statements])).toEqual([
      ['0002_b.sql', 'up', undefined],
      ['0001_a.sql', 'up', undefined],
      ['0003_c.sql', 'up', 2],
    ]);
    expect(history.applied).toBe(2);
  });

  it('two databases with the same history share a key; a different partial state does not', () => {
    const one = appliedHistory([a, b, c], [row(a, 1), row(b, 2)], [partialOf(c, 2, 3)]);
    const two = appliedHistory([a, b, c], [row(a, 10), row(b, 20)], [partialOf(c, 2, 30)]);
    const three = appliedHistory([a, b, c], [row(a, 10), row(b, 20)], [partialOf(c, 1, 30)]);
    expect(one.key).toBe(two.key);
    expect(one.key).not.toBe(three.key);
  });

  it('a modified or missing applied file is refused with validate words (exit 3)', () => {
    const edited = { ...row(a, 1), checksum: 'f'.repeat(64) };
    expect(() => appliedHistory([a], [edited], [])).toThrow(ValidationError);
    expect(() => appliedHistory([a], [edited], [])).toThrow(/0001_a\.sql was modified after it was applied/);
    const gone = { ...row(b, 1) };
    expect(() => appliedHistory([a], [gone], [])).toThrow(/version 2 \(b\) is applied but its file is missing/);
  });

  it('an applied placeholder cannot be rebuilt: exit 2 naming the file', () => {
    const placeholder = file('0004_code.sql', 'SELECT 1;', '-- aeturnis:placeholder goose 00004_code.go\n');
    expect(() => appliedHistory([placeholder], [row(placeholder, 1)], [])).toThrow(UsageError);
    expect(() => appliedHistory([placeholder], [row(placeholder, 1)], [])).toThrow(/0004_code\.sql is applied but is a placeholder/);
  });

  it('a partial run is cut after the statements that ran', () => {
    const cut = truncatedMigration(c, 'up', 2);
    expect(splitSqlStatements(cut.up.sql).map((s) => s.text)).toEqual(['CREATE TABLE c (id int)', 'CREATE INDEX c_i ON c (id)']);
    expect(cut.up.startLine).toBe(c.up.startLine);
  });
});
