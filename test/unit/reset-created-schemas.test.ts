/**
 * Which schemas reset treats as the migrations' own: those a migration's UP creates with
 * CREATE SCHEMA, named as PostgreSQL would name them.
 */
import { describe, expect, it } from 'vitest';
import { createdSchemas, parseCreateSchema } from '../../src/migrations/created-schemas.js';
import { parseMigration } from '../../src/migrations/parse.js';

const roles = { currentUser: 'app', sessionUser: 'login' };
const parse = (sql: string) => parseCreateSchema(sql, roles);

describe('parseCreateSchema', () => {
  it('folds unquoted names to lower case and keeps quoted ones as written', () => {
    expect(parse('CREATE SCHEMA Game')).toEqual({ name: 'game', ifNotExists: false });
    expect(parse('create schema "Game ""Two"""')).toEqual({ name: 'Game "Two"', ifNotExists: false });
  });

  it('reads IF NOT EXISTS and a following AUTHORIZATION clause', () => {
    expect(parse('CREATE SCHEMA IF NOT EXISTS game AUTHORIZATION owner_role')).toEqual({ name: 'game', ifNotExists: true });
  });

  it('names the schema after the role when only AUTHORIZATION is given', () => {
    expect(parse('CREATE SCHEMA AUTHORIZATION "Owner"')).toEqual({ name: 'Owner', ifNotExists: false });
    expect(parse('CREATE SCHEMA AUTHORIZATION CURRENT_USER')).toEqual({ name: 'app', ifNotExists: false });
    expect(parse('CREATE SCHEMA IF NOT EXISTS AUTHORIZATION current_role')).toEqual({ name: 'app', ifNotExists: true });
    expect(parse('CREATE SCHEMA AUTHORIZATION SESSION_USER')).toEqual({ name: 'login', ifNotExists: false });
  });

  it('skips comments between the words and reads a schema named like a keyword', () => {
    expect(parse('CREATE /* a /* nested */ comment */ SCHEMA -- why\n  reporting CREATE TABLE t (id int)')).toEqual({
      name: 'reporting',
      ifNotExists: false,
    });
    expect(parse('CREATE SCHEMA if')).toEqual({ name: 'if', ifNotExists: false });
  });

  it('ignores every other statement', () => {
    expect(parse('CREATE TABLE schema (id int)')).toBeUndefined();
    expect(parse('DROP SCHEMA game')).toBeUndefined();
    expect(parse('CREATE "SCHEMA" x')).toBeUndefined();
    expect(parse("SELECT 'CREATE SCHEMA x'")).toBeUndefined();
  });
});

describe('createdSchemas', () => {
  it('lists the CREATE SCHEMA statements of the UP sections only, with their files, in order', () => {
    const first = parseMigration(
      '0001_game.sql',
      "-- UP\nCREATE TABLE t (note text DEFAULT 'CREATE SCHEMA nope;');\nCREATE SCHEMA game;\n-- DOWN\nDROP SCHEMA game;\n",
    );
    const second = parseMigration('0002_move.sql', '-- UP\nDROP SCHEMA legacy;\n-- DOWN\nCREATE SCHEMA legacy;\n');
    const third = parseMigration('0003_stats.sql', '-- UP\n/* stats */ CREATE SCHEMA IF NOT EXISTS stats;\n-- DOWN\nSELECT 1;\n');
    expect(createdSchemas([first, second, third], roles)).toEqual([
      { name: 'game', ifNotExists: false, fileName: '0001_game.sql' },
      { name: 'stats', ifNotExists: true, fileName: '0003_stats.sql' },
    ]);
  });
});
