/**
 * Code migrations on the way in: node-pg-migrate's JS/TS migrations built into SQL by the
 * project's own node-pg-migrate (the real tool builds the reference schema), `--placeholders`
 * for what cannot be built (goose Go files; node-pg-migrate modules where the package is not
 * installed), placeholders refused by `up` (exit 3) and recorded by `adopt`, and a refused
 * import that lists every file on a line of its own, `--json` included.
 */
import { execFile } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { lines } from '../support/runner-safety.js';
import { useTestProject } from '../support/test-project.js';

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const { db, project, cli, tables, versions } = useTestProject();

/** Columns, indexes, views and functions of the public schema: what a migration history built. */
async function schemaShape(): Promise<unknown> {
  return db.query(`
    SELECT 'column' AS kind, table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS what
      FROM information_schema.columns WHERE table_schema = 'public' AND table_name NOT LIKE 'schema_migrations%' AND table_name <> 'pgmigrations'
    UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE 'schema_migrations%' AND tablename <> 'pgmigrations'
    UNION ALL SELECT 'view', viewname || ': ' || definition FROM pg_views WHERE schemaname = 'public'
    UNION ALL SELECT 'function', p.proname || ': ' || pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
    ORDER BY 1, 2`);
}

/** The goose fixture plus a Go migration, as hatchet keeps them side by side. */
function gooseWithGo(): string {
  const dir = join(project.dir, 'goose');
  cpSync(fixture('goose'), dir, { recursive: true });
  writeFileSync(join(dir, '00013_backfill_names.go'), readFileSync(fixture('goose-go/00013_backfill_names.go')));
  return dir;
}

describe('node-pg-migrate JS/TS migrations, with node-pg-migrate installed in the project', () => {
  it('are built into the SQL node-pg-migrate runs: the imported history builds the schema the real tool built, and adopt takes it over', async () => {
    const source = fixture('node-pg-migrate-code');
    await run(`${repoRoot}/node_modules/.bin/node-pg-migrate`, ['up', '-m', source], {
      env: { PATH: process.env.PATH, DATABASE_URL: db.url },
      cwd: project.dir,
    });
    const built = await schemaShape();

    const imported = await cli(['import', '--from', 'node-pg-migrate', source]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      `Wrote ${join('migrations', '1700000000000_create-players.sql')} <- 1700000000000_create-players.ts [SQL built by node-pg-migrate 9.0.0 from its code]`,
    );
    expect(readdirSync(project.migrationsDir)).toEqual([
      '1700000000000_create-players.sql',
      '1700000000100_create-guilds.sql',
      '1700000000200_player-names-lower.sql',
      '1700000000300_guild-summary.sql',
    ]);
    // The down node-pg-migrate infers from an up without one (reverse mode), in its order.
    expect(readFileSync(join(project.migrationsDir, '1700000000100_create-guilds.sql'), 'utf8')).toContain(
      '-- DOWN\nALTER TABLE "players"\n  DROP "guild_id";\nDROP TABLE "guilds";\n',
    );

    const adopted = await cli(['adopt', '--from', 'node-pg-migrate']);
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain('Adopted 4 migrations from node-pg-migrate into public.schema_migrations; 0 migrations pending');
    const verified = await cli(['verify']);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);

    // From nothing, aeturnis-db alone builds what node-pg-migrate built.
    expect((await cli(['down', '--to', '0'])).code).toBe(0);
    expect(await tables()).not.toContain('players');
    expect((await cli(['up'])).code).toBe(0);
    expect(await schemaShape()).toEqual(built);
  });
});

describe('a refused import lists every file, one per line', () => {
  it('node-pg-migrate modules with no node-pg-migrate in their project: each named on its own line, and in --json on stdout', async () => {
    const source = join(project.dir, 'npm-migrations'); // under the temp dir: no node_modules above it
    cpSync(fixture('node-pg-migrate-code'), source, { recursive: true });

    const refused = await cli(['import', '--from', 'node-pg-migrate', source]);
    expect(refused.code).toBe(2);
    const errors = lines(refused.stderr);
    expect(errors[0]).toBe('error: 3 files cannot be imported, so nothing was written:');
    expect(errors.slice(1)).toEqual(
      ['1700000000000_create-players.ts', '1700000000100_create-guilds.js', '1700000000300_guild-summary.ts'].map(
        (file) =>
          `  ${join(source, file)}: a node-pg-migrate JavaScript/TypeScript migration, and node-pg-migrate is not installed in its project to build its SQL: rewrite it in SQL, or import with --placeholders`,
      ),
    );
    expect(readdirSync(project.migrationsDir)).toEqual([]);

    const json = await cli(['import', '--from', 'node-pg-migrate', source, '--json']);
    expect(json.code).toBe(2);
    const listed = JSON.parse(json.stdout) as { file: string; problem: string; written: boolean }[];
    expect(listed.map((entry) => entry.file)).toEqual([
      join(source, '1700000000000_create-players.ts'),
      join(source, '1700000000100_create-guilds.js'),
      join(source, '1700000000300_guild-summary.ts'),
    ]);
    expect(listed[0]).toMatchObject({ problem: expect.stringContaining('not installed in its project'), written: false });

    const placeholders = await cli(['import', '--from', 'node-pg-migrate', source, '--placeholders']);
    expect(placeholders.code).toBe(0);
    expect(placeholders.stdout).toContain('4 migrations from node-pg-migrate imported into migrations (3 placeholders)');
  });
});

describe('goose Go migrations with --placeholders', () => {
  it('without it, the Go file is named with the way out; with it, up refuses the placeholder (exit 3) before applying anything', async () => {
    const source = gooseWithGo();
    const refused = await cli(['import', '--from', 'goose', source]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `${join(source, '00013_backfill_names.go')}: a goose Go migration, which has no SQL to convert: rewrite it in SQL, or import with --placeholders; nothing was written`,
    );

    const imported = await cli(['import', '--from', 'goose', source, '--placeholders']);
    expect(imported.code).toBe(0);
    expect(imported.stderr).toContain('warning: 1 placeholder for code migrations');
    // The placeholders are listed one file a line (hatchet has 9 of them).
    expect(imported.stderr.split('\n')).toContain('warning:   migrations/00013_backfill_names.sql');
    const placeholder = readFileSync(join(project.migrationsDir, '00013_backfill_names.sql'), 'utf8');
    expect(placeholder.split('\n').slice(0, 2)).toEqual([
      '-- Imported from goose: 00013_backfill_names.go',
      '-- aeturnis:placeholder goose 00013_backfill_names.go',
    ]);

    const up = await cli(['up']);
    expect(up.code).toBe(3);
    expect(up.stderr).toContain(
      "refusing to run up: 00013_backfill_names.sql is a placeholder for goose's 00013_backfill_names.go, never applied here: rewrite it in SQL (keep its file name); nothing was applied",
    );
    expect(await versions()).toEqual([]);
    expect(await tables()).not.toContain('players');
    // Up to the migration before it, everything applies.
    expect((await cli(['up', '--to', '12'])).code).toBe(0);
    expect(await versions()).toHaveLength(12);
  });

  it("adopt records the placeholder where goose's journal lists it; up then has nothing to do", async () => {
    const source = gooseWithGo();
    expect((await cli(['import', '--from', 'goose', source, '--placeholders'])).code).toBe(0);
    await db.query(`CREATE TABLE goose_db_version (
      id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now())`);
    await db.query('INSERT INTO goose_db_version (version_id, is_applied) SELECT v, true FROM generate_series(0, 13) v');

    const adopted = await cli(['adopt', '--from', 'goose']);
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toMatch(/Adopted 00013_backfill_names\.sql \[goose 13, applied /);
    const up = await cli(['up']);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('Nothing to migrate: the database is up to date');
  });

  it("adopt warns of a placeholder goose's journal does not list: up refuses it", async () => {
    const source = gooseWithGo();
    expect((await cli(['import', '--from', 'goose', source, '--placeholders'])).code).toBe(0);
    await db.query(`CREATE TABLE goose_db_version (
      id integer PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, version_id bigint NOT NULL, is_applied boolean NOT NULL, tstamp timestamp NOT NULL DEFAULT now())`);
    await db.query('INSERT INTO goose_db_version (version_id, is_applied) SELECT v, true FROM generate_series(0, 12) v');

    const adopted = await cli(['adopt', '--from', 'goose']);
    expect(adopted.code).toBe(0);
    expect(adopted.stderr).toContain(
      "warning: 00013_backfill_names.sql is a placeholder for 00013_backfill_names.go, which goose's journal does not list: up refuses it until it is rewritten in SQL",
    );
    expect((await cli(['up'])).code).toBe(3);
  });
});

describe('adopt --from dbmate where dbmate ran with ?search_path=dbmate,public', () => {
  const dbmate = (url: string, schemaPath: string) =>
    run(
      `${repoRoot}/node_modules/.bin/dbmate`,
      ['--url', `${url}?sslmode=disable&search_path=${schemaPath}`, '--migrations-dir', fixture('dbmate'), '--no-dump-schema', 'up'],
      { env: { PATH: process.env.PATH }, cwd: project.dir },
    );

  it("finds dbmate's journal in the dbmate schema, though aeturnis-db's connection has no such search_path", async () => {
    await db.query('CREATE SCHEMA dbmate');
    await dbmate(db.url, 'dbmate,public');
    expect(await tables('dbmate')).toContain('schema_migrations');
    expect((await cli(['import', '--from', 'dbmate', fixture('dbmate')])).code).toBe(0);

    const adopted = await cli(['adopt', '--from', 'dbmate']);
    expect(adopted.stderr).toBe('');
    expect(adopted.code).toBe(0);
    expect(adopted.stdout).toContain('Adopted 12 migrations from dbmate into public.schema_migrations; 0 migrations pending');
    expect(await tables('dbmate')).toContain('schema_migrations'); // kept as it is: no name to make room for
    expect((await cli(['up'])).stdout).toContain('Nothing to migrate: the database is up to date');
  });

  it('names every candidate when several schemas hold a table of that shape (exit 2, nothing recorded)', async () => {
    await db.query('CREATE SCHEMA dbmate; CREATE SCHEMA archive');
    await dbmate(db.url, 'dbmate,public');
    await db.query('CREATE TABLE archive.schema_migrations (version varchar(128) PRIMARY KEY)');
    expect((await cli(['import', '--from', 'dbmate', fixture('dbmate')])).code).toBe(0);

    const refused = await cli(['adopt', '--from', 'dbmate']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      "dbmate's journal is not on search_path, and 2 tables could be it: archive.schema_migrations, dbmate.schema_migrations; pass --source-table SCHEMA.schema_migrations to name the one dbmate used",
    );
    expect(await tables()).not.toContain('schema_migrations');
    // With the stray table gone, the one left is dbmate's.
    await db.query('DROP TABLE archive.schema_migrations');
    expect((await cli(['adopt', '--from', 'dbmate'])).code).toBe(0);
  });
});
