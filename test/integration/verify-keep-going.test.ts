import { describe, expect, it } from 'vitest';
import type { CliResult } from '../support/cli.js';
import { createTestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { db, project, cli } = useTestProject();

/** The problem lines of the final summary ("error:   0002_x: ..."), without the prefix. */
const problemLines = (result: CliResult): string[] =>
  result.stderr
    .split('\n')
    .filter((line) => line.startsWith('error:   '))
    .map((line) => line.slice('error:   '.length));

async function databaseExists(name: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}

/**
 * A corpus with one of each kind of broken migration. Later migrations build on the broken
 * ones, so they verify only if the scratch state is rebuilt correctly after each failure.
 */
function writeBrokenCorpus(): void {
  project.write('0001_t.sql', `-- UP\nCREATE TABLE t (id int PRIMARY KEY, a text, c varchar(20));\n-- DOWN\nDROP TABLE t;\n`);
  // DOWN drops what UP only altered: UP cannot run again; the schema after DOWN lacks t.a
  project.write('0002_alter.sql', `-- UP\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n-- DOWN\nALTER TABLE t DROP COLUMN a;\n`);
  project.write('0003_uses_a.sql', `-- UP\nCREATE INDEX t_a ON t (a);\n-- DOWN\nDROP INDEX t_a;\n`);
  // DOWN fails inside its transaction: rolled back, so u is still there
  project.write('0004_bad_down.sql', `-- UP\nCREATE TABLE u (id int);\n-- DOWN\nDROP TABLE u;\nDROP TABLE not_there;\n`);
  project.write('0005_uses_u.sql', `-- UP\nALTER TABLE u ADD COLUMN x int;\n-- DOWN\nALTER TABLE u DROP COLUMN x;\n`);
  // DOWN fails half way outside a transaction: w is gone, the scratch database must be rebuilt
  project.write(
    '0006_nt.sql',
    `-- aeturnis:no-transaction\n-- UP\nCREATE TABLE v (id int);\nCREATE TABLE w (id int);\n-- DOWN\nDROP TABLE w;\nDROP TABLE not_there;\n`,
  );
  project.write('0007_uses_w.sql', `-- UP\nCREATE INDEX w_id ON w (id);\n-- DOWN\nDROP INDEX w_id;\n`);
  // the schema round-trips but the row DOWN forgot makes UP fail the second time
  project.write('0008_row.sql', `-- UP\nINSERT INTO t (id, a) VALUES (1, 'x');\n-- DOWN\nSELECT 1;\n`);
  project.write('0009_bad_up.sql', `-- UP\nSELECT * FROM nowhere;\n-- DOWN\nSELECT 1;\n`);
  project.write('0010_z.sql', tableMigration('z'));
}

describe('verify --keep-going', () => {
  it('reports every problem in one run, SQL failures included, rebuilding the scratch database as needed (exit 1)', async () => {
    writeBrokenCorpus();
    const result = await cli(['verify', '--keep-going']);
    expect(result.code).toBe(1);
    for (const file of ['0001_t', '0003_uses_a', '0005_uses_u', '0007_uses_w', '0010_z']) {
      expect(result.stdout).toMatch(new RegExp(`Verified ${file}\\.sql \\([\\d.]+ m?s\\)`));
    }
    const problems = problemLines(result);
    expect(problems).toHaveLength(6);
    expect(problems[0]).toBe('0002_alter: DOWN did not restore column t.a (it existed before UP)');
    expect(problems[1]).toMatch(/^0002_alter: UP could not run again after DOWN: 0002_alter\.sql:2:\d+: .*column "a" .*does not exist/);
    expect(problems[2]).toMatch(
      /^0004_bad_down: 0004_bad_down\.sql:5:\d+: DOWN failed: table "not_there" does not exist \(SQLSTATE 42P01\)/,
    );
    expect(problems[3]).toMatch(/^0006_nt: 0006_nt\.sql:7:\d+: DOWN failed: table "not_there" does not exist \(SQLSTATE 42P01\)/);
    expect(problems[4]).toMatch(
      /^0008_row: 0008_row\.sql:2:\d+: UP run again after DOWN failed: duplicate key value violates unique constraint "t_pkey"/,
    );
    expect(problems[5]).toMatch(/^0009_bad_up: 0009_bad_up\.sql:2:\d+: UP failed: relation "nowhere" does not exist \(SQLSTATE 42P01\)/);
    expect(result.stderr).toMatch(/^error: verify failed: 5 of 10 migrations do not round-trip \(4 failed with an SQL error\)$/m);
    // rebuilt after 0002 (UP again failed), 0006 (DOWN half applied) and 0008 (UP again failed); not after 0004 or 0009 (rolled back)
    const rebuilds = [
      ...result.stdout.matchAll(/Rebuilding scratch database aeturnis_verify_[0-9a-f]+ up to (\S+) \(UP only, \d+ migrations?\)/g),
    ].map((m) => m[1]);
    expect(rebuilds).toEqual(['0002_alter.sql', '0006_nt.sql', '0008_row.sql']);
    const scratch = /scratch database (aeturnis_verify_[0-9a-f]+)/.exec(result.stdout)?.[1] ?? '';
    expect(await databaseExists(scratch)).toBe(false);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 3 when every problem is a DOWN that does not undo its UP, and the JSON summary lists them all', async () => {
    project.write('0001_t.sql', `-- UP\nCREATE TABLE t (a int, b text, c int);\n-- DOWN\nDROP TABLE t;\n`);
    project.write('0002_drop_b.sql', `-- UP\nALTER TABLE t DROP COLUMN b;\n-- DOWN\nALTER TABLE t ADD COLUMN b text;\n`);
    project.write('0003_c_type.sql', `-- UP\nALTER TABLE t ALTER COLUMN c TYPE bigint;\n-- DOWN\nSELECT 1;\n`);
    project.write('0004_index.sql', `-- UP\nCREATE INDEX t_c ON t (c);\n-- DOWN\nSELECT 1;\n`);
    const result = await cli(['verify', '--keep-going', '--log-format', 'json']);
    expect(result.code).toBe(3);
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; event?: string; file?: string; outcome?: string; problems?: string[] });
    const summary = lines.at(-1);
    expect(summary?.msg).toBe('verify failed: 3 of 4 migrations do not round-trip');
    expect(summary?.problems).toEqual([
      '0002_drop_b: DOWN did not restore the column order of table t (a, c, b; was a, b, c)',
      '0003_c_type: DOWN did not restore column t.c type (bigint, was integer)',
      '0004_index: DOWN left index t_c on t',
      // UP of 0004 runs again without IF NOT EXISTS: that is a second problem of the same DOWN
      expect.stringMatching(/^0004_index: UP could not run again after DOWN: 0004_index\.sql:2:\d+: .*relation "t_c" already exists/),
    ]);
    const outcomes = lines.filter((line) => line.event === 'verify-result').map((line) => [line.file, line.outcome]);
    expect(outcomes).toEqual([
      ['0001_t.sql', 'verified'],
      ['0002_drop_b.sql', 'mismatch'],
      ['0003_c_type.sql', 'mismatch'],
      ['0004_index.sql', 'mismatch'],
    ]);
  });

  it('with --scratch-url, empties the given database to rebuild and keeps it', async () => {
    writeBrokenCorpus();
    const scratch = await createTestDatabase();
    try {
      const result = await cli(['verify', '--keep-going', '--scratch-url', scratch.url]);
      expect(result.code).toBe(1);
      expect(problemLines(result)).toHaveLength(6);
      for (const file of ['0003_uses_a', '0005_uses_u', '0007_uses_w', '0010_z'])
        expect(result.stdout).toMatch(new RegExp(`Verified ${file}\\.sql`));
      expect(result.stdout).toContain(`Rebuilding scratch database ${scratch.name} up to 0006_nt.sql (UP only, 6 migrations)`);
      expect(await databaseExists(scratch.name)).toBe(true);
      // the public schema is back with its owner and privileges, holding what the migrations built
      const [publicSchema] = await scratch.query<{ owner: string; acl: string }>(
        `SELECT nspowner::regrole::text AS owner, array_to_string(nspacl, ',') AS acl FROM pg_namespace WHERE nspname = 'public'`,
      );
      expect(publicSchema).toEqual({ owner: 'pg_database_owner', acl: expect.stringContaining('=U/') });
      expect(await scratch.query(`SELECT to_regclass('public.z')::text AS z`)).toEqual([{ z: 'z' }]);
    } finally {
      await scratch.drop();
    }
  });

  it('with --scratch-url, refuses a database holding anything (exit 2) before changing it', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const scratch = await createTestDatabase();
    try {
      await scratch.query(`CREATE FUNCTION keep_me() RETURNS int LANGUAGE sql AS 'SELECT 1'`);
      const result = await cli(['verify', '--keep-going', '--scratch-url', scratch.url]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error: --keep-going with --scratch-url needs a database with nothing in it \(aeturnis_test_\w+ has function keep_me\(\)\): .*$/m,
      );
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(await scratch.query(`SELECT to_regclass('public.a') AS a, to_regprocedure('keep_me()')::text AS f`)).toEqual([
        { a: null, f: 'keep_me()' },
      ]);
    } finally {
      await scratch.drop();
    }
  });
});
