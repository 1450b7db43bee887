/**
 * What reset drops and how it creates a schema again: exactly as the catalogs described it.
 */
import { describe, expect, it } from 'vitest';
import { UsageError, ValidationError } from '../../src/errors.js';
import { dropObjectSql, planReset, restoreStatements, schemaDifferences, schemasToDrop, type SchemaState } from '../../src/reset/plan.js';
import type { CreatedSchema } from '../../src/migrations/created-schemas.js';

/** `public` of a new PostgreSQL 15 database. */
const pg15Public: SchemaState = {
  name: 'public',
  owner: 'pg_database_owner',
  acl: [
    { grantor: 'pg_database_owner', grantee: 'pg_database_owner', privilege: 'USAGE', grantable: false },
    { grantor: 'pg_database_owner', grantee: 'pg_database_owner', privilege: 'CREATE', grantable: false },
    { grantor: 'pg_database_owner', grantee: null, privilege: 'USAGE', grantable: false },
  ],
  aclText: '{pg_database_owner=UC/pg_database_owner,=U/pg_database_owner}',
  comment: 'standard public schema',
  defaultPrivileges: [],
};
const created = (name: string, ifNotExists = false): CreatedSchema => ({ name, ifNotExists, fileName: `0001_${name}.sql` });
const state = (name: string): SchemaState => ({ name, owner: 'app', acl: null, aclText: null, comment: null, defaultPrivileges: [] });

describe('schemasToDrop', () => {
  it("is the journal's schema, the first schema of search_path and the migrations' schemas, once each", () => {
    expect(schemasToDrop('ops', 'public', [created('game'), created('public', true), created('game')])).toEqual(['ops', 'public', 'game']);
    expect(schemasToDrop('public', null, [])).toEqual(['public']);
  });

  it("refuses PostgreSQL's own schemas, saying why it would drop one", () => {
    expect(() => schemasToDrop('public', 'pg_catalog', [])).toThrow(UsageError);
    expect(() => schemasToDrop('public', 'pg_catalog', [])).toThrow(/schema pg_catalog \(it is the first schema of search_path\)/);
    expect(() => schemasToDrop('public', 'public', [created('information_schema')])).toThrow(/0001_information_schema\.sql creates it/);
  });
});

describe('planReset', () => {
  const existing = [state('public'), state('game'), state('stats')];
  const candidates = ['public', 'game', 'stats', 'absent'];

  it('drops the schemas that exist and creates again those no migration creates with a plain CREATE SCHEMA', () => {
    const schemas = [created('game'), created('stats', true)];
    const plan = planReset(candidates, schemas, existing, new Map([['public', new Set<string>()]]), ['public']);
    expect(plan.drop).toEqual(['public', 'game', 'stats']);
    expect(plan.recreate.map((s) => s.name)).toEqual(['public', 'stats']);
    expect(plan.keep).toEqual([]);
  });

  it('keeps a schema that held objects before the first migration (only what was made since goes)', () => {
    const starting = new Map([
      ['public', new Set<string>()],
      ['stats', new Set(['extension pgcrypto'])],
    ]);
    const plan = planReset(candidates, [created('game'), created('stats', true)], existing, starting, ['public']);
    expect(plan.drop).toEqual(['public', 'game']);
    expect(plan.keep).toEqual(['stats']);
  });

  it('without a record (an older journal), refuses a schema only CREATE SCHEMA IF NOT EXISTS names', () => {
    const schemas = [created('game'), created('stats', true)];
    expect(() => planReset(candidates, schemas, existing, undefined, ['public'])).toThrow(ValidationError);
    expect(() => planReset(candidates, schemas, existing, undefined, ['public'])).toThrow(
      /schema stats \(0001_stats\.sql creates it with IF NOT EXISTS\) may have existed before the first migration/,
    );
    expect(planReset(candidates, [created('game')], existing, undefined, ['public', 'stats']).drop).toEqual(['public', 'game', 'stats']);
  });
});

describe('dropObjectSql', () => {
  it('drops one object by its identity, whatever an earlier CASCADE took; refuses a kind it cannot drop alone', () => {
    expect(dropObjectSql({ type: 'operator class', identity: 'public.oc USING btree', schema: 'public' })).toBe(
      'DROP OPERATOR CLASS IF EXISTS public.oc USING btree CASCADE',
    );
    expect(dropObjectSql({ type: 'statistics object', identity: 'public.s', schema: 'public' })).toBe(
      'DROP STATISTICS IF EXISTS public.s CASCADE',
    );
    expect(() => dropObjectSql({ type: 'mystery', identity: 'public.m', schema: 'public' })).toThrow(ValidationError);
  });
});

describe('restoreStatements', () => {
  it("gives PostgreSQL 15's public back its owner, its privileges in their order and its comment", () => {
    expect(restoreStatements(pg15Public)).toEqual([
      'CREATE SCHEMA "public" AUTHORIZATION "pg_database_owner"',
      'REVOKE ALL ON SCHEMA "public" FROM "pg_database_owner"',
      'GRANT USAGE, CREATE ON SCHEMA "public" TO "pg_database_owner"',
      'GRANT USAGE ON SCHEMA "public" TO PUBLIC',
      'COMMENT ON SCHEMA "public" IS \'standard public schema\'',
    ]);
  });

  it('leaves a default ACL default, and keeps grant options and default privileges', () => {
    expect(restoreStatements(state('Game "x"'))).toEqual(['CREATE SCHEMA "Game ""x""" AUTHORIZATION "app"']);
    const custom: SchemaState = {
      ...state('game'),
      acl: [
        { grantor: 'app', grantee: 'app', privilege: 'USAGE', grantable: false },
        { grantor: 'app', grantee: 'reader', privilege: 'USAGE', grantable: true },
      ],
      comment: "the game's tables",
      defaultPrivileges: [
        {
          role: 'app',
          objectType: 'r',
          entries: [{ grantor: 'app', grantee: 'reader', privilege: 'SELECT', grantable: false }],
          aclText: '{reader=r/app}',
        },
      ],
    };
    expect(restoreStatements(custom)).toEqual([
      'CREATE SCHEMA "game" AUTHORIZATION "app"',
      'REVOKE ALL ON SCHEMA "game" FROM "app"',
      'GRANT USAGE ON SCHEMA "game" TO "app"',
      'GRANT USAGE ON SCHEMA "game" TO "reader" WITH GRANT OPTION',
      "COMMENT ON SCHEMA \"game\" IS 'the game''s tables'",
      'ALTER DEFAULT PRIVILEGES FOR ROLE "app" IN SCHEMA "game" GRANT SELECT ON TABLES TO "reader"',
    ]);
  });
});

describe('schemaDifferences', () => {
  it('names each way a re-created schema differs, and nothing when it is the same', () => {
    expect(schemaDifferences(pg15Public, { ...pg15Public })).toEqual([]);
    expect(schemaDifferences(pg15Public, { ...pg15Public, owner: 'app', aclText: null, comment: null })).toEqual([
      'owner app (was pg_database_owner)',
      'privileges default (were {pg_database_owner=UC/pg_database_owner,=U/pg_database_owner})',
      'comment null (was standard public schema)',
    ]);
    expect(schemaDifferences(pg15Public, undefined)).toEqual(['it is missing']);
  });
});
