import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { db, project, cli, cliWithUrl, createRole } = useTestProject();

const shipped = ['--dir', `${repoRoot}/migrations`];
const BUILT = /Built the expected schema on scratch database (aeturnis_drift_[0-9a-f]+)/g;

async function databaseExists(name: string): Promise<boolean> {
  return (await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).length > 0;
}

describe('drift', () => {
  it('the shipped migrations applied (journal, registry, audit_log partitions): no drift, exit 0, scratch dropped; then each hand-made change is one line (exit 3), also as --json', async () => {
    expect((await cli(['up', ...shipped])).code).toBe(0);
    expect((await db.query("SELECT 1 FROM pg_class WHERE relname LIKE 'audit\\_log\\_2%'")).length).toBeGreaterThan(1);
    const clean = await cli(['drift', ...shipped]);
    expect(clean.stderr).toBe('');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('No drift: the database matches what its 6 applied migrations build');
    const scratch = [...clean.stdout.matchAll(BUILT)].map((m) => m[1] as string);
    expect(scratch).toHaveLength(1);
    expect(await databaseExists(scratch[0] as string)).toBe(false);

    const reader = await createRole('NOLOGIN');
    await db.query('CREATE INDEX by_hand_idx ON users (created_at)');
    await db.query('ALTER TABLE users ADD COLUMN nickname text');
    await db.query("ALTER TABLE users ALTER COLUMN username SET DEFAULT 'x'");
    await db.query('DROP FUNCTION cleanup_expired_sessions(interval)');
    await db.query(`GRANT SELECT ON user_sessions TO ${reader.name}`);
    const drifted = await cli(['drift', ...shipped]);
    expect(drifted.code).toBe(3);
    const lines = drifted.stdout.split('\n').filter((line) => !line.startsWith('Built the expected schema') && line !== '');
    expect(lines).toEqual([
      'extra column users.nickname: not in the migrations (write a migration for it, or drop it)',
      "column users.username: default 'x'::citext in the database, none in the migrations",
      'function cleanup_expired_sessions(interval): missing from the database (the migrations create it; restore it)',
      `extra grant SELECT on table user_sessions to ${reader.name}: not in the migrations (write a migration for it, or drop it)`,
      'extra index users.by_hand_idx: not in the migrations (write a migration for it, or drop it)',
    ]);
    expect(drifted.stderr).toContain('error: 5 differences between the database and what its 6 applied migrations build');

    const json = await cli(['drift', '--json', ...shipped]);
    expect(json.code).toBe(3);
    const document = JSON.parse(json.stdout) as { drifted: boolean; differences: Record<string, unknown>[] };
    expect(document.drifted).toBe(true);
    expect(document.differences).toHaveLength(5);
    expect(document.differences).toContainEqual({ kind: 'index', name: 'users.by_hand_idx', change: 'extra' });
    expect(document.differences).toContainEqual({
      kind: 'column',
      name: 'users.username',
      change: 'changed',
      attribute: 'default',
      database: "'x'::citext",
      migrations: null,
    });
  });

  it('an applied file modified since: exit 3 with the message validate gives, and nothing is built', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    expect((await cli(['up'])).code).toBe(0);
    project.write('0001_a.sql', `${tableMigration('a')}\n-- edited\n`);
    const result = await cli(['drift']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('0001_a.sql was modified after it was applied (checksum differs)');
    expect(result.stdout).not.toMatch(BUILT);
  });

  it('a no-transaction migration that stopped part way is rebuilt as far as it got (its first two statements): no drift', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write(
      '0002_index.sql',
      '-- aeturnis:no-transaction\n-- UP\nCREATE TABLE p (id int);\nCREATE INDEX p_idx ON p (id);\nSELECT 1 / 0;\nCREATE TABLE q (id int);\n-- DOWN\nDROP TABLE q;\nDROP TABLE p;\n',
    );
    expect((await cli(['up'])).code).toBe(1);
    expect(await db.query("SELECT 1 FROM pg_class WHERE relname = 'p_idx'")).toHaveLength(1);
    const result = await cli(['drift']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No drift');
  });

  it('a role that may not create databases: drift (not verify) says so and names the ways out, exit 2', async () => {
    const owner = await createRole('LOGIN');
    await db.query(`ALTER DATABASE "${db.name}" OWNER TO ${owner.name}`);
    project.write('0001_a.sql', tableMigration('a'));
    const url = owner.url(db);
    expect((await cliWithUrl(url, ['up'])).code).toBe(0);
    const result = await cliWithUrl(url, ['drift']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'drift could not create its scratch database (permission denied to create database): grant CREATEDB to this role, or pass --scratch-url',
    );
  });

  it('a fleet of four, one drifted: that target is named (exit 3), and the expected schema is built once', async () => {
    const targets: TestDatabase[] = [];
    try {
      for (let i = 0; i < 4; i++) targets.push(await createTestDatabase());
      project.write('0001_a.sql', tableMigration('a'));
      project.write('0002_b.sql', tableMigration('b'));
      writeFileSync(join(project.dir, 'targets.txt'), targets.map((t, i) => `db${i + 1}=${t.url}`).join('\n'));
      const fleet = (args: string[]) => runCli(args, { cwd: project.dir });
      expect((await fleet(['up', '--targets', 'targets.txt'])).code).toBe(0);
      await targets[2]?.query('CREATE INDEX a_by_hand ON a (id)');
      const result = await fleet(['drift', '--targets', 'targets.txt']);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('4 targets: 3 succeeded, 1 failed (db3)');
      expect(result.stdout + result.stderr).toMatch(/db3.*drifted: 1 difference: extra index a\.a_by_hand/);
      expect([...(result.stdout + result.stderr).matchAll(BUILT)]).toHaveLength(1);
      // --json: one object per target a line; the drifted one carries its differences.
      const json = await fleet(['drift', '--targets', 'targets.txt', '--json']);
      expect(json.code).toBe(3);
      const objects = json.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { target: string; exitCode: number; result: unknown });
      expect(objects.map((o) => [o.target, o.exitCode])).toEqual([
        ['db1', 0],
        ['db2', 0],
        ['db3', 3],
        ['db4', 0],
      ]);
      expect(objects[2]?.result).toEqual({
        drifted: true,
        differences: [expect.objectContaining({ kind: 'index', name: 'a.a_by_hand', change: 'extra' })],
      });
      expect(objects[0]?.result).toEqual({ drifted: false, differences: [] });
    } finally {
      for (const target of targets) await target.drop();
    }
  });
});
