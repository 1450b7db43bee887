import { describe, expect, it } from 'vitest';
import { displayName, parseIdent, parseTableName } from '../../src/identifiers.js';
import { otherJournalsMessage, shapeProblems, type OtherJournal } from '../../src/journal/shape.js';

describe('parseIdent: a qualified name read as PostgreSQL reads it', () => {
  it('folds unquoted parts to lower case and keeps quoted parts as written', () => {
    expect(parseIdent('PUBLIC.Schema_Migrations')).toEqual(['public', 'schema_migrations']);
    expect(parseIdent('"A"."B"')).toEqual(['A', 'B']);
    expect(parseIdent('ops."Mixed_Case"')).toEqual(['ops', 'Mixed_Case']);
  });

  it('reads "" inside quotes as a quote and a dot inside quotes as part of the name', () => {
    expect(parseIdent('"say ""hi"""')).toEqual(['say "hi"']);
    expect(parseIdent('"a.b".c')).toEqual(['a.b', 'c']);
  });

  it('folds ASCII letters only, allows $ and digits after the first character, and spaces around parts', () => {
    expect(parseIdent('ÉTAT.Journal$2')).toEqual(['État', 'journal$2']);
    expect(parseIdent('  ops . journal ')).toEqual(['ops', 'journal']);
  });

  it('says why text is not a name', () => {
    expect(parseIdent('a-b')).toBe('unexpected "-" at position 2');
    expect(parseIdent('1abc')).toBe('unexpected "1" at position 1');
    expect(parseIdent('ops.')).toBe('a name is missing');
    expect(parseIdent('"open')).toBe('unclosed double quote');
    expect(parseIdent('""')).toBe('an empty quoted name ("")');
    expect(parseIdent('a b')).toBe('unexpected "b" at position 3');
    expect(parseIdent('')).toBe('a name is missing');
  });
});

describe('parseTableName (--table)', () => {
  it('gives the folded schema and table, quoted for SQL, and a display that reads back the same', () => {
    expect(parseTableName('PUBLIC.Schema_Migrations', '--table')).toEqual({
      schema: 'public',
      table: 'schema_migrations',
      quoted: '"public"."schema_migrations"',
      display: 'public.schema_migrations',
    });
    expect(parseTableName('"Schema_Migrations"', '--table')).toEqual({
      schema: undefined,
      table: 'Schema_Migrations',
      quoted: '"Schema_Migrations"',
      display: '"Schema_Migrations"',
    });
  });

  it('refuses more than schema.name and text that is no name, naming the setting', () => {
    expect(() => parseTableName('a.b.c', '--table')).toThrow(
      '--table "a.b.c" is not a valid table name: more than two parts (use name or schema.name; double-quote a part to keep its case)',
    );
    expect(() => parseTableName('my-journal', '--table')).toThrow('--table "my-journal" is not a valid table name: unexpected "-"');
  });

  it('refuses a part longer than 63 bytes, counted after unquoting', () => {
    const long = 'a'.repeat(64);
    expect(() => parseTableName(`ops.${long}`, '--table')).toThrow(`"${long}" is 64 bytes long`);
    expect(parseTableName(`"${'a'.repeat(63)}"`, '--table').table).toHaveLength(63);
  });

  it('displayName quotes only what would not read back as itself', () => {
    expect(displayName('public', 'Schema_Migrations')).toBe('public."Schema_Migrations"');
    expect(displayName('my schema', 'x"y')).toBe('"my schema"."x""y"');
    expect(displayName(undefined, 'journal$1')).toBe('journal$1');
  });
});

const JOURNAL_TYPES = ['bigint', 'text', 'text', 'timestamp with time zone', 'integer'];
const JOURNAL_COLUMNS = ['version', 'name', 'checksum', 'applied_at', 'execution_ms'];

describe('shapeProblems: a table with the journal columns', () => {
  it('accepts the journal as every release created it, extra columns included', () => {
    expect(shapeProblems({ columns: JOURNAL_COLUMNS, types: JOURNAL_TYPES, primaryKey: ['version'] })).toEqual([]);
    expect(shapeProblems({ columns: [...JOURNAL_COLUMNS, 'note'], types: [...JOURNAL_TYPES, 'text'], primaryKey: ['version'] })).toEqual(
      [],
    );
  });

  it('names each column of another type and a different or missing primary key', () => {
    const types = ['text', 'text', 'text', 'timestamp without time zone', 'integer'];
    expect(shapeProblems({ columns: JOURNAL_COLUMNS, types, primaryKey: ['name'] })).toEqual([
      'version is text, not bigint',
      'applied_at is timestamp without time zone, not timestamp with time zone',
      'its primary key is (name), not (version)',
    ]);
    expect(shapeProblems({ columns: JOURNAL_COLUMNS, types: JOURNAL_TYPES, primaryKey: [] })).toEqual([
      'it has no primary key (wanted: version)',
    ]);
  });
});

describe('otherJournalsMessage', () => {
  const goose: OtherJournal = {
    oid: 1,
    schema: 'public',
    table: 'goose_db_version',
    columns: ['id', 'version_id', 'is_applied', 'tstamp'],
  };
  const ours: OtherJournal = { oid: 2, schema: 'Tenant', table: 'schema_migrations', columns: JOURNAL_COLUMNS };

  it("names what was found, whose it is, and the ways out: adopt for a tool's journal", () => {
    expect(otherJournalsMessage('public.schema_migrations', undefined, [goose])).toBe(
      "the journal table public.schema_migrations does not exist and this database already holds 1 other journal: public.goose_db_version (goose's journal); " +
        'nothing was created (one journal per database). Adopt it with aeturnis-db adopt --from goose --source-table public.goose_db_version; ' +
        'or keep a separate journal with --table SCHEMA.NAME in a schema that holds no other journal',
    );
  });

  it("points at aeturnis-db's own journal with a --table that reads back as it, and says when the search was one schema", () => {
    const message = otherJournalsMessage('app.journal', 'app', [ours, goose]);
    expect(message).toContain(
      'schema app already holds 2 other journals: "Tenant".schema_migrations (aeturnis-db\'s journal), public.goose_db_version',
    );
    expect(message).toContain('Use it with --table "Tenant".schema_migrations;');
    expect(message).not.toContain('adopt --from');
    expect(message).not.toContain('\n');
  });
});
