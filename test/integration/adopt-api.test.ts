/**
 * `adopt()` and `baseline()` from the package root: typed results, typed errors with the CLI's
 * exit codes, a caller's own pg Client, and the runner lock released afterwards.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { adopt, baseline, status, ValidationError, UsageError, ExitCode } from '../../src/index.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { db, project, versions } = useTestProject();

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('adopt()', () => {
  it("resolves with the adopted rows and the table it kept; status() marks them; works on the caller's own client", async () => {
    project.write('0001_players.sql', tableMigration('players'));
    project.write('0002_guilds.sql', tableMigration('guilds'));
    project.write('0003_items.sql', tableMigration('items'));
    await db.query('CREATE TABLE players (id int PRIMARY KEY); CREATE TABLE guilds (id int PRIMARY KEY)');
    await db.query('CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)');
    await db.query(`INSERT INTO schema_migrations VALUES ('0001'), ('0002')`);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const result = await adopt({ connection: client, dir: project.migrationsDir, from: 'dbmate' });
      expect(result.adopted.map((m) => [m.fileName, m.sourceVersion, m.appliedAt, m.executionMs])).toEqual([
        ['0001_players.sql', '0001', undefined, 0],
        ['0002_guilds.sql', '0002', undefined, 0],
      ]);
      expect(result).toMatchObject({
        from: 'dbmate',
        keptAs: 'public.schema_migrations_dbmate',
        journal: 'public.schema_migrations',
        dryRun: false,
      });
      expect(result.pending.map((m) => m.fileName)).toEqual(['0003_items.sql']);
      const { rows } = await client.query(`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()`);
      expect(rows).toEqual([{ n: 0 }]);
    } finally {
      await client.end();
    }
    const { migrations } = await status({ databaseUrl: db.url, dir: project.migrationsDir });
    expect(migrations.map((m) => [m.version, m.state, m.adoptedFrom])).toEqual([
      [1, 'applied', 'dbmate'],
      [2, 'applied', 'dbmate'],
      [3, 'pending', undefined],
    ]);
  });

  it('rejects with ValidationError (exit 3) listing the unknown rows, and UsageError for an unknown tool', async () => {
    project.write('0001_players.sql', tableMigration('players'));
    await db.query('CREATE TABLE pgmigrations (id serial PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL)');
    await db.query(`INSERT INTO pgmigrations (name, run_on) VALUES ('1_players', now()), ('2_guilds', now())`);
    const error = await rejection(adopt({ databaseUrl: db.url, dir: project.migrationsDir, from: 'node-pg-migrate' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).exitCode).toBe(ExitCode.validation);
    expect((error as ValidationError).problems).toEqual([
      "node-pg-migrate's journal public.pgmigrations lists 1 migration with no local file: 2_guilds",
    ]);
    const unknownTool = await rejection(adopt({ databaseUrl: db.url, dir: project.migrationsDir, from: 'liquibase' }));
    expect(unknownTool).toBeInstanceOf(UsageError);
    expect((unknownTool as UsageError).message).toBe(
      '--from must be one of dbmate, golang-migrate, goose, flyway, node-pg-migrate (got "liquibase")',
    );
  });
});

describe('baseline()', () => {
  it('resolves with what it recorded and what is pending', async () => {
    project.write('0001_players.sql', tableMigration('players'));
    project.write('0002_guilds.sql', tableMigration('guilds'));
    const result = await baseline({ databaseUrl: db.url, dir: project.migrationsDir, version: 1 });
    expect(result.recorded.map((m) => m.fileName)).toEqual(['0001_players.sql']);
    expect(result.pending.map((m) => m.fileName)).toEqual(['0002_guilds.sql']);
    expect(await versions()).toEqual([1]);
    const again = await rejection(baseline({ databaseUrl: db.url, dir: project.migrationsDir, version: 2 }));
    expect(again).toBeInstanceOf(ValidationError);
  });
});
