/**
 * dbmate's blocks as the real dbmate (the npm dev dependency) runs them, beside what `import`
 * makes of them: `transaction:false` is per block (an UP without a transaction keeps an atomic
 * DOWN), and only a file's first `-- migrate:up` block runs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { oneError, useTestProject } from '../support/test-project.js';

const run = promisify(execFile);
const { db, project, cli } = useTestProject();

let dbmateDb: TestDatabase | undefined;
afterEach(async () => {
  await dbmateDb?.drop();
  dbmateDb = undefined;
});

/** Writes the dbmate project's files under the test project (db/migrations) and returns the directory. */
function source(files: Record<string, string>): string {
  const dir = join(project.dir, 'db', 'migrations');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** dbmate itself on a database of its own; resolves to its exit code. */
async function dbmate(dir: string, command: 'up' | 'rollback'): Promise<number> {
  dbmateDb ??= await createTestDatabase();
  const env = { PATH: process.env.PATH, DATABASE_URL: `${dbmateDb.url}?sslmode=disable` };
  try {
    await run(`${repoRoot}/node_modules/.bin/dbmate`, ['--migrations-dir', dir, '--no-dump-schema', command], { env, cwd: project.dir });
    return 0;
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}

const indexesOf = async (database: Pick<TestDatabase, 'query'>) =>
  (await database.query<{ name: string }>("SELECT indexname AS name FROM pg_indexes WHERE tablename = 'players' ORDER BY 1")).map(
    (row) => row.name,
  );

const PLAYERS = '-- migrate:up\nCREATE TABLE players (id int, name text);\n\n-- migrate:down\nDROP TABLE players;\n';

describe('dbmate transaction:false on one block', () => {
  it('an UP without a transaction keeps its DOWN atomic, in dbmate and after import', async () => {
    const dir = source({
      '20240105093000_create_players.sql': PLAYERS,
      '20240201080000_index_players_by_name.sql':
        '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY players_name ON players (name);\n\n' +
        '-- migrate:down\nDROP INDEX players_name;\nSELECT 1 / 0; -- a DOWN that fails after its first statement\n',
    });
    expect(await dbmate(dir, 'up')).toBe(0);
    expect(await dbmate(dir, 'rollback')).not.toBe(0);
    expect(await indexesOf(dbmateDb as TestDatabase)).toEqual(['players_name']); // dbmate rolled the DROP INDEX back

    const imported = await cli(['import', '--from', 'dbmate', dir]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain('[no transaction in its UP]');
    expect((await cli(['up'])).code).toBe(0);
    const down = await cli(['down']);
    expect(down.code).toBe(1);
    expect(oneError(down)).toMatch(/division by zero/);
    expect(await indexesOf(db)).toEqual(['players_name']);
  });
});

describe('a dbmate file with several -- migrate:up blocks', () => {
  const twoBlocks =
    '-- migrate:up\nCREATE TABLE guilds (id int);\n-- migrate:down\nDROP TABLE guilds;\n\n' +
    '-- migrate:up\nCREATE TABLE guild_members (guild_id int);\n-- migrate:down\nDROP TABLE guild_members;\n';

  it('dbmate runs only the first block; import refuses the file (exit 2) and writes nothing', async () => {
    const dir = source({ '20240105093000_create_players.sql': PLAYERS, '20240105094500_create_guilds.sql': twoBlocks });
    expect(await dbmate(dir, 'up')).toBe(0);
    const dbmateTables = await (dbmateDb as TestDatabase).query<{ name: string }>(
      "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
    );
    expect(dbmateTables.map((row) => row.name)).toEqual(['guilds', 'players', 'schema_migrations']);

    const imported = await cli(['import', '--from', 'dbmate', dir]);
    expect(imported.code).toBe(2);
    expect(oneError(imported)).toBe(
      `error: ${join(dir, '20240105094500_create_guilds.sql')}: line 6: a second "-- migrate:up" block with SQL: dbmate runs only the first block ` +
        '(2.29 and later then fail at the second, its version already recorded), so a database it migrated never ran this SQL: ' +
        'delete the later blocks (or move them into a migration of their own), then import again; nothing was written',
    );
    expect(readdirSync(project.migrationsDir)).toEqual([]);
  });
});
