import { describe, expect, it } from 'vitest';
import { oneError, useTestProject } from '../support/test-project.js';

// `-- aeturnis:no-transaction up` / `down`: only the named section runs statement by statement;
// the other keeps its transaction (dbmate's `transaction:false` is per block).

const { db, project, cli, versions } = useTestProject();

const TABLE = '-- UP\nCREATE TABLE t (a int);\n-- DOWN\nDROP TABLE t;\n';

async function indexes(): Promise<string[]> {
  const rows = await db.query<{ name: string }>(
    "SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND tablename = 't' ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

describe('-- aeturnis:no-transaction up', () => {
  it('runs the UP outside a transaction (CONCURRENTLY works) and keeps the DOWN atomic: a failing DOWN undoes nothing', async () => {
    project.write('0001_t.sql', TABLE);
    project.write(
      '0002_index.sql',
      '-- aeturnis:no-transaction up\n-- UP\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n-- DOWN\nDROP INDEX t_a;\nSELECT 1 / 0;\n',
    );
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await indexes()).toEqual(['t_a']);

    const down = await cli(['down']);
    expect(down.code).toBe(1);
    expect(oneError(down)).toMatch(/^error: 0002_index\.sql:6:\d+: division by zero/);
    // In a transaction, the DROP INDEX before the failure was rolled back with it.
    expect(await indexes()).toEqual(['t_a']);
    expect(await versions()).toEqual([1, 2]);
  });
});

describe('-- aeturnis:no-transaction down', () => {
  it('keeps the UP atomic (a failing UP leaves nothing) and runs the DOWN outside a transaction', async () => {
    project.write('0001_t.sql', TABLE);
    project.write(
      '0002_index.sql',
      '-- aeturnis:no-transaction down\n-- UP\nCREATE INDEX t_a ON t (a);\nSELECT 1 / 0;\n-- DOWN\nDROP INDEX CONCURRENTLY t_a;\n',
    );
    const failed = await cli(['up']);
    expect(failed.code).toBe(1);
    expect(await indexes()).toEqual([]);
    expect(await versions()).toEqual([1]);

    project.write(
      '0002_index.sql',
      '-- aeturnis:no-transaction down\n-- UP\nCREATE INDEX t_a ON t (a);\n-- DOWN\nDROP INDEX CONCURRENTLY t_a;\n',
    );
    expect((await cli(['up'])).code).toBe(0);
    const down = await cli(['down']);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(await indexes()).toEqual([]);
    expect(await versions()).toEqual([1]);
  });

  it('refuses another word after the directive (exit 2, naming the line) instead of reading it as a comment', async () => {
    project.write('0001_t.sql', '-- aeturnis:no-transaction sideways\n-- UP\nCREATE TABLE t (a int);\n');
    const result = await cli(['up']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(
      'error: 0001_t.sql: line 1: "-- aeturnis:no-transaction" takes nothing, "up" or "down" (only that section runs without a transaction), not "sideways"',
    );
  });
});
