import { describe, expect, it } from 'vitest';
import { collect, repoRoot, runCli, startCli, type CliResult } from '../support/cli.js';
import { createTestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { oneError, useTestProject } from '../support/test-project.js';

const { db, project, cli } = useTestProject();

/** The scratch database a verify run announced ("Verifying on scratch database NAME"). */
function scratchName(result: Pick<CliResult, 'stdout' | 'stderr'>): string {
  const name = /scratch database (aeturnis_verify_[0-9a-f]+)/.exec(result.stdout + result.stderr)?.[1];
  if (!name) throw new Error(`no scratch database announced:\n${result.stdout}\n${result.stderr}`);
  return name;
}

async function databaseExists(name: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}

const BASE = `-- UP
CREATE TABLE t (id int PRIMARY KEY, a text, c varchar(20));
-- DOWN
DROP TABLE t;
`;

describe('verify', () => {
  it('the shipped Aeturnis migrations all verify cleanly; the scratch database is gone and the target untouched', async () => {
    const result = await runCli(['verify', '--dir', `${repoRoot}/migrations`], { cwd: project.dir, databaseUrl: db.url });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    for (const file of [
      '0001_extensions_and_helpers',
      '0002_create_users',
      '0003_create_user_security',
      '0004_create_audit_log',
      '0005_create_user_sessions',
      '0006_audit_trail',
    ]) {
      expect(result.stdout).toMatch(new RegExp(`Verified ${file}\\.sql \\([\\d.]+ m?s\\)`));
    }
    expect(result.stdout).toContain('Verified 6 migrations: every DOWN undoes its UP and UP runs again');
    expect(await databaseExists(scratchName(result))).toBe(false);
    expect(await db.query(`SELECT 1 FROM pg_class WHERE relname IN ('schema_migrations', 'users')`)).toEqual([]);
  });

  it('a DOWN that forgets an index is reported precisely (exit 3)', async () => {
    project.write('0001_t.sql', BASE);
    project.write('0002_index.sql', `-- UP\nCREATE INDEX idx_t_a ON t (a);\n-- DOWN\nSELECT 1;\n`);
    const result = await cli(['verify']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/Verified 0001_t\.sql/);
    expect(result.stderr).toContain('0002_index: DOWN left index idx_t_a on t');
    expect(result.stderr.match(/DOWN (left|did not)/g)).toHaveLength(1);
    expect(await databaseExists(scratchName(result))).toBe(false);
  });

  it('a DOWN that forgets to drop a function is reported precisely', async () => {
    project.write('0001_t.sql', BASE);
    project.write(
      '0002_fn.sql',
      `-- UP\nCREATE FUNCTION t_count(min_id int) RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM t WHERE id >= min_id $$;\nCREATE VIEW t_view AS SELECT id FROM t;\n-- DOWN\nDROP VIEW t_view;\n`,
    );
    const result = await cli(['verify']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('0002_fn: DOWN left function t_count(integer)');
    expect(result.stderr).not.toContain('t_view');
  });

  it('a DOWN that drops a column the UP only altered, and one that does not restore a type, are reported', async () => {
    project.write('0001_t.sql', BASE);
    project.write('0002_alter.sql', `-- UP\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n-- DOWN\nALTER TABLE t DROP COLUMN a;\n`);
    project.write('0003_type.sql', `-- UP\nALTER TABLE t ALTER COLUMN c TYPE text;\n-- DOWN\nSELECT 1;\n`);
    const result = await cli(['verify']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('0002_alter: DOWN did not restore column t.a (it existed before UP)');
    // UP cannot run again (column a is gone): that is said too; the scratch database is rebuilt
    // to what the UPs build, so 0003 is judged on its own DOWN.
    expect(result.stderr).toMatch(/0002_alter: UP could not run again after DOWN: 0002_alter\.sql:2:\d+: .*column "a" .*does not exist/);
    expect(result.stdout).toMatch(/Rebuilding scratch database \w+ up to 0002_alter\.sql \(UP only, 2 migrations\)/);
    expect(result.stderr).toContain('0003_type: DOWN did not restore column t.c type (text, was character varying(20))');

    project.write(
      '0002_alter.sql',
      `-- UP\nALTER TABLE t ALTER COLUMN a SET NOT NULL;\n-- DOWN\nALTER TABLE t ALTER COLUMN a DROP NOT NULL;\n`,
    );
    const again = await cli(['verify']);
    expect(again.code).toBe(3);
    expect(again.stdout).toMatch(/Verified 0002_alter\.sql/);
    expect(again.stderr).toContain('0003_type: DOWN did not restore column t.c type (text, was character varying(20))');
  });

  it('a DOWN that re-adds a dropped column at the end does not restore the column order (exit 3)', async () => {
    project.write('0001_t.sql', `-- UP\nCREATE TABLE t (a int, b text, c int);\n-- DOWN\nDROP TABLE t;\n`);
    project.write('0002_drop_b.sql', `-- UP\nALTER TABLE t DROP COLUMN b;\n-- DOWN\nALTER TABLE t ADD COLUMN b text;\n`);
    project.write('0003_add_d.sql', `-- UP\nALTER TABLE t ADD COLUMN d int;\n-- DOWN\nALTER TABLE t DROP COLUMN d;\n`);
    const result = await cli(['verify']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('0002_drop_b: DOWN did not restore the column order of table t (a, c, b; was a, b, c)');
    expect(result.stderr.match(/DOWN (left|did not)/g)).toHaveLength(1);
    // a column added at the end and dropped again leaves the order as it was
    expect(result.stdout).toMatch(/Verified 0003_add_d\.sql/);
  });

  it('an extension (or function) left by DOWN is reported once, not again for the comment that came with it', async () => {
    project.write(
      '0001_ext.sql',
      `-- UP\nCREATE EXTENSION IF NOT EXISTS citext;\nCREATE OR REPLACE FUNCTION answer() RETURNS int LANGUAGE sql AS 'SELECT 42';\nCOMMENT ON FUNCTION answer() IS 'the answer';\n-- DOWN\nSELECT 1;\n`,
    );
    const result = await cli(['verify']);
    expect(result.code).toBe(3);
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('error:   '));
    expect(problems).toEqual(['error:   0001_ext: DOWN left extension citext', 'error:   0001_ext: DOWN left function answer()']);
  });

  it('an SQL error in DOWN exits 1 naming the file, line and step; the scratch database is still dropped', async () => {
    project.write('0001_t.sql', `-- UP\nCREATE TABLE t (id int);\n\n-- DOWN\nDROP TABLE t;\nDROP TABLE not_there;\n`);
    const result = await cli(['verify']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: 0001_t\.sql:6:\d+: DOWN failed: table "not_there" does not exist \(SQLSTATE 42P01\)/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await databaseExists(scratchName(result))).toBe(false);
  });

  it('without --keep-going, the problems found before an SQL failure are still listed', async () => {
    project.write('0001_t.sql', BASE);
    project.write('0002_index.sql', `-- UP\nCREATE INDEX IF NOT EXISTS idx_t_a ON t (a);\n-- DOWN\nSELECT 1;\n`);
    project.write('0003_bad.sql', `-- UP\nCREATE TABLE u (id int);\n-- DOWN\nDROP TABLE not_there;\n`);
    const result = await cli(['verify']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error: verify stopped at the SQL failure below \(--keep-going goes on after it\); found before it:\nerror: {3}0002_index: DOWN left index idx_t_a on t\nerror: 0003_bad\.sql:4:1: DOWN failed: table "not_there" does not exist/m,
    );
  });

  it('Ctrl-C during verify exits 130 and drops the scratch database', async () => {
    project.write('0001_slow.sql', `-- UP\nCREATE TABLE t (id int);\nSELECT pg_sleep(30);\n-- DOWN\nDROP TABLE t;\n`);
    const child = startCli(['verify'], { cwd: project.dir, databaseUrl: db.url });
    let seen = '';
    child.stdout?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    const done = collect(child, 30_000);
    const deadline = Date.now() + 15_000;
    const sleeping = async () =>
      (await db.query(`SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`))
        .length > 0;
    while (!(await sleeping()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toMatch(/scratch database/);
    child.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('interrupted by SIGINT');
    expect(await databaseExists(scratchName(result))).toBe(false);
  });

  it('--from verifies only newer migrations; older ones are applied as the baseline', async () => {
    project.write('0001_a.sql', `-- UP\nCREATE TABLE a (id int);\n-- DOWN\nSELECT 1;\n`); // broken, but before --from
    project.write('0002_b.sql', tableMigration('b'));
    const result = await cli(['verify', '--from', '1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Applied 0001_a.sql (baseline, not verified)');
    expect(result.stdout).toMatch(/Verified 0002_b\.sql/);
    expect(result.stdout).toContain('Verified 1 migration:');
    expect((await cli(['verify', '--from', '7'])).stderr).toMatch(/^error: --from 7: no migration has version 7/m);
    expect((await cli(['verify', '--from', 'x'])).code).toBe(2);
  });

  it('an irreversible migration is skipped with a warning, not failed', async () => {
    project.write('0001_a.sql', `-- UP\nCREATE TABLE a (id int);\n`);
    project.write('0002_b.sql', tableMigration('b'));
    const result = await cli(['verify']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('Skipped 0001_a.sql: irreversible (no DOWN section), UP applied');
    expect(result.stdout).toMatch(/Verified 0002_b\.sql/);
  });

  it('--scratch-url uses the given empty database and keeps it; a non-empty one is refused (exit 2)', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const scratch = await createTestDatabase();
    try {
      const result = await cli(['verify', '--scratch-url', scratch.url]);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`Verifying on scratch database ${scratch.name}`);
      expect(await databaseExists(scratch.name)).toBe(true);
      // it now holds the migrated schema, so a second run must refuse it
      const refused = await cli(['verify', '--scratch-url', scratch.url]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toMatch(
        /^error: --scratch-url database aeturnis_test_\w+ is not empty \(it has \w+\): verify needs an empty database it may change$/m,
      );
    } finally {
      await scratch.drop();
    }
  });
});

describe('verify --scratch-url that reaches the target', () => {
  /** The target's URL spelled another way: the other loopback name, or at least another parameter. */
  function sameDatabaseOtherSpelling(url: string): string {
    const other = new URL(url);
    const aliases: Record<string, string> = { '127.0.0.1': 'localhost', localhost: '127.0.0.1' };
    const alias = aliases[other.hostname];
    if (alias) other.hostname = alias;
    else other.searchParams.set('application_name', 'spelled-otherwise');
    return other.toString();
  }

  it('is refused (exit 2, one line) before anything runs: the target keeps no journal, no table', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const scratchUrl = sameDatabaseOtherSpelling(db.url);
    expect(scratchUrl).not.toBe(db.url);
    const result = await cli(['verify', '--scratch-url', scratchUrl]);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(
      `error: --scratch-url reaches the target database itself (${db.name} on the same server): verify changes its scratch database, so it needs another, empty one`,
    );
    expect(await db.query("SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace")).toEqual([]);
  });
});

describe('redo', () => {
  it('rolls back the newest migration and applies it again, picking up an edit of its file', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_b.sql', tableMigration('b'));
    expect((await cli(['up'])).code).toBe(0);
    project.write('0002_b.sql', `-- UP\nCREATE TABLE b (id int PRIMARY KEY, name text);\n-- DOWN\nDROP TABLE b;\n`);

    const result = await cli(['redo']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('0002_b.sql changed since it was applied: running the DOWN section as the file reads now');
    expect(result.stdout).toMatch(/Rolled back 0002_b\.sql \([\d.]+ m?s\)\nApplied 0002_b\.sql \([\d.]+ m?s\)/);
    expect(await db.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'b' ORDER BY 1`)).toEqual([
      { column_name: 'id' },
      { column_name: 'name' },
    ]);
    const status = await cli(['status', '--json']);
    expect((JSON.parse(status.stdout) as { state: string }[]).map((r) => r.state)).toEqual(['applied', 'applied']);
  });

  it('refuses (exit 3, nothing changed) when another applied migration was edited, or the newest is irreversible', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_b.sql', `-- UP\nCREATE TABLE b (id int);\n`);
    expect((await cli(['up'])).code).toBe(0);
    const irreversible = await cli(['redo']);
    expect(irreversible.code).toBe(3);
    expect(irreversible.stderr).toMatch(/^error: refusing to redo: 0002_b\.sql is irreversible/m);

    project.write('0002_b.sql', `-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\n`);
    project.write('0001_a.sql', `${tableMigration('a')}-- edited\n`);
    const modified = await cli(['redo']);
    expect(modified.code).toBe(3);
    expect(modified.stderr).toMatch(/^error: refusing to redo: 0001_a\.sql was modified after it was applied/m);
    expect(await db.query(`SELECT version FROM schema_migrations ORDER BY 1`)).toEqual([{ version: '1' }, { version: '2' }]);
  });

  it('when UP fails after DOWN, exits 1 and says the migration is now pending', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    expect((await cli(['up'])).code).toBe(0);
    project.write('0001_a.sql', `-- UP\nCREATE TABLE a (id int REFERENCES nowhere(id));\n-- DOWN\nDROP TABLE a;\n`);
    const result = await cli(['redo']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/Rolled back 0001_a\.sql/);
    expect(result.stderr).toMatch(
      /^error: 0001_a\.sql:2:\d+: relation "nowhere" does not exist \(SQLSTATE 42P01\) — .*0001_a\.sql was rolled back and is now pending$/m,
    );
    expect(await db.query(`SELECT version FROM schema_migrations`)).toEqual([]);
  });

  it('with nothing applied, says so and exits 0', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['redo']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Nothing to roll back');
  });
});
