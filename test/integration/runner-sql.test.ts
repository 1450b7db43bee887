import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { adminQuery } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import type { TestRole } from '../support/runner-safety.js';
import { oneError, useTestProject } from '../support/test-project.js';

// Migrations PostgreSQL treats specially: privileges (permission denied, a journal the role may
// not create), a 20 MB file, and -- aeturnis:no-transaction migrations run statement by statement.

const { db, project, cli, createRole, versions, tables } = useTestProject();

describe('privileges (PostgreSQL 15: public is not writable by every role)', () => {
  async function appRole(): Promise<TestRole> {
    const role = await createRole('LOGIN');
    await adminQuery(`GRANT CONNECT ON DATABASE ${db.name} TO ${role.name}`);
    return role;
  }

  it('permission denied inside a migration: exit 1 naming file, line and SQLSTATE; earlier migrations stay', async () => {
    const role = await appRole();
    await db.query(`CREATE SCHEMA app AUTHORIZATION ${role.name}`);
    project.write('0001_ok.sql', '-- UP\nCREATE TABLE app.ok (id int);\n-- DOWN\nDROP TABLE app.ok;\n');
    project.write(
      '0002_denied.sql',
      '-- tries the public schema\n-- UP\nCREATE TABLE app.x (id int);\nCREATE TABLE public.denied (id int);\n-- DOWN\nDROP TABLE public.denied;\n',
    );
    project.write('0003_later.sql', '-- UP\nCREATE TABLE app.later (id int);\n-- DOWN\nDROP TABLE app.later;\n');
    const result = await runCli(['up', '--table', 'app.schema_migrations'], { cwd: project.dir, databaseUrl: role.url(db) });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Applied 0001_ok.sql');
    expect(oneError(result)).toBe('error: 0002_denied.sql:4:14: permission denied for schema public (SQLSTATE 42501)');
    expect(await versions('app.schema_migrations')).toEqual([1]);
    expect(await tables('app')).toEqual(['ok', 'schema_migrations']);
  });

  it('a journal table created by the DBA is used by a role that may not create tables there', async () => {
    const role = await appRole();
    await db.query(`CREATE SCHEMA app AUTHORIZATION ${role.name}`);
    await db.query(
      `CREATE TABLE public.schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL)`,
    );
    await db.query(`GRANT SELECT, INSERT, DELETE ON public.schema_migrations TO ${role.name}`);
    project.write('0001_ok.sql', '-- UP\nCREATE TABLE IF NOT EXISTS app.ok (id int);\n-- DOWN\nDROP TABLE app.ok;\n');
    const up = await runCli(['up'], { cwd: project.dir, databaseUrl: role.url(db) });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await versions()).toEqual([1]);

    // ... and a journal in an existing schema the role may create tables in, but could not
    // have created itself (no CREATE on the database).
    const other = await runCli(['up', '--table', 'app.journal'], { cwd: project.dir, databaseUrl: role.url(db) });
    expect(other.stderr).toBe('');
    expect(other.code).toBe(0);
    expect(await versions('app.journal')).toEqual([1]);
  });

  it('a journal table the role may not create: exit 1 naming the table, with a hint', async () => {
    const role = await appRole();
    project.write('0001_ok.sql', tableMigration('ok'));
    const result = await runCli(['up'], { cwd: project.dir, databaseUrl: role.url(db) });
    expect(result.code).toBe(1);
    expect(oneError(result)).toMatch(
      /^error: cannot create the journal table public\.schema_migrations: permission denied for schema public — .*grant CREATE on the schema.*--table.* \(SQLSTATE 42501\)$/,
    );
    expect(await tables()).toEqual([]);
  });
});

describe('big files', () => {
  it('a 20 MB migration file is applied, not refused', async () => {
    const rowsPerInsert = 100;
    const inserts = 2000;
    const payload = 'x'.repeat(90);
    const parts = ['-- 20 MB of data\n-- UP\nCREATE TABLE big (id int PRIMARY KEY, payload text NOT NULL);\n'];
    let id = 0;
    for (let i = 0; i < inserts; i++) {
      const values: string[] = [];
      for (let r = 0; r < rowsPerInsert; r++) values.push(`(${++id}, '${payload}')`);
      parts.push(`INSERT INTO big VALUES ${values.join(', ')};\n`);
    }
    parts.push('-- DOWN\nDROP TABLE big;\n');
    const text = parts.join('');
    expect(text.length).toBeGreaterThan(20_000_000);
    project.write('0001_big.sql', text);
    project.write('0002_after.sql', tableMigration('after'));

    const result = await cli(['up']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Applied 0001_big\.sql \(/);
    expect(await db.query<{ n: string }>('SELECT count(*)::text AS n FROM big')).toEqual([{ n: String(inserts * rowsPerInsert) }]);
    expect(await versions()).toEqual([1, 2]);
    const status = await cli(['status', '--json']);
    expect((JSON.parse(status.stdout) as { state: string }[]).map((r) => r.state)).toEqual(['applied', 'applied']);
  });
});

describe('-- aeturnis:no-transaction', () => {
  const header = '-- builds indexes without locking writes\n-- aeturnis:no-transaction\n';

  it('runs CREATE INDEX CONCURRENTLY statement by statement, split correctly, and records it after the last one', async () => {
    project.write(
      '0001_t.sql',
      '-- UP\nCREATE TABLE t (a int, "b;c" text);\nINSERT INTO t SELECT g, \'v\' || g FROM generate_series(1, 1000) g;\n-- DOWN\nDROP TABLE t;\n',
    );
    project.write(
      '0002_indexes.sql',
      `${header}-- UP
CREATE INDEX CONCURRENTLY t_a ON t (a);
/* a block comment; /* nested; */ still a comment; */
CREATE INDEX CONCURRENTLY "t;b" ON t ("b;c"); -- a quoted identifier with ;
DO $body$
BEGIN
  -- a semicolon in a dollar quote; and a 'quote
  INSERT INTO t VALUES (-1, 'semi;colon');
END
$body$;
INSERT INTO t VALUES (-2, E'it\\'s; escaped'), (-3, 'it''s; doubled');
-- DOWN
DROP INDEX CONCURRENTLY t_a;
DROP INDEX CONCURRENTLY "t;b";
`,
    );
    const result = await cli(['up']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Applied 0002_indexes.sql');
    const indexes = await db.query<{ name: string; valid: boolean }>(
      `SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
        WHERE i.indrelid = 't'::regclass ORDER BY 1`,
    );
    expect(indexes).toEqual([
      { name: 't;b', valid: true },
      { name: 't_a', valid: true },
    ]);
    expect(await db.query('SELECT a, "b;c" FROM t WHERE a < 0 ORDER BY a DESC')).toEqual([
      { a: -1, 'b;c': 'semi;colon' },
      { a: -2, 'b;c': "it's; escaped" },
      { a: -3, 'b;c': "it's; doubled" },
    ]);
    expect(await versions()).toEqual([1, 2]);

    const down = await cli(['down']);
    expect(down.code).toBe(0);
    expect(down.stdout).toContain('Rolled back 0002_indexes.sql');
    expect(await db.query(`SELECT indexrelid FROM pg_index WHERE indrelid = 't'::regclass`)).toEqual([]);
    expect(await versions()).toEqual([1]);
  });

  it('statement k of n fails: names it and its line, earlier statements stay applied, no journal row, exit 1', async () => {
    project.write(
      '0001_nt.sql',
      `${header}-- UP
CREATE TABLE a (id int);
INSERT INTO a VALUES (1);
/* ; */ INSERT INTO a VALUES ('x; not a number');
INSERT INTO a VALUES (3);
-- DOWN
DROP TABLE a;
`,
    );
    project.write('0002_b.sql', tableMigration('b'));
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toBe(
      'error: 0001_nt.sql:6:31: invalid input syntax for type integer: "x; not a number" (SQLSTATE 22P02) — ' +
        'statement 3 of 4 (line 6) failed; statements 1-2 stayed applied (it runs without a transaction); it is not recorded as applied; ' +
        'recorded as partially applied in public.schema_migrations_partial: the next up resumes at statement 3',
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await db.query('SELECT id FROM a')).toEqual([{ id: 1 }]);
    expect(await versions()).toEqual([]);
    expect(await tables()).toEqual(['a', 'schema_migrations', 'schema_migrations_partial']);
  });

  it('without the directive, CREATE INDEX CONCURRENTLY fails with a hint to add it; nothing applied', async () => {
    project.write('0001_t.sql', '-- UP\nCREATE TABLE t (a int);\nCREATE INDEX CONCURRENTLY t_a ON t (a);\n-- DOWN\nDROP TABLE t;\n');
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toBe(
      'error: 0001_t.sql:3:1: CREATE INDEX CONCURRENTLY cannot run inside a transaction block (SQLSTATE 25001) — ' +
        'hint: put the line "-- aeturnis:no-transaction" before "-- UP" to run this migration statement by statement, outside a transaction',
    );
    expect(await tables()).toEqual(['schema_migrations']);
  });
});
