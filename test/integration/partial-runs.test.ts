import { describe, expect, it } from 'vitest';
import { lines } from '../support/runner-safety.js';
import { useTestProject } from '../support/test-project.js';

// A -- aeturnis:no-transaction migration that fails at statement k of n: statements 1..k-1 stay
// applied. That is recorded (never as "applied"), shown by status, refused by validate, and the
// next up resumes at statement k, after dropping an INVALID index the failure left.

const { db, project, cli, versions } = useTestProject();

const header = '-- aeturnis:no-transaction\n';
const nt = (statements: string[]) => `${header}-- UP\n${statements.join('\n')}\n-- DOWN\nDROP TABLE IF EXISTS events;\nDELETE FROM runs;\n`;

describe('a no-transaction migration that stopped part way', () => {
  it('is shown by status, refused by validate, and resumed by up at the failing statement (earlier ones do not run again)', async () => {
    project.write('0001_runs.sql', '-- UP\nCREATE TABLE runs (step int);\n-- DOWN\nDROP TABLE runs;\n');
    project.write(
      '0002_events.sql',
      nt([
        'INSERT INTO runs VALUES (1);',
        'CREATE TABLE IF NOT EXISTS events (id int);',
        'INSERT INTO events VALUES (1 / 0);',
        'INSERT INTO runs VALUES (4);',
      ]),
    );
    const failed = await cli(['up']);
    expect(failed.code).toBe(1);
    expect(lines(failed.stderr)[0]).toContain(
      'statement 3 of 4 (line 5) failed; statements 1-2 stayed applied (it runs without a transaction)',
    );

    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/│ 2 +│ events +│ partial \(up 2 of 4 statements\) +│/);
    expect(status.stdout).toContain('1 applied, 0 pending, 1 partial (aeturnis-db validate says what to do about each)');
    expect(status.stderr).toMatch(
      /warning: 0002_events\.sql is partially applied: statements 1-2 of 4 ran \(\d{4}-.*\); aeturnis-db up resumes at statement 3/,
    );
    const json = JSON.parse((await cli(['status', '--json'])).stdout) as Record<string, unknown>[];
    expect(json[1]).toMatchObject({
      version: 2,
      state: 'partial',
      appliedAt: null,
      partial: { direction: 'up', statementsApplied: 2, statementCount: 4 },
    });

    const validate = await cli(['validate']);
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain('0002_events.sql is partially applied: statements 1-2 of 4 ran');

    project.write(
      '0002_events.sql',
      nt([
        'INSERT INTO runs VALUES (1);',
        'CREATE TABLE IF NOT EXISTS events (id int);',
        'INSERT INTO events VALUES (3);',
        'INSERT INTO runs VALUES (4);',
      ]),
    );
    const resumed = await cli(['up']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toMatch(
      /0002_events\.sql stopped part way at .*: resuming at statement 3 of 4 \(statements 1-2 ran then and will not run again\)/,
    );
    expect(await db.query('SELECT step FROM runs ORDER BY step')).toEqual([{ step: 1 }, { step: 4 }]);
    expect(await versions()).toEqual([1, 2]);
    expect(await db.query('SELECT count(*)::int AS n FROM schema_migrations_partial')).toEqual([{ n: 0 }]);
    expect((await cli(['validate'])).code).toBe(0);
  });

  it('a failed CREATE INDEX CONCURRENTLY: the INVALID index is named with the fix, and dropped before the resumed run builds it again', async () => {
    project.write('0001_t.sql', "-- UP\nCREATE TABLE t (email text);\nINSERT INTO t VALUES ('a'), ('a');\n-- DOWN\nDROP TABLE t;\n");
    project.write(
      '0002_unique.sql',
      `${header}-- UP\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS t_email ON t (email);\n-- DOWN\nDROP INDEX CONCURRENTLY t_email;\n`,
    );
    const failed = await cli(['up']);
    expect(failed.code).toBe(1);
    const error = lines(failed.stderr)[0] as string;
    expect(error).toContain('could not create unique index "t_email" (SQLSTATE 23505)');
    expect(error).toContain(
      'it left the INVALID index public.t_email behind (the next up drops it before retrying; or DROP INDEX CONCURRENTLY public.t_email)',
    );
    expect(await db.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 't_email'::regclass`)).toEqual([{ valid: false }]);

    const validate = await cli(['validate']);
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain('INVALID index public.t_email left behind');

    await db.query(`DELETE FROM t WHERE ctid = (SELECT max(ctid) FROM t)`);
    const resumed = await cli(['up']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('dropping the INVALID index public.t_email it left first');
    // IF NOT EXISTS would have kept the invalid index; it was dropped and built again.
    expect(await db.query(`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 't_email'::regclass`)).toEqual([{ valid: true }]);
    expect(await versions()).toEqual([1, 2]);
  });

  it('refuses to resume (exit 3, nothing run) when the statements that already ran were edited since', async () => {
    project.write('0001_runs.sql', '-- UP\nCREATE TABLE runs (step int);\n-- DOWN\nDROP TABLE runs;\n');
    project.write('0002_events.sql', nt(['INSERT INTO runs VALUES (1);', 'INSERT INTO runs VALUES (1 / 0);']));
    expect((await cli(['up'])).code).toBe(1);
    project.write('0002_events.sql', nt(['INSERT INTO runs VALUES (10);', 'INSERT INTO runs VALUES (2);']));
    const refused = await cli(['up']);
    expect(refused.code).toBe(3);
    expect(lines(refused.stderr)).toEqual([
      expect.stringMatching(
        /^error: refusing to run up: 0002_events\.sql was partially applied \(statement 1 of 2 ran at .*\) and that statement has changed since, so it cannot resume: restore it as it was \(the statements after it may change\)$/,
      ),
    ]);
    expect(await db.query('SELECT step FROM runs ORDER BY step')).toEqual([{ step: 1 }]);
  });

  it('a DOWN that stops part way: the migration stays applied, up refuses, down resumes it', async () => {
    project.write('0001_runs.sql', '-- UP\nCREATE TABLE runs (step int);\n-- DOWN\nDROP TABLE runs;\n');
    const down = (failing: boolean) =>
      `${header}-- UP\nCREATE TABLE t (id int);\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n-- DOWN\nINSERT INTO runs VALUES (1);\nDROP INDEX CONCURRENTLY t_id;\n` +
      `${failing ? 'SELECT 1 / 0;\n' : ''}DROP TABLE t;\n`;
    project.write('0002_t.sql', down(true));
    expect((await cli(['up'])).code).toBe(0);
    const failed = await cli(['down']);
    expect(failed.code).toBe(1);
    expect(lines(failed.stderr)[0]).toContain(
      'statement 3 of 4 (line 8) failed; statements 1-2 stayed applied (it runs without a transaction); it is still recorded as applied',
    );
    expect(await versions()).toEqual([1, 2]);

    const up = await cli(['up']);
    expect(up.code).toBe(3);
    expect(up.stderr).toContain('0002_t.sql is partially rolled back: statements 1-2 of 4 of its DOWN ran');

    project.write('0002_t.sql', down(false));
    // Fixed after the statements that ran: down resumes, although the file's checksum changed.
    const resumed = await cli(['down']);
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(resumed.stdout).toContain('resuming at statement 3 of 3');
    expect(await db.query('SELECT step FROM runs')).toEqual([{ step: 1 }]);
    expect(await versions()).toEqual([1]);
  });
});
