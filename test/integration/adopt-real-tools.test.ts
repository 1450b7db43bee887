/**
 * `adopt` where the real tools built the database: dbmate and node-pg-migrate (installed from
 * npm as dev dependencies) migrate a fresh database from the fixture projects; then `import` +
 * `adopt`, and from there aeturnis-db alone: `up` applies nothing, `status` shows every
 * migration applied and adopted, `verify` holds, `down --to 0` undoes everything (the empty
 * downs included).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { oneError, useTestProject } from '../support/test-project.js';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const bin = (name: string) => `${repoRoot}/node_modules/.bin/${name}`;

const { db, project, cli, tables } = useTestProject();

/** The tool's own run, with only what it needs in its environment. */
async function tool(name: string, args: string[], databaseUrl: string): Promise<void> {
  await run(bin(name), args, { env: { PATH: process.env.PATH, DATABASE_URL: databaseUrl }, cwd: project.dir });
}

const TOOLS = {
  dbmate: {
    count: 12,
    keptTable: 'schema_migrations_dbmate',
    migrate: (url: string) => tool('dbmate', ['--migrations-dir', fixture('dbmate'), '--no-dump-schema', 'up'], `${url}?sslmode=disable`),
  },
  'node-pg-migrate': {
    count: 11,
    keptTable: 'pgmigrations',
    migrate: (url: string) => tool('node-pg-migrate', ['up', '-m', fixture('node-pg-migrate')], url),
  },
} as const;

const GAME_TABLES = ['guild_members', 'guilds', 'inventory', 'items', 'players'];

describe.each(Object.entries(TOOLS))('a database %s built', (name, setup) => {
  it('is adopted: up applies nothing, status shows every migration adopted, verify holds, down --to 0 undoes it all', async () => {
    await setup.migrate(db.url);
    expect((await cli(['import', '--from', name, fixture(name)])).code).toBe(0);

    const adopted = await cli(['adopt', '--from', name]);
    expect(adopted.stderr).toBe('');
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain(`Adopted ${setup.count} migrations from ${name} into public.schema_migrations; 0 migrations pending`);
    expect(await tables()).toEqual(
      expect.arrayContaining([...GAME_TABLES, 'schema_migrations', 'schema_migrations_adopted', setup.keptTable]),
    );
    if (name === 'node-pg-migrate') {
      // applied_at is node-pg-migrate's run_on, to the microsecond.
      const sameTime = await db.query(
        `SELECT count(*)::int AS n FROM schema_migrations j JOIN pgmigrations p ON p.name = j.version || '_' || j.name AND p.run_on::timestamptz = j.applied_at`,
      );
      expect(sameTime).toEqual([{ n: setup.count }]);
    }

    const up = await cli(['up']);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('Nothing to migrate: the database is up to date');

    const status = await cli(['status', '--json']);
    const rows = JSON.parse(status.stdout) as { state: string; adoptedFrom?: string; file: string }[];
    expect(rows).toHaveLength(setup.count);
    for (const row of rows) expect(row, row.file).toMatchObject({ state: 'applied', adoptedFrom: name });
    expect((await cli(['status'])).stdout).toContain(`applied (adopted from ${name})`);
    expect((await cli(['validate'])).code).toBe(0);

    // Every DOWN undoes its UP (the empty one included: it only moved data).
    const verified = await cli(['verify']);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);

    const down = await cli(['down', '--to', '0']);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`Rolled back ${setup.count} migrations`);
    for (const table of GAME_TABLES) expect(await tables()).not.toContain(table);
    expect(await db.query('SELECT version FROM schema_migrations')).toEqual([]);
  });

  it("adopting again does nothing, even after migrations were rolled back since (the tool's journal is history)", async () => {
    await setup.migrate(db.url);
    expect((await cli(['import', '--from', name, fixture(name)])).code).toBe(0);
    expect((await cli(['adopt', '--from', name])).code).toBe(0);
    expect((await cli(['down', '2'])).code).toBe(0);

    const again = await cli(['adopt', '--from', name]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`^Already adopted from ${name} \\(${setup.count} migrations, .*\\): nothing to do\\n$`));
    const pending = JSON.parse((await cli(['status', '--json'])).stdout).filter((row: { state: string }) => row.state === 'pending');
    expect(pending).toHaveLength(2);
    expect((await cli(['up'])).code).toBe(0);
    // Applied by aeturnis-db now: no longer shown as adopted.
    const reapplied = JSON.parse((await cli(['status', '--json'])).stdout).slice(-2);
    for (const row of reapplied) expect(row).not.toHaveProperty('adoptedFrom');
  });
});

describe('dbmate and aeturnis-db sharing the name schema_migrations', () => {
  it("every other command's refusal names adopt as the way out; adopt --dry-run changes nothing", async () => {
    await TOOLS.dbmate.migrate(db.url);
    expect((await cli(['import', '--from', 'dbmate', fixture('dbmate')])).code).toBe(0);
    const refused = await cli(['up']);
    expect(refused.code).toBe(2);
    expect(oneError(refused)).toMatch(
      /Pass --table NAME to keep aeturnis-db's journal in another table, or adopt it: aeturnis-db adopt --from dbmate$/,
    );

    const dry = await cli(['adopt', '--from', 'dbmate', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Would keep dbmate's journal public.schema_migrations as public.schema_migrations_dbmate");
    expect(dry.stdout).toContain('Would adopt 20240105093000_create_players.sql [dbmate 20240105093000]');
    expect(dry.stdout).toContain('nothing was recorded');
    expect(await tables()).not.toContain('schema_migrations_dbmate');
    expect((await db.query('SELECT count(*)::int AS n FROM schema_migrations'))[0]).toEqual({ n: 12 });
    expect((await cli(['up'])).code).toBe(2);
  });

  it('adopt --json prints the adopted rows as an array on stdout', async () => {
    await TOOLS.dbmate.migrate(db.url);
    expect((await cli(['import', '--from', 'dbmate', fixture('dbmate')])).code).toBe(0);
    const result = await cli(['adopt', '--from', 'dbmate', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(12);
    expect(rows[0]).toMatchObject({
      version: 20240105093000,
      name: 'create_players',
      file: '20240105093000_create_players.sql',
      sourceVersion: '20240105093000',
      recorded: true,
    });
    // dbmate keeps no time: the adopt's own.
    expect(rows[0]?.appliedAt).toBeNull();
  });
});
