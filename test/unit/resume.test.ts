import { describe, expect, it } from 'vitest';
import { derivedName } from '../../src/identifiers.js';
import { parseMigration } from '../../src/migrations/parse.js';
import { appliedStatementsSha256, resumePoint } from '../../src/migrations/resume.js';
import { splitSqlStatements } from '../../src/migrations/split.js';
import { computeStatus, findProblems, type PartialRow } from '../../src/migrations/status.js';
import { ValidationError } from '../../src/errors.js';

const file = (up: string) => parseMigration('0002_events.sql', `-- aeturnis:no-transaction\n-- UP\n${up}\n-- DOWN\nSELECT 1;\n`);

function partialOf(up: string, applied: number, direction: 'up' | 'down' = 'up'): PartialRow {
  const statements = splitSqlStatements(file(up).up.sql);
  return {
    version: 2,
    direction,
    name: 'events',
    checksum: 'old',
    statementsApplied: applied,
    statementCount: statements.length,
    appliedSha256: appliedStatementsSha256(statements, applied),
    invalidIndexes: ['public.i'],
    error: 'boom',
    failedAt: new Date('2026-11-29T10:00:00Z'),
  };
}

describe('resumePoint', () => {
  it('resumes after the statements that ran while they read the same (the rest may change)', () => {
    const partial = partialOf('INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (1/0);', 1);
    const point = resumePoint(file('INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\nSELECT 3;'), partial);
    expect(point).toEqual({ fromStatement: 1, statementCount: 3, stoppedAt: partial.failedAt, invalidIndexes: ['public.i'] });
  });

  it('refuses when a statement that ran was edited', () => {
    const partial = partialOf('INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (1/0);', 1);
    expect(() => resumePoint(file('INSERT INTO a VALUES (10);\nSELECT 2;'), partial)).toThrow(ValidationError);
  });
});

describe('computeStatus with partial runs', () => {
  it('a partial up has its own state and is a problem for validate but not for up', () => {
    const up = 'INSERT INTO a VALUES (1);\nSELECT 2;';
    const rows = computeStatus([file(up)], [], [partialOf(up, 1)]);
    expect(rows).toMatchObject([{ version: 2, state: 'partial', appliedAt: undefined }]);
    expect(findProblems(rows)).toEqual([
      '0002_events.sql is partially applied: statement 1 of 2 ran (2026-11-29T10:00:00.000Z); aeturnis-db up resumes at statement 2; ' +
        'INVALID index public.i left behind (up drops it first; or DROP INDEX CONCURRENTLY public.i)',
    ]);
    expect(findProblems(rows, { resumingPartialUps: true })).toEqual([]);
  });

  it('journal rows beyond 2^53 keep their exact versions and stay apart', () => {
    const row = (versionText: string) => ({
      version: Number(versionText),
      versionText,
      name: 'x',
      checksum: 'c',
      appliedAt: new Date(0),
      executionMs: 0,
    });
    const rows = computeStatus([], [row('9007199254740993'), row('9007199254740992')]);
    expect(rows.map((r) => [r.versionText, r.state])).toEqual([
      ['9007199254740992', 'missing'],
      ['9007199254740993', 'missing'],
    ]);
  });
});

describe('derivedName', () => {
  it('appends the suffix, and cuts long names to 63 bytes with a hash that keeps them apart', () => {
    expect(derivedName('schema_migrations', '_partial')).toBe('schema_migrations_partial');
    const a = derivedName('é'.repeat(31), '_partial');
    const b = derivedName(`${'é'.repeat(30)}e`, '_partial');
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
    expect(a).not.toBe(b);
    expect(a.endsWith('_partial')).toBe(true);
  });
});
