import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareSnapshots, describeDownDifference } from '../../src/verify/compare.js';
import { takeSnapshot } from '../../src/verify/snapshot.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let db: TestDatabase;
let client: pg.Client;

beforeAll(async () => {
  db = await createTestDatabase();
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aeturnis_snapshot_reader') THEN CREATE ROLE aeturnis_snapshot_reader; END IF;
    END $$;
    CREATE EXTENSION IF NOT EXISTS citext;
    CREATE SCHEMA game;
    CREATE TYPE game.mood AS ENUM ('calm', 'angry');
    CREATE DOMAIN game.positive AS integer NOT NULL CHECK (VALUE > 0);
    CREATE TYPE game.pair AS (a int, b text);
    CREATE SEQUENCE game.ticket START 100 INCREMENT 5;
    CREATE TABLE game.players (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name citext NOT NULL DEFAULT 'anon',
      level game.positive,
      doubled int GENERATED ALWAYS AS (level * 2) STORED,
      mood game.mood
    );
    CREATE INDEX players_name_idx ON game.players (name);
    CREATE VIEW game.calm_players AS SELECT id FROM game.players WHERE mood = 'calm';
    CREATE MATERIALIZED VIEW game.player_count AS SELECT count(*) AS n FROM game.players;
    CREATE FUNCTION game.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
    CREATE TRIGGER players_touch BEFORE UPDATE ON game.players FOR EACH ROW EXECUTE FUNCTION game.touch();
    CREATE TABLE game.events (at timestamptz NOT NULL) PARTITION BY RANGE (at);
    CREATE TABLE game.events_2026_11 PARTITION OF game.events FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00');
    ALTER TABLE game.players ENABLE ROW LEVEL SECURITY;
    CREATE POLICY calm_only ON game.players FOR SELECT USING (mood = 'calm');
    COMMENT ON TABLE game.players IS 'who plays';
    GRANT SELECT ON game.players TO aeturnis_snapshot_reader;
  `);
});
afterAll(async () => {
  await client.end();
  await db.drop();
  await db.query('DROP ROLE IF EXISTS aeturnis_snapshot_reader').catch(() => {});
});

describe('schema snapshot', () => {
  it('captures every kind a DOWN can forget, and not the objects of extensions', async () => {
    const snapshot = await takeSnapshot(client);
    const keys = [...snapshot.keys()];
    for (const key of [
      'schema game',
      'enum game.mood',
      'domain game.positive',
      'type game.pair',
      'sequence game.ticket',
      'table game.players',
      'column game.players.name',
      'column game.players.doubled',
      'index players_name_idx on game.players',
      'constraint players_pkey on game.players',
      'constraint positive_check on domain game.positive',
      'view game.calm_players',
      'materialized view game.player_count',
      'function game.touch()',
      'trigger players_touch on game.players',
      'table game.events_2026_11',
      'policy calm_only on game.players',
      'comment on table game.players',
      'grant SELECT on table game.players to aeturnis_snapshot_reader',
      'extension citext',
    ]) {
      expect(keys).toContain(key);
    }
    expect(snapshot.get('enum game.mood')?.attributes.values).toBe(`'calm', 'angry'`);
    expect(snapshot.get('column game.players.name')?.attributes).toMatchObject({
      type: 'citext',
      'not null': 'NOT NULL',
      default: `'anon'::citext`,
    });
    expect(snapshot.get('column game.players.id')?.attributes.identity).toBe('GENERATED ALWAYS');
    expect(snapshot.get('column game.players.doubled')?.attributes.generated).toMatch(/^GENERATED ALWAYS AS \(.*level.* \* 2\)+ STORED$/);
    expect(snapshot.get('table game.events_2026_11')?.attributes).toMatchObject({
      'partition of': 'game.events',
      'partition bound': expect.stringMatching(/^FOR VALUES FROM \('2026-11-01/),
    });
    expect(keys.filter((k) => /citext/.test(k))).toEqual(['extension citext', 'comment on extension citext']);
  });

  it('notices a changed enum, default, grant and comment', async () => {
    const before = await takeSnapshot(client);
    await client.query(`
      ALTER TYPE game.mood ADD VALUE 'sleepy';
      ALTER TABLE game.players ALTER COLUMN name SET DEFAULT 'nobody';
      REVOKE SELECT ON game.players FROM aeturnis_snapshot_reader;
      COMMENT ON TABLE game.players IS 'who plays, and when';`);
    const after = await takeSnapshot(client);
    expect(compareSnapshots(before, after).map(describeDownDifference)).toEqual([
      `DOWN did not restore enum game.mood values ('calm', 'angry', 'sleepy', was 'calm', 'angry')`,
      `DOWN did not restore column game.players.name default ('nobody'::citext, was 'anon'::citext)`,
      'DOWN did not restore comment on table game.players text (who plays, and when, was who plays)',
      'DOWN did not restore grant SELECT on table game.players to aeturnis_snapshot_reader (it existed before UP)',
    ]);
  });
});
