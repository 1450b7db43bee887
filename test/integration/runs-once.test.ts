import { describe, expect, it } from 'vitest';
import { adminQuery } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import type { TestRole } from '../support/runner-safety.js';
import { oneError, useTestProject } from '../support/test-project.js';

// A migration's SQL runs exactly once: a failure is placed at its statement from the one run
// (never by running the statements again), and a failed journal write names the file and says
// what became of the migration.

const { db, project, cli, cliWithUrl, createRole, versions } = useTestProject();

describe('the SQL of a failing migration runs once', () => {
  it('an error without a position (division by zero) is placed at its line; nextval advanced once', async () => {
    project.write('0001_seq.sql', '-- UP\nCREATE SEQUENCE ticket_seq;\n-- DOWN\nDROP SEQUENCE ticket_seq;\n');
    project.write(
      '0002_tickets.sql',
      "-- UP\nCREATE TABLE tickets (id bigint);\nINSERT INTO tickets VALUES (nextval('ticket_seq'));\n\nSELECT 1 / (SELECT count(*) - 1 FROM tickets);\n-- DOWN\nDROP TABLE tickets;\n",
    );
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toBe('error: 0002_tickets.sql:5:1: division by zero (SQLSTATE 22012)');
    // Sequences are not transactional: running the statements again to find the line would show.
    expect(await db.query('SELECT last_value::int AS n FROM ticket_seq')).toEqual([{ n: 1 }]);
    expect(await versions()).toEqual([1]);
  });

  it('a file that ran COMMIT itself and then failed: the error says which part stayed committed; nothing runs twice', async () => {
    project.write('0001_counter.sql', '-- UP\nCREATE TABLE counter (n int);\n-- DOWN\nDROP TABLE counter;\n');
    project.write(
      '0002_commits.sql',
      '-- UP\nINSERT INTO counter VALUES (1);\nCOMMIT;\nINSERT INTO counter VALUES (2);\nINSERT INTO counter VALUES (1 / 0);\n-- DOWN\nDELETE FROM counter;\n',
    );
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toBe(
      'error: 0002_commits.sql:5:1: division by zero (SQLSTATE 22012) — it ran COMMIT itself (line 3): statements 1-2 of 4 stayed committed, ' +
        'the rest was rolled back; recorded as partially applied: the next up resumes at statement 3',
    );
    expect(await db.query('SELECT n FROM counter ORDER BY n')).toEqual([{ n: 1 }]);
    expect(await versions()).toEqual([1]);

    // Fixed after the COMMIT: up resumes there, and what was committed does not run again.
    project.write(
      '0002_commits.sql',
      '-- UP\nINSERT INTO counter VALUES (1);\nCOMMIT;\nINSERT INTO counter VALUES (2);\nINSERT INTO counter VALUES (3);\n-- DOWN\nDELETE FROM counter;\n',
    );
    const again = await cli(['up']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('0002_commits.sql stopped part way at');
    expect(again.stdout).toContain('resuming at statement 3 of 4 (statements 1-2 ran then and will not run again)');
    expect(await db.query('SELECT n FROM counter ORDER BY n')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await versions()).toEqual([1, 2]);
    expect((await cli(['validate'])).code).toBe(0);
  });
});

describe('the journal write refused', () => {
  async function appRoleWithJournal(privileges: string): Promise<TestRole> {
    const role = await createRole('LOGIN');
    await adminQuery(`GRANT CONNECT ON DATABASE ${db.name} TO ${role.name}`);
    await db.query(`CREATE SCHEMA app AUTHORIZATION ${role.name}`);
    await db.query(
      `CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL)`,
    );
    await db.query(`GRANT ${privileges} ON public.schema_migrations TO ${role.name}`);
    return role;
  }

  it('no INSERT privilege: exit 1 naming the file, the journal and the state; the migration was rolled back', async () => {
    const role = await appRoleWithJournal('SELECT');
    project.write('0001_a.sql', '-- UP\nCREATE TABLE app.a (id int);\n-- DOWN\nDROP TABLE app.a;\n');
    const result = await cliWithUrl(role.url(db), ['up']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toBe(
      'error: 0001_a.sql: recording it in the journal public.schema_migrations failed: permission denied for table schema_migrations ' +
        '(SQLSTATE 42501) — its transaction was rolled back, so nothing of it was applied',
    );
    expect(await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'app'`)).toEqual([]);
  });

  it('a NOT NULL column someone added to the journal: exit 1 naming the file; nothing applied', async () => {
    await db.query(
      `CREATE TABLE schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL, deployed_by text NOT NULL)`,
    );
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toMatch(
      /^error: 0001_a\.sql: recording it in the journal public\.schema_migrations failed: null value in column "deployed_by" .*\(SQLSTATE 23502\) — .*its transaction was rolled back, so nothing of it was applied$/,
    );
    expect(await db.query(`SELECT tablename FROM pg_tables WHERE tablename = 'a'`)).toEqual([]);
  });

  it('a no-transaction migration whose journal write is refused says its statements stayed applied but are not recorded', async () => {
    const role = await appRoleWithJournal('SELECT');
    project.write('0001_nt.sql', '-- aeturnis:no-transaction\n-- UP\nCREATE TABLE app.nt (id int);\n-- DOWN\nDROP TABLE app.nt;\n');
    const result = await cliWithUrl(role.url(db), ['up']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toMatch(
      /^error: 0001_nt\.sql: recording it in the journal public\.schema_migrations failed: permission denied for table schema_migrations \(SQLSTATE 42501\) — all 1 statements ran \(it runs without a transaction\) and stayed applied, but the journal was not updated; /,
    );
    expect(await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'app'`)).toEqual([{ tablename: 'nt' }]);
  });
});
