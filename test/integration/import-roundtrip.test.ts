/**
 * `import` of each tool's fixture project, then `up` and `down --to 0` on a fresh database,
 * through the built CLI: the converted files are real aeturnis-db migrations that build the
 * schema (dollar-quoted functions intact, CONCURRENTLY outside a transaction) and take it all
 * down again (empty source downs included).
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestProject } from '../support/test-project.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));

const { db, project, cli } = useTestProject();
const publicObjects = async () =>
  (
    await db.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'i') AND c.relname NOT LIKE 'schema_migrations%'
       UNION ALL SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public' AND t.typtype = 'e'
       UNION ALL SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
       ORDER BY 1`,
    )
  ).map((row) => row.name);
const journalCount = async () => Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM schema_migrations'))[0]?.n);

const GAME_SCHEMA = [
  'guild_leaderboard',
  'guild_members',
  'guilds',
  'inventory',
  'item_rarity',
  'items',
  'players',
  'set_updated_at',
  'transfer_item',
];

describe.each([
  { tool: 'dbmate', count: 12 },
  { tool: 'goose', count: 12 },
  { tool: 'golang-migrate', count: 12 },
  { tool: 'flyway', count: 12 },
  { tool: 'node-pg-migrate', count: 11 },
])('the $tool fixture', ({ tool, count }) => {
  it('imports, applies with up, and rolls back entirely with down --to 0', async () => {
    const imported = await cli(['import', '--from', tool, fixture(tool)]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(readdirSync(project.migrationsDir)).toHaveLength(count);

    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await journalCount()).toBe(count);
    const built = await publicObjects();
    for (const name of GAME_SCHEMA) expect(built).toContain(name);
    expect(built).toContain('inventory_item_id_idx');
    const invalid = await db.query(`SELECT 1 FROM pg_index WHERE NOT indisvalid`);
    expect(invalid).toEqual([]);
    // The dollar-quoted plpgsql body, semicolons inside its string included, came through intact.
    await expect(db.query('SELECT transfer_item(1, 2, 1, 5)')).rejects.toThrow('player 1 holds 0 of item 1; cannot give 5');

    const down = await cli(['down', '--to', '0']);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(down.stdout).toContain(`Rolled back ${count} migrations`);
    expect(await journalCount()).toBe(0);
    expect(await publicObjects()).toEqual([]);
  });
});

describe('the flyway fixture with dotted versions', () => {
  it('imports with --renumber, applies, and rolls back entirely', async () => {
    const imported = await cli(['import', '--from', 'flyway', '--renumber', fixture('flyway-dotted')]);
    expect(imported.code).toBe(0);
    expect(readdirSync(project.migrationsDir).sort()).toEqual([
      '0001_create_quests.sql',
      '0002_add_quest_chain.sql',
      '0003_seed_quests.sql',
      '0004_quest_log.sql',
      '0005_index_quest_log_by_player.sql',
      '0006_quest_titles_case_insensitive.sql',
    ]);
    expect((await cli(['up'])).code).toBe(0);
    await expect(db.query(`INSERT INTO quest_log (quest_id, player_name) VALUES (2, 'Mira')`)).rejects.toThrow(
      'quest 2 follows quest 1, which Mira has not finished',
    );
    expect(await publicObjects()).toContain('quest_log_player_idx');
    const down = await cli(['down', '--to', '0']);
    expect(down.code).toBe(0);
    expect(await publicObjects()).toEqual([]);
  });
});
