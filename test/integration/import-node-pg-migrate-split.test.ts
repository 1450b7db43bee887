/**
 * node-pg-migrate's `sql` loader layout (`NAME.up.sql` + `NAME.down.sql`), run by the real
 * node-pg-migrate 9 (npm dev dependency, through its runner: its CLI has no loader option) beside
 * what `import` makes of it: the same schema up, and down again, with no down file run as an UP.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { useTestProject } from '../support/test-project.js';

const run = promisify(execFile);
const fixture = fileURLToPath(new URL('../fixtures/import/node-pg-migrate-split', import.meta.url));
const setup = useTestProject();
const { db, project, cli } = setup;

let toolDb: TestDatabase | undefined;
afterEach(async () => {
  await toolDb?.drop();
  toolDb = undefined;
});

async function nodePgMigrate(databaseUrl: string, direction: 'up' | 'down'): Promise<void> {
  const script = `import { runner } from 'node-pg-migrate';
await runner({ databaseUrl: process.env.DATABASE_URL, dir: ${JSON.stringify(fixture)}, direction: '${direction}', count: Infinity,
  migrationsTable: 'pgmigrations', migrationLoaderStrategies: [{ extensions: ['.sql'], loader: 'sql' }], log: () => {} });`;
  await run(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl },
  });
}

const objects = async (database: Pick<TestDatabase, 'query'>) =>
  (
    await database.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i') AND c.relname NOT LIKE 'schema_migrations%' AND c.relname NOT LIKE 'pgmigrations%'
       UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
       ORDER BY 1`,
    )
  ).map((row) => row.name);

describe('node-pg-migrate NAME.up.sql + NAME.down.sql', () => {
  it('imports as one migration per pair (with --renumber too) that builds and drops what node-pg-migrate does', async () => {
    toolDb = await createTestDatabase();
    await nodePgMigrate(toolDb.url, 'up');
    const built = await objects(toolDb);
    expect(built).toEqual(['guild_size', 'guilds', 'guilds_name_key', 'guilds_pkey', 'players', 'players_handle_key', 'players_pkey']);
    expect((await toolDb.query('SELECT name FROM pgmigrations ORDER BY id')).map((row) => row.name)).toEqual([
      '1704447000000_create-players',
      '1704447900000_create-guilds',
      '1705075200000_backfill-handles',
    ]);

    const imported = await cli(['import', '--from', 'node-pg-migrate', '--renumber', fixture]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(readdirSync(project.migrationsDir).sort()).toEqual([
      '0001_create-players.sql',
      '0002_create-guilds.sql',
      '0003_backfill-handles.sql',
    ]);
    expect((await cli(['up'])).code).toBe(0);
    expect(await objects(db)).toEqual(built);

    const down = await cli(['down', '--to', '0']);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    await nodePgMigrate(toolDb.url, 'down');
    expect(await objects(db)).toEqual([]);
    expect(await objects(toolDb)).toEqual([]);
  });

  it('adopt records each pair on a database node-pg-migrate migrated, as its journal names it', async () => {
    toolDb = await createTestDatabase();
    await nodePgMigrate(toolDb.url, 'up');
    expect((await cli(['import', '--from', 'node-pg-migrate', fixture])).code).toBe(0);
    const adopt = await setup.cliWithUrl(toolDb.url, ['adopt', '--from', 'node-pg-migrate']);
    expect({ code: adopt.code, stderr: adopt.stderr }).toEqual({ code: 0, stderr: '' });
    expect(adopt.stdout).toMatch(/Adopted 3 migrations from node-pg-migrate/);
    const status = await setup.cliWithUrl(toolDb.url, ['status']);
    expect(status.stdout).toContain('3 applied, 0 pending');
  });
});
