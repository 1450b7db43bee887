import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { waitFor } from '../support/runner-safety.js';
import { useTestProject } from '../support/test-project.js';

/** The fleet's edges on three databases: bad targets, a target that cannot connect, fail-fast, canary, the query, --json, SIGINT. */

const { db: control, project, start } = useTestProject();
let targets: TestDatabase[] = [];
const PASSWORD = 'Sup3r-secret';

beforeEach(async () => {
  targets = [await createTestDatabase(), await createTestDatabase(), await createTestDatabase()];
  project.write('0001_a.sql', tableMigration('a'));
  project.write('0002_b.sql', tableMigration('b'));
});
afterEach(async () => {
  for (const db of targets) await db.drop();
});

const withPassword = (url: string): string => {
  const parsed = new URL(url);
  parsed.username ||= 'postgres';
  parsed.password = PASSWORD; // the test server trusts local connections: the password is only there to be hidden
  return parsed.toString();
};
const writeTargets = (text: string): void => writeFileSync(join(project.dir, 'targets.txt'), text);
const listTargets = (): void => writeTargets(targets.map((db, i) => `db${i + 1}=${withPassword(db.url)}`).join('\n'));
const fleet = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { cwd: project.dir, env });
const versions = async (db: TestDatabase): Promise<number[]> => {
  const [{ exists } = { exists: false }] = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  if (!exists) return [];
  return (await db.query<{ v: string }>('SELECT version::text AS v FROM schema_migrations ORDER BY version')).map((row) => Number(row.v));
};
const breakTarget = (db: TestDatabase | undefined) => db?.query('CREATE TABLE b (id int)'); // 0002 then fails there

describe('targets', () => {
  it('a line that does not parse is exit 2 naming the file and line, before any database is touched', async () => {
    writeTargets(`db1=${targets[0]?.url}\n# a comment\nthis is not a target\n`);
    const result = await fleet(['up', '--targets', 'targets.txt']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('error: targets.txt:3: expected name=URL or a postgres:// URL (got this is not a target)');
    expect(await versions(targets[0] as TestDatabase)).toEqual([]);
  });

  it('an unset ${VAR} is exit 2 naming the line; duplicates are refused', async () => {
    writeTargets(`db1=${targets[0]?.url}\ndb2=postgres://postgres:\${DB2_PASSWORD}@127.0.0.1/x\n`);
    const unset = await fleet(['status', '--targets', 'targets.txt']);
    expect(unset.code).toBe(2);
    expect(unset.stderr.trim()).toBe('error: targets.txt:2: ${DB2_PASSWORD} is not set in the environment');
    writeTargets(`db1=${targets[0]?.url}\ndb2=${withPassword(targets[0]?.url ?? '')}\n`);
    const duplicate = await fleet(['status', '--targets', 'targets.txt']);
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toMatch(/^error: targets\.txt:2: duplicate target: db2 is the same database as db1 \(targets\.txt:1\)/);
    expect(duplicate.stderr).not.toContain(PASSWORD);
  });

  it('a command without a fleet refuses --targets, and up --json needs targets (exit 2)', async () => {
    listTargets();
    const result = await fleet(['seed', '--targets', 'targets.txt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error: --targets works with up, down, status, validate, verify, partitions, adopt, baseline, drift; not with seed',
    );
    const json = await fleet(['up', '--json']);
    expect(json.code).toBe(2);
    expect(json.stderr.trim()).toBe('error: up --json needs --targets FILE or --targets-query SQL (one JSON object per target)');
  });
});

describe('running on a fleet', () => {
  it('a target that cannot connect is its exit 4; the others are migrated; no password anywhere', async () => {
    writeTargets(
      [
        `db1=${withPassword(targets[0]?.url ?? '')}`,
        `gone=postgres://postgres:${PASSWORD}@127.0.0.1:1/nowhere`,
        `db3=${withPassword(targets[2]?.url ?? '')}`,
      ].join('\n'),
    );
    const result = await fleet(['up', '--targets', 'targets.txt', '--wait', '0', '--no-partitions']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^\[gone\] error: failed \(exit 4\): could not connect: connection refused \(127\.0\.0\.1:1\)/m);
    expect(result.stdout).toMatch(/│ gone +│ +│ +│ [\d.]+ m?s +│ failed \(exit 4\): could not connect/);
    expect(await versions(targets[0] as TestDatabase)).toEqual([1, 2]);
    expect(await versions(targets[2] as TestDatabase)).toEqual([1, 2]);
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });

  it('--fail-fast starts no target after the first failure', async () => {
    listTargets();
    await breakTarget(targets[0]);
    const result = await fleet(['up', '--targets', 'targets.txt', '--concurrency', '1', '--fail-fast', '--no-partitions']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/│ db2 +│ +│ +│ +│ not started \(--fail-fast\) +│/);
    expect(result.stderr).toContain('error: 3 targets: 0 succeeded, 1 failed (db1), 2 not started (--fail-fast)');
    expect(await versions(targets[1] as TestDatabase)).toEqual([]);
  });

  it('without --fail-fast a failure does not stop the others', async () => {
    listTargets();
    await breakTarget(targets[0]);
    const result = await fleet(['up', '--targets', 'targets.txt', '--concurrency', '1', '--no-partitions']);
    expect(result.code).toBe(1);
    expect(await versions(targets[1] as TestDatabase)).toEqual([1, 2]);
    expect(await versions(targets[2] as TestDatabase)).toEqual([1, 2]);
  });

  it('--canary 1: the first target alone first; when it fails the others never start', async () => {
    listTargets();
    await breakTarget(targets[0]);
    const failed = await fleet(['up', '--targets', 'targets.txt', '--canary', '1', '--no-partitions']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/│ db3 +│ +│ +│ +│ not started \(a canary failed\) +│/);
    expect(await versions(targets[2] as TestDatabase)).toEqual([]);
    await targets[0]?.query('DROP TABLE b');
    const passed = await fleet(['up', '--targets', 'targets.txt', '--canary', '1', '--no-partitions']);
    expect(passed.code, passed.stderr).toBe(0);
    for (const db of targets) expect(await versions(db)).toEqual([1, 2]);
  });

  it('validate across the fleet is exit 3 when one target has a modified migration; down rolls back on each', async () => {
    listTargets();
    expect((await fleet(['up', '--targets', 'targets.txt', '--no-partitions'])).code).toBe(0);
    await targets[1]?.query("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 2");
    const validate = await fleet(['validate', '--targets', 'targets.txt']);
    expect(validate.code).toBe(3);
    expect(validate.stdout).toMatch(/│ db2 +│ [\d.]+ m?s +│ failed \(exit 3\): validation failed: .*0002_b\.sql/);
    expect(validate.stdout).toMatch(/│ db1 +│ [\d.]+ m?s +│ ok +│/);
    const down = await fleet(['down', '--targets', 'targets.txt']);
    expect(down.code).toBe(3); // db2 refuses to roll back a modified migration; the others do
    expect(down.stdout).toMatch(/│ Target +│ Version +│ Rolled back +│/);
    expect(down.stdout).toMatch(/│ db1 +│ 2 → 1 +│ 1 +│/);
    expect(await versions(targets[0] as TestDatabase)).toEqual([1]);
    expect(await versions(targets[1] as TestDatabase)).toEqual([1, 2]);
  });

  it('--targets-query reads name, url from a control database; --json prints one object per target', async () => {
    await control.query('CREATE TABLE tenants (name text, url text, active boolean)');
    for (const [i, db] of targets.entries())
      await control.query('INSERT INTO tenants VALUES ($1, $2, $3)', [`tenant-${i + 1}`, db.url, i !== 1]);
    const result = await fleet(
      ['up', '--targets-query', 'SELECT name, url FROM tenants WHERE active ORDER BY name', '--json', '--no-partitions'],
      { DATABASE_URL: control.url },
    );
    expect(result.code, result.stderr).toBe(0);
    const objects = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(objects.map((o) => [o.target, o.state, o.exitCode, o.versionBefore, o.versionAfter, o.applied])).toEqual([
      ['tenant-1', 'succeeded', 0, null, 2, ['0001_a.sql', '0002_b.sql']],
      ['tenant-3', 'succeeded', 0, null, 2, ['0001_a.sql', '0002_b.sql']],
    ]);
    expect(result.stderr).toMatch(/^\[tenant-1\] Applied 0001_a\.sql/m);
    expect(await versions(targets[1] as TestDatabase)).toEqual([]);
  });

  it('--targets-query that fails is exit 2 naming it', async () => {
    const result = await fleet(['status', '--targets-query', 'SELECT name, url FROM no_such_table'], { DATABASE_URL: control.url });
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('error: --targets-query failed: relation "no_such_table" does not exist (SQLSTATE 42P01)');
  });

  it('SIGINT starts no more targets and interrupts the running ones, which roll back; the summary says which did what', async () => {
    project.write('0003_slow.sql', '-- UP\nCREATE TABLE slow (id int);\nSELECT pg_sleep(30);\n-- DOWN\nDROP TABLE slow;\n');
    listTargets();
    const runner = start(['up', '--targets', 'targets.txt', '--concurrency', '2', '--no-partitions']);
    await waitFor(
      async () => (await Promise.all(targets.slice(0, 2).map(sleeping))).every(Boolean),
      'both running targets to sleep in 0003',
      30_000,
    );
    runner.child.kill('SIGINT');
    const result = await runner.done;
    expect(result.code).toBe(130);
    expect(result.stdout).toMatch(
      /│ db1 +│ none → 2 +│ 2 +│ [\d.]+ m?s +│ interrupted by SIGINT: 0003_slow\.sql was rolled back; completed: 0001_a\.sql, 0002_b\.sql/,
    );
    expect(result.stdout).toMatch(/│ db3 +│ +│ +│ +│ not started \(interrupted\) +│/);
    expect(result.stderr).toContain('error: 3 targets: 0 succeeded, 2 interrupted (db1, db2), 1 not started (interrupted)');
    expect(await versions(targets[0] as TestDatabase)).toEqual([1, 2]);
    expect(await versions(targets[2] as TestDatabase)).toEqual([]);
  });
});

async function sleeping(db: TestDatabase): Promise<boolean> {
  const rows = await db.query(
    "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()",
  );
  return rows.length > 0;
}

describe('adopt and baseline across the fleet', () => {
  it("adopt --from dbmate --targets adopts each database's own journal; adopting again does nothing; up then completes each", async () => {
    listTargets();
    // Each database migrated by dbmate to its own point: db1 and db2 have 0001, db3 has 0001 and 0002.
    for (const [i, db] of targets.entries()) {
      await db.query('CREATE TABLE a (id int PRIMARY KEY)');
      if (i === 2) await db.query('CREATE TABLE b (id int PRIMARY KEY)');
      await db.query('CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)');
      await db.query(`INSERT INTO schema_migrations VALUES ('0001')${i === 2 ? ", ('0002')" : ''}`);
    }
    const adopted = await fleet(['adopt', '--from', 'dbmate', '--targets', 'targets.txt', '--dir', 'migrations']);
    expect(adopted.stderr).toBe('');
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/db1 .*adopted 1/);
    expect(adopted.stdout).toMatch(/db3 .*adopted 2/);
    expect(await versions(targets[0] as TestDatabase)).toEqual([1]);
    expect(await versions(targets[2] as TestDatabase)).toEqual([1, 2]);

    const again = await fleet(['adopt', '--from', 'dbmate', '--targets', 'targets.txt', '--dir', 'migrations', '--json']);
    expect(again.code).toBe(0);
    const lines = again.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { target: string });
    expect(lines.map((line) => line.target)).toEqual(['db1', 'db2', 'db3']);

    const up = await fleet(['up', '--targets', 'targets.txt', '--dir', 'migrations']);
    expect(up.code).toBe(0);
    for (const db of targets) expect(await versions(db)).toEqual([1, 2]);
  });

  it('baseline --targets records on every database whose journal is empty, and the worst exit code wins', async () => {
    listTargets();
    await targets[1]?.query(
      'CREATE TABLE schema_migrations (version bigint PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), execution_ms integer NOT NULL)',
    );
    await targets[1]?.query("INSERT INTO schema_migrations VALUES (1, 'a', 'x', now(), 0)");
    const result = await fleet(['baseline', '1', '--targets', 'targets.txt', '--dir', 'migrations']);
    expect(result.code).toBe(3);
    expect(await versions(targets[0] as TestDatabase)).toEqual([1]);
    expect(await versions(targets[2] as TestDatabase)).toEqual([1]);
    expect(result.stdout).toMatch(/db2 .*failed \(exit 3\)/);
  });
});
