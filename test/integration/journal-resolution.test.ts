import { describe, expect, it } from 'vitest';
import { adminQuery } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { oneError, useTestProject } from '../support/test-project.js';

// Where the journal is: an unqualified --table resolves through search_path, like PostgreSQL
// resolves it, and the runner lock follows the table it resolved to. Another tool's table of that
// name is refused untouched.

const { db, project, cli, cliWithUrl, start, createRole, versions: journalVersions } = useTestProject();

/**
 * Starts eight runners at once, half spelling the journal `schema_migrations`, half
 * `<schema>.schema_migrations`, on no-transaction migrations (each statement commits on its own,
 * so a migration run twice leaves two rows in `<schema>.runs`, and a lost race a duplicate-key
 * failure), and checks every migration ran exactly once.
 */
async function raceTwoSpellings(schema: string, url: string): Promise<void> {
  for (let n = 1; n <= 20; n++) {
    project.write(
      `${String(n).padStart(4, '0')}_m${n}.sql`,
      `-- aeturnis:no-transaction\n-- UP\nINSERT INTO ${schema}.runs VALUES (${n});\nSELECT pg_sleep(0.05);\n-- DOWN\nDELETE FROM ${schema}.runs WHERE version = ${n};\n`,
    );
  }
  const spellings = ['schema_migrations', `${schema}.schema_migrations`];
  const runners = Array.from({ length: 8 }, (_, i) => {
    return start(['up', '--table', spellings[i % 2] as string], url);
  });
  const results = await Promise.all(runners.map((runner) => runner.done));
  for (const result of results) {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }
  const runs = await db.query<{ version: number; n: string }>(
    `SELECT version, count(*)::text AS n FROM ${schema}.runs GROUP BY version ORDER BY version`,
  );
  expect(runs).toEqual(Array.from({ length: 20 }, (_, i) => ({ version: i + 1, n: '1' })));
  expect(await journalVersions(`${schema}.schema_migrations`)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
  expect(await db.query(`SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = 'schema_migrations'`)).toEqual([]);
}

describe('one journal, one lock, wherever search_path puts it', () => {
  it('runners spelling the journal two ways apply every migration exactly once (ALTER DATABASE ... SET search_path)', async () => {
    await db.query('CREATE SCHEMA app');
    await db.query('CREATE TABLE app.runs (version int NOT NULL)');
    await adminQuery(`ALTER DATABASE ${db.name} SET search_path = app`);
    await raceTwoSpellings('app', db.url);
  });

  it('PostgreSQL\'s default "$user", public with a schema named like the role: both spellings are one journal, one lock', async () => {
    const role = await createRole('LOGIN');
    await db.query(`CREATE SCHEMA ${role.name} AUTHORIZATION ${role.name}`);
    await db.query(`CREATE TABLE ${role.name}.runs (version int NOT NULL)`);
    await db.query(`GRANT ALL ON ${role.name}.runs TO ${role.name}`);
    await adminQuery(`GRANT CONNECT ON DATABASE ${db.name} TO ${role.name}`);
    await raceTwoSpellings(role.name, role.url(db));
    const status = await cliWithUrl(role.url(db), ['status', '--json']);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { state: string }[]).every((row) => row.state === 'applied')).toBe(true);
  });

  it('a journal name longer than 63 bytes is refused (exit 2) before anything runs, even when it is under 63 characters', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const long = 'é'.repeat(40); // 40 characters, 80 bytes: PostgreSQL would cut it to 31 characters
    const result = await cli(['up', '--table', long]);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(`error: --table "${long}": "${long}" is 80 bytes long; PostgreSQL identifiers are limited to 63 bytes`);
    expect(await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
  });

  it('an empty search_path: exit 2 naming the table and the way out, nothing created', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const url = new URL(db.url);
    url.searchParams.set('options', '-c search_path=');
    const result = await cliWithUrl(url.toString(), ['up']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(/no schema to create the journal table schema_migrations in: .*--table schema\.schema_migrations/);
    expect(await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`)).toEqual([]);
  });
});

describe("another tool's journal table", () => {
  const layouts = {
    'dbmate or Rails': 'CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)',
    'golang-migrate': 'CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)',
  };

  for (const [tool, ddl] of Object.entries(layouts)) {
    it(`${tool}: every command refuses with exit 2, one line naming the table and the way out; the table is untouched`, async () => {
      await db.query(ddl);
      await db.query(
        `INSERT INTO schema_migrations (version${tool === 'golang-migrate' ? ', dirty' : ''}) VALUES ('20240101120000'${tool === 'golang-migrate' ? ', false' : ''})`,
      );
      project.write('0001_a.sql', tableMigration('a'));
      const columns = tool === 'golang-migrate' ? 'version, dirty' : 'version';
      for (const args of [['up'], ['down'], ['status'], ['status', '--json'], ['validate'], ['redo'], ['partitions']]) {
        const result = await cli(args);
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expect(oneError(result)).toBe(
          `error: public.schema_migrations has columns ${columns}: another migration tool's journal (${tool}), not aeturnis-db's ` +
            `(it lacks ${tool === 'golang-migrate' ? 'name, checksum, applied_at, execution_ms' : 'name, checksum, applied_at, execution_ms'}); ` +
            "it was not changed. Pass --table NAME to keep aeturnis-db's journal in another table, " +
            `or adopt it: aeturnis-db adopt --from ${tool === 'golang-migrate' ? 'golang-migrate' : 'dbmate'}`,
        );
        expect(result.stdout).toBe('');
      }
      expect(await db.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`)).toEqual([
        { tablename: 'schema_migrations' },
      ]);
      expect((await db.query<{ version: string }>('SELECT version::text AS version FROM schema_migrations')).map((r) => r.version)).toEqual(
        ['20240101120000'],
      );

      // One journal per database: a journal of aeturnis-db's own next to it is refused too...
      const beside = await cli(['up', '--table', 'aeturnis_migrations']);
      expect(beside.code).toBe(2);
      expect(oneError(beside)).toMatch(
        /^error: the journal table public\.aeturnis_migrations does not exist and this database already holds 1 other journal: public\.schema_migrations/,
      );
      // ... and the way out works: a journal in a schema of its own.
      const up = await cli(['up', '--table', 'ops.schema_migrations']);
      expect(up.code).toBe(0);
      expect(await journalVersions('ops.schema_migrations')).toEqual([1]);
    });
  }
});
