/**
 * `aeturnis-db reset --force`: drops what the migrations built (the journal's schema, the first
 * schema of search_path, the schemas the migrations create) and applies every migration again;
 * other schemas, and everything in them, survive; public comes back exactly as it was.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reset, type ResetTarget } from '../../src/index.js';
import { adminQuery } from '../support/db.js';
import { oneError, useTestProject } from '../support/test-project.js';

const { db, project, cli, cliWithUrl, createRole, versions, tables } = useTestProject();

const migration = (up: string, down = 'SELECT 1;') => `-- UP\n${up}\n-- DOWN\n${down}\n`;
const count = async (table: string) => Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${table}`))[0]?.n);
const appliedAt = async () => (await db.query<{ at: Date }>('SELECT max(applied_at) AS at FROM schema_migrations'))[0]?.at as Date;

/** Owner, ACL, comment and default privileges of a schema, as the catalogs say. */
async function schemaState(name: string) {
  const rows = await db.query(
    `SELECT pg_get_userbyid(n.nspowner) AS owner, n.nspacl::text AS acl, obj_description(n.oid, 'pg_namespace') AS comment,
            (SELECT array_agg(pg_get_userbyid(d.defaclrole) || ':' || d.defaclobjtype::text || ':' || d.defaclacl::text ORDER BY 1)
               FROM pg_default_acl d WHERE d.defaclnamespace = n.oid) AS defaults
       FROM pg_namespace n WHERE n.nspname = $1`,
    [name],
  );
  return rows[0];
}

function writeGameMigrations(): void {
  project.write('0001_items.sql', migration("CREATE TABLE items (id int PRIMARY KEY, label text DEFAULT 'x');", 'DROP TABLE items;'));
  project.write(
    '0002_game.sql',
    migration('CREATE SCHEMA game;\nCREATE TABLE game.scores (player text, score int);', 'DROP SCHEMA game CASCADE;'),
  );
}

describe('reset --force', () => {
  it('drops the data, the tables and the journal, and builds them again from the migrations; an untouched schema survives with its data', async () => {
    writeGameMigrations();
    expect((await cli(['up'])).code).toBe(0);
    const firstApplied = await appliedAt();
    await db.query("INSERT INTO items VALUES (1, 'sword'), (2, 'shield'); INSERT INTO game.scores VALUES ('ann', 10)");
    await db.query('CREATE TABLE stray (id int); INSERT INTO stray VALUES (1)'); // made by hand in public: public is the migrations'
    await db.query(
      "CREATE SCHEMA keep; CREATE TABLE keep.notes (body text); INSERT INTO keep.notes VALUES ('kept'); CREATE VIEW keep.note_count AS SELECT count(*) FROM keep.notes",
    );

    const result = await cli(['reset', '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Dropped schemas public, game of database ${db.name} with everything in them, and created public again`,
    );
    expect(result.stdout).toMatch(/Applied 0001_items\.sql[\s\S]*Applied 0002_game\.sql/);
    expect(result.stdout).toMatch(new RegExp(`Reset database ${db.name}: applied 2 migrations in `));

    expect(await tables()).toEqual(['items', 'schema_migrations']);
    expect(await count('items')).toBe(0);
    expect(await count('game.scores')).toBe(0);
    expect(await versions()).toEqual([1, 2]);
    expect((await appliedAt()).getTime()).toBeGreaterThan(firstApplied.getTime());
    expect(await db.query('SELECT body FROM keep.notes')).toEqual([{ body: 'kept' }]);
    expect(await db.query('SELECT * FROM keep.note_count')).toEqual([{ count: '1' }]);
  });

  it('refuses (exit 3, nothing changed) when dropping would take along an object of a schema it leaves alone', async () => {
    writeGameMigrations();
    expect((await cli(['up'])).code).toBe(0);
    await db.query(
      "INSERT INTO items VALUES (1, 'sword'); CREATE SCHEMA report; CREATE VIEW report.item_count AS SELECT count(*) FROM public.items",
    );

    const result = await cli(['reset', '--force']);
    expect(result.code).toBe(3);
    expect(oneError(result)).toBe(
      'error: refusing to reset: dropping schemas public, game would also drop an object reset must keep (view report.item_count); nothing was changed — drop it first, or create it in a migration',
    );
    expect(await db.query('SELECT * FROM report.item_count')).toEqual([{ count: '1' }]);
    expect(await versions()).toEqual([1, 2]);
  });

  it("restores PostgreSQL 15's public exactly (owner pg_database_owner, USAGE to PUBLIC, no CREATE) when run by the database owner, not a superuser", async () => {
    const owner = await createRole('LOGIN');
    await adminQuery(`ALTER DATABASE ${db.name} OWNER TO ${owner.name}`);
    project.write('0001_items.sql', migration('CREATE EXTENSION citext;\nCREATE TABLE items (id int, name citext);'));
    const before = await schemaState('public');
    expect(before).toEqual({
      owner: 'pg_database_owner',
      acl: '{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}',
      comment: 'standard public schema',
      defaults: null,
    });
    expect((await cliWithUrl(owner.url(db), ['up'])).code).toBe(0);

    const result = await cliWithUrl(owner.url(db), ['reset', '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await schemaState('public')).toEqual(before);
    expect(await tables()).toEqual(['items', 'schema_migrations']);
    // The extension went with the schema it lived in, and its migration created it again.
    expect(
      await db.query("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'citext'"),
    ).toEqual([{ nspname: 'public' }]);
  });

  it('restores a changed public exactly: another owner, extra grants, a comment, default privileges', async () => {
    const app = await createRole('NOLOGIN');
    const reader = await createRole('NOLOGIN');
    await db.query(
      `ALTER SCHEMA public OWNER TO ${app.name}; GRANT CREATE ON SCHEMA public TO ${reader.name} WITH GRANT OPTION; REVOKE USAGE ON SCHEMA public FROM PUBLIC;
       COMMENT ON SCHEMA public IS 'the game''s schema'; ALTER DEFAULT PRIVILEGES FOR ROLE ${app.name} IN SCHEMA public GRANT SELECT ON TABLES TO ${reader.name}`,
    );
    project.write('0001_items.sql', migration('CREATE TABLE items (id int);'));
    expect((await cli(['up'])).code).toBe(0);
    const before = await schemaState('public');
    expect(before?.owner).toBe(app.name);

    const result = await cli(['reset', '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await schemaState('public')).toEqual(before);
  });

  it('--seed runs the seeds after the migrations; without it they do not run', async () => {
    project.write('0001_items.sql', migration('CREATE TABLE items (id int PRIMARY KEY, label text);'));
    mkdirSync(join(project.dir, 'seeds'));
    writeFileSync(join(project.dir, 'seeds', '0001_items.sql'), "INSERT INTO items VALUES (1, 'starter sword');\n");
    expect((await cli(['up'])).code).toBe(0);
    await db.query("INSERT INTO items VALUES (7, 'made by hand')");

    const seeded = await cli(['reset', '--force', '--seed']);
    expect(seeded.stderr).toBe('');
    expect(seeded.code).toBe(0);
    expect(seeded.stdout).toContain('Seeded 0001_items.sql');
    expect(seeded.stdout).toContain('applied 1 migration, ran 1 seed in');
    expect(await db.query('SELECT id, label FROM items')).toEqual([{ id: 1, label: 'starter sword' }]);

    expect((await cli(['reset', '--force'])).code).toBe(0);
    expect(await count('items')).toBe(0);
  });
});

describe('reset() (API)', () => {
  it('asks confirm with what it will drop; a no changes nothing, a yes resets', async () => {
    project.write('0001_items.sql', migration('CREATE TABLE items (id int);'));
    expect((await cli(['up'])).code).toBe(0);
    await db.query('INSERT INTO items VALUES (1)');
    const asked: ResetTarget[] = [];
    const options = { databaseUrl: db.url, dir: project.migrationsDir, env: {}, partitions: false as const };

    const declined = await reset({
      ...options,
      confirm: (target) => {
        asked.push(target);
        return false;
      },
    });
    expect(declined).toMatchObject({ done: false, database: db.name, dropped: ['public'], applied: [] });
    expect(asked).toEqual([
      { database: db.name, schemas: ['public'], kept: [], journal: 'public.schema_migrations', migrations: 1, seeds: 0 },
    ]);
    expect(await count('items')).toBe(1);

    const done = await reset({ ...options, confirm: () => true });
    expect(done).toMatchObject({ done: true, dropped: ['public'], recreated: ['public'], seeded: [] });
    expect(done.applied.map((m) => m.fileName)).toEqual(['0001_items.sql']);
    expect(await count('items')).toBe(0);
  });
});

describe('reset keeps what is not the migrations', () => {
  it('refuses (exit 3, nothing dropped) when an operator, extended statistics, a cast, an event trigger or a publication outside the reset schemas depends on the migrations', async () => {
    project.write(
      '0001_items.sql',
      migration(
        `CREATE TYPE mood AS ENUM ('ok');
CREATE TABLE items (id int, qty int, feeling mood);
CREATE FUNCTION add_qty(int, int) RETURNS int LANGUAGE sql AS 'SELECT $1 + $2';
CREATE FUNCTION mood_text(mood) RETURNS text LANGUAGE sql AS 'SELECT $1::text';
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';`,
      ),
    );
    expect((await cli(['up'])).code).toBe(0);
    await db.query("INSERT INTO items VALUES (1, 2, 'ok')");
    await db.query(`CREATE SCHEMA ops;
      CREATE OPERATOR ops.### (LEFTARG = int, RIGHTARG = int, FUNCTION = public.add_qty);
      CREATE STATISTICS ops.item_stats ON id, qty FROM public.items;
      CREATE CAST (public.mood AS text) WITH FUNCTION public.mood_text(public.mood);
      CREATE EVENT TRIGGER reset_test_ddl ON ddl_command_end EXECUTE FUNCTION public.on_ddl();
      SET client_min_messages = error; CREATE PUBLICATION reset_test_pub FOR TABLE public.items;`);
    try {
      const result = await cli(['reset', '--force']);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/^error: refusing to reset: dropping schema public would also drop 5 objects reset must keep \(/);
      for (const kept of [
        'operator ops.###(integer,integer)',
        'statistics object ops.item_stats',
        'cast from mood to text',
        'event trigger reset_test_ddl',
        'publication of table items in publication reset_test_pub',
      ])
        expect(result.stderr).toContain(kept);
      expect(await count('items')).toBe(1);
      expect(await db.query("SELECT count(*)::int AS n FROM pg_operator WHERE oprname = '###'")).toEqual([{ n: 1 }]);
      expect(await db.query('SELECT count(*)::int AS n FROM pg_publication_rel')).toEqual([{ n: 1 }]);
    } finally {
      // Event triggers and publications belong to the database; the test database is dropped anyway.
      await db.query('DROP EVENT TRIGGER IF EXISTS reset_test_ddl');
    }
  });

  it('keeps a schema that held an extension before the first migration, though a migration names it with CREATE SCHEMA IF NOT EXISTS', async () => {
    await db.query('CREATE SCHEMA extensions; CREATE EXTENSION citext SCHEMA extensions');
    const schemaOid = async () =>
      (await db.query<{ oid: number }>("SELECT oid::int FROM pg_namespace WHERE nspname = 'extensions'"))[0]?.oid;
    const before = await schemaOid();
    project.write(
      '0001_items.sql',
      migration(
        'CREATE SCHEMA IF NOT EXISTS extensions;\nCREATE TABLE extensions.made_here (id int);\nCREATE TABLE items (name extensions.citext);',
      ),
    );
    expect((await cli(['up'])).code).toBe(0);
    await db.query("INSERT INTO items VALUES ('Sword'); INSERT INTO extensions.made_here VALUES (1)");

    const result = await cli(['reset', '--force']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await schemaOid()).toBe(before);
    expect(
      await db.query("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'citext'"),
    ).toEqual([{ nspname: 'extensions' }]);
    expect(await tables('extensions')).toEqual(['made_here']);
    expect(await count('extensions.made_here')).toBe(0);
    expect(await count('items')).toBe(0);
    expect(await versions()).toEqual([1]);

    // And again: the record of what was there before survives the reset.
    expect((await cli(['reset', '--force'])).code).toBe(0);
    expect(await schemaOid()).toBe(before);
  });
});
