import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempProject, type TempProject } from '../support/project.js';

let db: TestDatabase;
let project: TempProject;

beforeEach(async () => {
  db = await createTestDatabase();
  project = tempProject({ '0001_every_kind.sql': EVERY_KIND });
});
afterEach(async () => {
  await db.drop();
  project.remove();
});

const cli = (args: string[]) => runCli(args, { cwd: project.dir, databaseUrl: db.url });

/** One migration with every kind of column `types` maps, an enum, a domain, arrays, a view, a partitioned table. */
const EVERY_KIND = `-- UP
CREATE EXTENSION IF NOT EXISTS citext;
CREATE SCHEMA app;
CREATE TYPE mood AS ENUM ('happy', 'sad', 'it''s "complicated"');
CREATE TYPE app.level AS ENUM ('low', 'high');
CREATE DOMAIN positive_int AS int4 CHECK (VALUE > 0);
CREATE DOMAIN email AS text NOT NULL;
CREATE DOMAIN mood_domain AS mood;
CREATE TABLE every_kind (
  id            int8 GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  serial_id     serial,
  c_text        text NOT NULL,
  c_varchar     varchar(10),
  c_char        char(3),
  c_citext      citext,
  c_uuid        uuid,
  c_inet        inet,
  c_int2        int2,
  c_int4        int4,
  c_float4      float4,
  c_float8      float8,
  c_oid         oid,
  c_int8        int8,
  c_numeric     numeric(10, 2),
  c_money       money,
  c_bool        boolean NOT NULL DEFAULT true,
  c_timestamptz timestamptz,
  c_timestamp   timestamp,
  c_date        date,
  c_json        json,
  c_jsonb       jsonb,
  c_bytea       bytea,
  c_int_array   int4[],
  c_text_array  text[] NOT NULL DEFAULT '{}',
  c_mood        mood,
  c_mood_array  mood[],
  c_level       app.level,
  c_positive    positive_int,
  c_email       email,
  c_mood_domain mood_domain,
  c_interval    interval,
  c_total       int4 GENERATED ALWAYS AS (c_int4 * 2) STORED,
  "Mixed Case"  text
);
CREATE TABLE app.users (id int PRIMARY KEY, level app.level NOT NULL DEFAULT 'low');
CREATE VIEW happy_rows AS SELECT id, c_text, c_mood FROM every_kind WHERE c_mood = 'happy';
CREATE TABLE events (id int NOT NULL, at timestamptz NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
CREATE TABLE events_default PARTITION OF events DEFAULT;
-- DOWN
DROP TABLE events;
DROP VIEW happy_rows;
DROP TABLE app.users, every_kind;
DROP DOMAIN mood_domain;
DROP DOMAIN email;
DROP DOMAIN positive_int;
DROP SCHEMA app CASCADE;
DROP TYPE mood;
`;

const EVERY_KIND_INTERFACE = `/** table every_kind */
export interface EveryKind {
  id: GeneratedAlways<string>;
  serial_id: Generated<number>;
  c_text: string;
  c_varchar: string | null;
  c_char: string | null;
  c_citext: string | null;
  c_uuid: string | null;
  c_inet: string | null;
  c_int2: number | null;
  c_int4: number | null;
  c_float4: number | null;
  c_float8: number | null;
  c_oid: number | null;
  c_int8: string | null;
  c_numeric: string | null;
  c_money: string | null;
  c_bool: Generated<boolean>;
  c_timestamptz: Date | null;
  c_timestamp: Date | null;
  c_date: Date | null;
  c_json: JsonValue | null;
  c_jsonb: JsonValue | null;
  c_bytea: Buffer | null;
  c_int_array: number[] | null;
  c_text_array: Generated<string[]>;
  c_mood: Mood | null;
  /** mood[]: node-pg returns this array as text ('{a,b}') unless a type parser is registered for it */
  c_mood_array: Mood[] | null;
  c_level: AppLevel | null;
  c_positive: number | null;
  c_email: string;
  c_mood_domain: Mood | null;
  /** interval: no TypeScript mapping, declared unknown */
  c_interval: unknown;
  c_total: GeneratedAlways<number | null>;
  "Mixed Case": string | null;
}`;

/** The property types an interface declares, `Generated<...>` and `| null` taken off. */
function declaredTypes(source: string, name: string): Map<string, string> {
  const start = source.indexOf(`export interface ${name} {`);
  const body = source.slice(start, source.indexOf('\n}', start));
  const types = new Map<string, string>();
  for (const match of body.matchAll(/^ {2}("[^"]+"|\w+): (.+);$/gm)) {
    const type = (match[2] ?? '').replace(/^(GeneratedAlways|Generated)<(.*)>$/, '$2').replace(/ \| null$/, '');
    types.set(JSON.parse(match[1]?.startsWith('"') ? match[1] : `"${match[1]}"`) as string, type);
  }
  return types;
}

/** Whether a value node-pg returned is of the declared TypeScript type. */
function isOfType(value: unknown, type: string, unions: Record<string, string[]>): boolean {
  if (type.endsWith('[]')) return Array.isArray(value) && value.every((item) => isOfType(item, type.slice(0, -2), unions));
  if (type === 'Date') return value instanceof Date;
  if (type === 'Buffer') return Buffer.isBuffer(value);
  if (type === 'JsonValue') return typeof value === 'object' && value !== null;
  if (unions[type]) return typeof value === 'string' && unions[type].includes(value);
  return typeof value === type;
}

describe('types', () => {
  it('maps every kind of column of the migrated database, enums, domains, arrays, views; folds partitions; leaves out the journal', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const result = await cli(['types']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('3 tables, 1 view, 2 enums\n');
    const source = result.stdout;
    expect(source.startsWith('// Generated by `aeturnis-db types` from the migrated schema')).toBe(true);
    expect(source).toContain(`${EVERY_KIND_INTERFACE}\n`);
    expect(source).toContain('export type Mood = "happy" | "sad" | "it\'s \\"complicated\\"";');
    expect(source).toContain('export type AppLevel = "low" | "high";');
    expect(source).toContain(
      'export interface HappyRows {\n  readonly id: string | null;\n  readonly c_text: string | null;\n  readonly c_mood: Mood | null;\n}',
    );
    expect(source).toContain('export interface Events {\n  id: number;\n  at: Date;\n}');
    expect(source).toContain('// bigint, numeric and money columns are typed string');
    expect(source).toMatch(
      /export interface Database \{\n {2}"app\.users": AppUsers;\n {2}events: Events;\n {2}every_kind: EveryKind;\n {2}happy_rows: HappyRows;\n\}\n$/,
    );
    for (const absent of ['events_2026', 'events_default', 'schema_migrations']) expect(source).not.toContain(absent);
  });

  it("leaves out the journal's companions: partial runs and adopted rows", async () => {
    expect((await cli(['up'])).code).toBe(0);
    await db.query('CREATE TABLE schema_migrations_partial (version bigint PRIMARY KEY)');
    await db.query('CREATE TABLE schema_migrations_adopted (version bigint PRIMARY KEY)');
    const result = await cli(['types']);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('schema_migrations');
    expect(result.stdout).not.toContain('SchemaMigrations');
  });

  it('declares the types node-pg really returns for each column', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const { stdout: source } = await cli(['types']);
    await db.query(`INSERT INTO every_kind (c_text, c_varchar, c_char, c_citext, c_uuid, c_inet, c_int2, c_int4, c_float4, c_float8, c_oid,
        c_int8, c_numeric, c_money, c_timestamptz, c_timestamp, c_date, c_json, c_jsonb, c_bytea, c_int_array, c_mood, c_mood_array,
        c_level, c_positive, c_email, c_mood_domain, c_interval, "Mixed Case")
      VALUES ('t', 'v', 'abc', 'CI', gen_random_uuid(), '192.0.2.1', 1, 2, 1.5, 2.5, 3, 9007199254740993, 12.34, 5.5, now(), now(),
        current_date, '{"a": 1}', '[1, 2]', '\\x01', ARRAY[1, 2], 'happy', ARRAY['happy', 'sad']::mood[], 'low', 5, 'a@b.c', 'sad',
        '1 day', 'x')`);
    const [row] = await db.query('SELECT * FROM every_kind');
    const unions = { Mood: ['happy', 'sad', 'it\'s "complicated"'], AppLevel: ['low', 'high'] };
    const declared = declaredTypes(source, 'EveryKind');
    expect(declared.size).toBe(34);
    expect(row?.c_int8).toBe('9007199254740993'); // as a number it would read 9007199254740992
    for (const [column, type] of declared) {
      if (column === 'c_mood_array')
        expect(row?.[column]).toBe('{happy,sad}'); // what its note says
      else if (type !== 'unknown') expect({ column, type, ok: isOfType(row?.[column], type, unions) }).toEqual({ column, type, ok: true });
    }
  });

  it('--schema reads only the schemas named; an unknown one is exit 2 naming it', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const app = await cli(['types', '--schema', 'app']);
    expect(app.code).toBe(0);
    expect(app.stdout).toContain('export interface Database {\n  "app.users": AppUsers;\n}\n');
    expect(app.stdout).toContain('export interface AppUsers {\n  id: number;\n  level: Generated<AppLevel>;\n}');
    expect(app.stdout).not.toContain('Mood');
    const missing = await cli(['types', '--schema', 'nope']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`error: --schema nope: database ${db.name} has no schema "nope"\n`);
  });

  it('--from-migrations gives the same file as the migrated database, without touching the target; the scratch database is dropped', async () => {
    const scratch = await cli(['types', '--from-migrations']);
    expect(scratch.code).toBe(0);
    const name = /from scratch database (aeturnis_types_[0-9a-f]+), 1 migration, dropped/.exec(scratch.stderr)?.[1];
    expect(name).toBeDefined();
    expect(await db.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).toEqual([]);
    expect(await db.query(`SELECT relname FROM pg_class WHERE relname IN ('schema_migrations', 'every_kind')`)).toEqual([]);
    expect((await cli(['up'])).code).toBe(0);
    expect((await cli(['types'])).stdout).toBe(scratch.stdout);
  });

  it('--check exits 0 when FILE matches, 3 with a one-line summary when a migration changed the schema; --out writes FILE', async () => {
    const file = join(project.dir, 'src', 'db.ts');
    const written = await cli(['types', '--from-migrations', '--out', file]);
    expect(written.code).toBe(0);
    expect(written.stdout).toMatch(/^Wrote .*src\/db\.ts: 3 tables, 1 view, 2 enums \(from scratch database/);
    expect(readFileSync(file, 'utf8')).toContain(EVERY_KIND_INTERFACE);
    const same = await cli(['types', '--from-migrations', '--check', '--out', file]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain(`${file} is up to date`);

    project.write(
      '0002_bio.sql',
      "-- UP\nALTER TABLE every_kind ADD COLUMN bio text;\nCREATE TYPE app.color AS ENUM ('red');\n-- DOWN\nDROP TYPE app.color;\nALTER TABLE every_kind DROP COLUMN bio;\n",
    );
    const drift = await cli(['types', '--from-migrations', '--check', '--out', file]);
    expect(drift.code).toBe(3);
    expect(drift.stderr).toBe(
      `error: ${file} is out of date with the schema: AppColor is missing; EveryKind.bio is missing (regenerate it with aeturnis-db types --out ${file})\n`,
    );
    expect(readFileSync(file, 'utf8')).not.toContain('bio'); // --check writes nothing
  });

  it('--from-migrations: a migration that fails is exit 1 naming its file and line, and nothing is printed', async () => {
    project.write('0002_broken.sql', '-- UP\nALTER TABLE every_kind ADD COLUMN x nosuchtype;\n-- DOWN\nSELECT 1;\n');
    const result = await cli(['types', '--from-migrations']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^error: .*0002_broken\.sql:2:\d+.*type "nosuchtype" does not exist/);
    expect(await db.query(`SELECT relname FROM pg_class WHERE relname = 'every_kind'`)).toEqual([]);
  });

  it('--check: a missing FILE is exit 3, no --out is exit 2; both say what to do', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const missing = await cli(['types', '--check', '--out', 'db.ts']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toBe('error: db.ts does not exist (generate it with aeturnis-db types --out db.ts)\n');
    const noOut = await cli(['types', '--check']);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toBe('error: --check needs --out FILE: the file to compare with\n');
    writeFileSync(join(project.dir, 'db.ts'), (await cli(['types'])).stdout.replace(/\n/g, '\r\n'));
    expect((await cli(['types', '--check', '--out', 'db.ts'])).code).toBe(0); // a CRLF checkout is not drift
  });
});
