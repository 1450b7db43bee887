import { describe, expect, it } from 'vitest';
import { adminQuery } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

// Every migration starts from the session state the connection started with: a SET (or SET ROLE)
// in one migration reaches neither the next migration nor the journal write, so one `up` and a
// step-by-step `up --to` build the same database.

const { db, project, cli, cliWithUrl, createRole, versions: journalVersions } = useTestProject();

const versions = () => journalVersions('public.schema_migrations');
const whereIs = async (table: string) =>
  (await db.query<{ schema: string }>('SELECT schemaname AS schema FROM pg_tables WHERE tablename = $1 ORDER BY 1', [table])).map(
    (r) => r.schema,
  );

describe('session state', () => {
  it('a migration made from pg_dump output (search_path emptied) applies, and the journal write still finds its table', async () => {
    project.write(
      '0001_from_dump.sql',
      `-- made from pg_dump --schema-only
-- UP
SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.players (id integer NOT NULL, name text NOT NULL);
ALTER TABLE ONLY public.players ADD CONSTRAINT players_pkey PRIMARY KEY (id);
-- DOWN
DROP TABLE public.players;
`,
    );
    project.write('0002_guilds.sql', tableMigration('guilds'));
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await versions()).toEqual([1, 2]);
    // 0002 ran with the connection's own search_path, not the empty one 0001 left.
    expect(await whereIs('guilds')).toEqual(['public']);
  });

  it('one up and a step-by-step up --to build the same database; down works on both', async () => {
    project.write(
      '0001_other.sql',
      '-- UP\nCREATE SCHEMA other;\nSET search_path = other, public;\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE other.a;\nDROP SCHEMA other;\n',
    );
    project.write('0002_b.sql', '-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\n');
    const all = await cli(['up']);
    expect(all.code).toBe(0);
    expect(await whereIs('b')).toEqual(['public']);
    const down = await cli(['down', '--to', '0']);
    expect(down.stderr).toBe('');
    expect(down.code).toBe(0);
    expect(await whereIs('b')).toEqual([]);

    expect((await cli(['up', '--to', '1'])).code).toBe(0);
    expect((await cli(['up'])).code).toBe(0);
    expect(await whereIs('b')).toEqual(['public']);
    expect((await cli(['down', '--to', '0'])).code).toBe(0);
    expect(await versions()).toEqual([]);
  });

  it('SET ROLE in a migration is undone: the next migration and the journal write run as the connecting user', async () => {
    const role = await createRole('NOLOGIN');
    await adminQuery(`GRANT ${role.name} TO postgres`);
    await db.query(`GRANT CREATE ON SCHEMA public TO ${role.name}`);
    project.write(
      '0001_as_role.sql',
      `-- UP\nSET ROLE ${role.name};\nCREATE TABLE owned_by_role (id int);\n-- DOWN\nDROP TABLE owned_by_role;\n`,
    );
    project.write('0002_next.sql', tableMigration('owned_by_me'));
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const owners = await db.query<{ t: string; owner: string }>(
      `SELECT tablename AS t, tableowner AS owner FROM pg_tables WHERE schemaname = 'public' ORDER BY 1`,
    );
    expect(owners).toEqual([
      { t: 'owned_by_me', owner: 'postgres' },
      { t: 'owned_by_role', owner: role.name },
      { t: 'schema_migrations', owner: 'postgres' },
      { t: 'schema_migrations_metadata', owner: 'postgres' },
    ]);
    await db.query('DROP TABLE owned_by_role');
  });

  it('settings from the connection URL are the starting state: a migration that changes search_path does not undo them for the next', async () => {
    await db.query('CREATE SCHEMA app');
    const url = new URL(db.url);
    url.searchParams.set('options', '-c search_path=app');
    project.write('0001_a.sql', '-- UP\nCREATE TABLE a (id int);\nSET search_path = public;\n-- DOWN\nDROP TABLE app.a;\n');
    project.write(
      '0002_b.sql',
      '-- aeturnis:no-transaction\n-- UP\nCREATE TABLE b (id int);\nSET search_path = public;\n-- DOWN\nDROP TABLE app.b;\n',
    );
    project.write('0003_c.sql', '-- UP\nCREATE TABLE c (id int);\n-- DOWN\nDROP TABLE app.c;\n');
    const up = await cliWithUrl(url.toString(), ['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await whereIs('a')).toEqual(['app']);
    expect(await whereIs('b')).toEqual(['app']);
    expect(await whereIs('c')).toEqual(['app']);
    expect(await whereIs('schema_migrations')).toEqual(['app']);
  });
});
