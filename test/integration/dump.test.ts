/**
 * `dump`: the live schema as SQL from the catalogs — the same bytes every time, loadable into an
 * empty database (which dumps back the same), `--check` as a CI gate, `up --dump FILE`.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { useTestProject } from '../support/test-project.js';

const { db, project, cli, cliWithUrl, createRole } = useTestProject();
const shipped = ['--dir', join(repoRoot, 'migrations')];

/** Sends the whole file as one simple query, as `psql -f` would run it statement by statement. */
async function load(target: TestDatabase, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The dump of `url` (exit 0 asserted). */
async function dumpOf(url: string, args: string[] = []): Promise<string> {
  const result = await cliWithUrl(url, ['dump', ...args]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout;
}

/** Without its comment lines: the journal listing and the managed-partitions note are not in a loaded copy. */
const statements = (sql: string): string => sql.replace(/^--.*\n/gm, '');

/** Runs `work` with an empty database of its own, dropped afterwards. */
async function withEmptyDatabase<T>(work: (target: TestDatabase) => Promise<T>): Promise<T> {
  const target = await createTestDatabase();
  try {
    return await work(target);
  } finally {
    await target.drop();
  }
}

describe('dump of the shipped migrations', () => {
  it('is the same bytes twice, leaves out the managed months and the journal, and loads', async () => {
    expect((await cli(['up', ...shipped])).code).toBe(0);
    const first = await dumpOf(db.url);
    expect(await dumpOf(db.url)).toBe(first);
    expect(first).toContain('CREATE TABLE public.audit_log_default PARTITION OF public.audit_log DEFAULT;');
    expect(first).toMatch(/^-- Partitions of public\.audit_log are managed by aeturnis-db partition upkeep \(monthly, ahead 3\)/m);
    expect(first).not.toMatch(/audit_log_\d{4}_\d{2}/);
    expect(first).not.toContain('schema_migrations_');
    expect(first).not.toMatch(/CREATE TABLE public\.schema_migrations/);
    expect(first).toMatch(/-- Applied migrations \(journal public\.schema_migrations\):\n-- {3}0001_extensions_and_helpers\n/);
    expect(first).toContain('--   0006_audit_trail\n');
    expect(first).not.toMatch(/OWNER|postgres/);
    // Loaded into an empty database, it builds a schema that dumps to a fixed point.
    const loaded = await withEmptyDatabase(async (copy) => {
      await load(copy, first);
      return dumpOf(copy.url);
    });
    expect(loaded).toContain('CREATE TRIGGER audit_trail AFTER INSERT OR DELETE OR UPDATE ON public.users');
    await withEmptyDatabase(async (again) => {
      await load(again, loaded);
      expect(await dumpOf(again.url)).toBe(loaded);
    });
  });

  it('--check passes on an unchanged schema and fails (exit 3) naming a hand-made index', async () => {
    expect((await cli(['up', ...shipped])).code).toBe(0);
    const written = await cli(['dump', '--out', 'schema.sql']);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('Wrote schema.sql');
    const check = await cli(['dump', '--out', 'schema.sql', '--check']);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('schema.sql is up to date');
    await db.query('CREATE INDEX users_by_hand_idx ON users (last_login)');
    const drifted = await cli(['dump', '--check', 'schema.sql']);
    expect(drifted.code).toBe(3);
    expect(drifted.stderr).toContain('schema.sql differs from the live schema');
    expect(drifted.stderr).toContain('+CREATE INDEX users_by_hand_idx ON public.users USING btree (last_login);');
    expect(drifted.stderr).toContain('aeturnis-db dump --out schema.sql');
  });
});

describe('dump of every kind of object', () => {
  it('writes each one, loads into an empty database and dumps back the same statements', async () => {
    const role = await createRole('NOLOGIN');
    project.write('0001_everything.sql', everything(role.name));
    expect((await cli(['up'])).code).toBe(0);
    const dumped = await dumpOf(db.url);
    for (const expected of [
      'CREATE SCHEMA IF NOT EXISTS app;',
      "CREATE TYPE app.mood AS ENUM (\n    'happy',\n    'sad',\n    'it''s'\n);",
      'CREATE DOMAIN app.positive AS integer\n    CONSTRAINT positive_check CHECK ((VALUE > 0));',
      'CREATE TYPE app.pair AS (\n    a integer,\n    b text\n);',
      'CREATE SEQUENCE app.ticket_seq AS integer START WITH 100 INCREMENT BY 5;',
      '    id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10) NOT NULL,',
      '    name_upper text GENERATED ALWAYS AS (upper(name)) STORED,',
      "    mood app.mood DEFAULT 'happy'::app.mood NOT NULL,",
      "ADD CONSTRAINT players_name_check CHECK ((name <> ''::text));",
      'ADD CONSTRAINT games_player_id_fkey FOREIGN KEY (player_id) REFERENCES app.players(id) ON DELETE CASCADE;',
      'CREATE INDEX games_unfinished_idx ON app.games USING btree (player_id) WHERE (NOT finished);',
      'CREATE TRIGGER players_touch BEFORE UPDATE ON app.players FOR EACH ROW EXECUTE FUNCTION app.touch();',
      'ALTER TABLE app.players ENABLE ROW LEVEL SECURITY;',
      `CREATE POLICY players_own ON app.players\n    AS PERMISSIVE\n    FOR SELECT\n    TO ${role.name}\n    USING ((name = CURRENT_USER));`,
      "COMMENT ON TABLE app.players IS 'Players; it''s a test';",
      `GRANT SELECT ON TABLE app.players TO ${role.name};\nGRANT UPDATE (name) ON TABLE app.players TO ${role.name};`,
      'ALTER SEQUENCE app.games_id_seq OWNED BY app.games.id;',
    ]) {
      expect(dumped).toContain(expected);
    }
    // a view on a view comes after the view it reads, though its name sorts first
    expect(dumped.indexOf('CREATE VIEW app.happy_players')).toBeLessThan(dumped.indexOf('CREATE VIEW app.a_happy_names'));
    expect(dumped.indexOf('CREATE VIEW app.a_happy_names')).toBeGreaterThan(0);
    await withEmptyDatabase(async (copy) => {
      await load(copy, dumped);
      expect(statements(await dumpOf(copy.url))).toBe(statements(dumped));
    });
    // The reader's search_path does not show in the dump.
    await db.query(`ALTER DATABASE ${db.name} SET search_path = app, public`);
    expect(await dumpOf(db.url)).toBe(dumped);
  });
});

describe('up --dump FILE', () => {
  it('writes the dump after applying, and again when nothing is pending', async () => {
    const result = await cli(['up', ...shipped, '--dump', 'schema.sql']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Wrote schema.sql');
    const file = join(project.dir, 'schema.sql');
    expect(readFileSync(file, 'utf8')).toBe(await dumpOf(db.url));
    writeFileSync(file, 'stale\n');
    expect((await cli(['up', ...shipped, '--dump', 'schema.sql'])).code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(await dumpOf(db.url));
  });

  it('refuses --dry-run and a missing directory (exit 2), applying nothing', async () => {
    const dry = await cli(['up', ...shipped, '--dry-run', '--dump', 'schema.sql']);
    expect(dry.code).toBe(2);
    expect(dry.stderr).toContain('--dump cannot be used with --dry-run');
    const missing = await cli(['up', ...shipped, '--dump', 'nowhere/schema.sql']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('directory nowhere does not exist');
    expect(existsSync(join(project.dir, 'schema.sql'))).toBe(false);
    expect(await db.query("SELECT 1 FROM pg_class WHERE relname = 'users'")).toEqual([]);
  });
});

/** One migration with an object of every kind `dump` writes. */
function everything(role: string): string {
  return `-- UP
CREATE SCHEMA app;
CREATE TYPE app.mood AS ENUM ('happy', 'sad', 'it''s');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE TYPE app.pair AS (a integer, b text);
CREATE TYPE app.floatrange AS RANGE (subtype = float8);
CREATE SEQUENCE app.ticket_seq AS integer START 100 INCREMENT 5;
CREATE TABLE app.players (
  id bigint GENERATED ALWAYS AS IDENTITY (START WITH 10) PRIMARY KEY,
  name text NOT NULL,
  score app.positive,
  mood app.mood NOT NULL DEFAULT 'happy',
  name_upper text GENERATED ALWAYS AS (upper(name)) STORED,
  ticket integer DEFAULT nextval('app.ticket_seq'),
  CONSTRAINT players_name_check CHECK (name <> '')
);
CREATE TABLE app.games (
  id serial PRIMARY KEY,
  player_id bigint NOT NULL REFERENCES app.players (id) ON DELETE CASCADE,
  finished boolean NOT NULL DEFAULT false
);
CREATE INDEX games_unfinished_idx ON app.games (player_id) WHERE NOT finished;
CREATE VIEW app.happy_players AS SELECT id, name FROM app.players WHERE mood = 'happy';
CREATE VIEW app.a_happy_names AS SELECT name FROM app.happy_players;
CREATE MATERIALIZED VIEW app.player_count AS SELECT count(*) AS n FROM app.players;
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER players_touch BEFORE UPDATE ON app.players FOR EACH ROW EXECUTE FUNCTION app.touch();
ALTER TABLE app.players ENABLE ROW LEVEL SECURITY;
CREATE POLICY players_own ON app.players FOR SELECT TO ${role} USING (name = current_user);
COMMENT ON TABLE app.players IS 'Players; it''s a test';
GRANT USAGE ON SCHEMA app TO ${role};
GRANT SELECT, UPDATE (name) ON app.players TO ${role};
-- DOWN
DROP SCHEMA app CASCADE;
`;
}
