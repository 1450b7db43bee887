import { describe, expect, it } from 'vitest';
import { compareSnapshots, describeDownDifference, describeRerunDifference, withoutImpliedDifferences } from '../../src/verify/compare.js';
import { snapshotFromRows, type SchemaSnapshot } from '../../src/verify/snapshot.js';

type Row = { kind: string; name: string; attrs: Record<string, string | null> };
const snap = (...rows: Row[]): SchemaSnapshot => snapshotFromRows(rows);
const users = { kind: 'table', name: 'users', attrs: {} };
const email = (type: string): Row => ({ kind: 'column', name: 'users.email', attrs: { type, 'not null': 'NOT NULL', default: null } });
const down = (before: SchemaSnapshot, after: SchemaSnapshot) =>
  withoutImpliedDifferences(compareSnapshots(before, after)).map(describeDownDifference);

describe('verify: comparing schema snapshots', () => {
  it('identical snapshots have no differences, whatever the row order', () => {
    const a = snap(users, email('text'), { kind: 'index', name: 'i on users', attrs: { definition: 'CREATE INDEX i ON users (email)' } });
    const b = snap({ kind: 'index', name: 'i on users', attrs: { definition: 'CREATE INDEX i ON users (email)' } }, email('text'), users);
    expect(compareSnapshots(a, b)).toEqual([]);
  });

  it('names what DOWN left behind', () => {
    const before = snap(users);
    const after = snap(users, { kind: 'index', name: 'idx_audit_actor on audit_log', attrs: { definition: 'CREATE INDEX ...' } });
    expect(down(before, after)).toEqual(['DOWN left index idx_audit_actor on audit_log']);
  });

  it('names a changed attribute with the value now and the value before UP', () => {
    expect(down(snap(users, email('text')), snap(users, email('citext')))).toEqual([
      'DOWN did not restore column users.email type (citext, was text)',
    ]);
  });

  it('names what DOWN dropped that existed before UP', () => {
    expect(down(snap(users, email('text')), snap(users))).toEqual(['DOWN did not restore column users.email (it existed before UP)']);
  });

  it('a null attribute and an absent one are the same', () => {
    expect(
      compareSnapshots(snap({ kind: 'table', name: 't', attrs: { options: null } }), snap({ kind: 'table', name: 't', attrs: {} })),
    ).toEqual([]);
  });

  it('a table left behind is reported once, not with each of its columns, indexes, grants and comments', () => {
    const before = snap(users);
    const after = snap(
      users,
      { kind: 'table', name: 'guilds', attrs: {} },
      { kind: 'column', name: 'guilds.id', attrs: { type: 'bigint' } },
      { kind: 'index', name: 'guilds_pkey on guilds', attrs: { definition: 'x' } },
      { kind: 'constraint', name: 'guilds_pkey on guilds', attrs: { definition: 'PRIMARY KEY (id)' } },
      { kind: 'grant', name: 'SELECT on table guilds to reporting', attrs: {} },
      { kind: 'grant', name: 'UPDATE on column guilds.id to reporting', attrs: {} },
      { kind: 'comment', name: 'on column id of table guilds', attrs: { text: 'x' } },
      { kind: 'comment', name: 'on table guilds', attrs: { text: 'x' } },
      { kind: 'index', name: 'other on users', attrs: { definition: 'y' } },
    );
    expect(down(before, after)).toEqual(['DOWN left table guilds', 'DOWN left index other on users']);
  });

  it('an extension, function or type left behind is reported once, not again for its comment, grants or constraints', () => {
    const before = snap(users);
    const after = snap(
      users,
      { kind: 'extension', name: 'citext', attrs: { version: '1.6', schema: 'public' } },
      { kind: 'comment', name: 'on extension citext', attrs: { text: 'data type for case-insensitive character strings' } },
      { kind: 'function', name: 'answer(integer)', attrs: { returns: 'integer' } },
      { kind: 'comment', name: 'on function answer(integer)', attrs: { text: 'x' } },
      { kind: 'grant', name: 'EXECUTE on function answer(integer) to reporting', attrs: {} },
      { kind: 'domain', name: 'positive', attrs: { 'base type': 'integer' } },
      { kind: 'constraint', name: 'positive_check on domain positive', attrs: { definition: 'CHECK (VALUE > 0)' } },
      { kind: 'comment', name: 'on type positive', attrs: { text: 'y' } },
      { kind: 'comment', name: 'on function other(integer)', attrs: { text: 'z' } },
    );
    expect(down(before, after)).toEqual([
      'DOWN left extension citext',
      'DOWN left domain positive',
      'DOWN left comment on function other(integer)',
      'DOWN left function answer(integer)',
    ]);
  });

  it('a table dropped by DOWN and one left by it are not confused', () => {
    const before = snap({ kind: 'table', name: 'a', attrs: {} }, { kind: 'column', name: 'a.x', attrs: { type: 'int' } });
    const after = snap({ kind: 'table', name: 'b', attrs: {} }, { kind: 'column', name: 'b.x', attrs: { type: 'int' } });
    expect(down(before, after)).toEqual(['DOWN did not restore table a (it existed before UP)', 'DOWN left table b']);
  });

  it('long definitions are shortened to one readable line around where they differ', () => {
    const body = (n: number) => `CREATE FUNCTION f() RETURNS int\n  LANGUAGE sql\nAS $$ SELECT ${n}${' + 0'.repeat(60)} $$`;
    const [line] = down(
      snap({ kind: 'function', name: 'f()', attrs: { definition: body(1) } }),
      snap({ kind: 'function', name: 'f()', attrs: { definition: body(2) } }),
    );
    expect(line).toBe(
      'DOWN did not restore function f() definition (...int LANGUAGE sql AS $$ SELECT 2 + 0 + 0 + 0 + 0 + 0..., was ...int LANGUAGE sql AS $$ SELECT 1 + 0 + 0 + 0 + 0 + 0...)',
    );
    expect(line).not.toContain('\n');
  });

  it('describes how a second UP differs from the first', () => {
    const lines = compareSnapshots(
      snap(users, email('text')),
      snap(users, email('citext'), { kind: 'sequence', name: 's', attrs: {} }),
    ).map(describeRerunDifference);
    expect(lines).toEqual([
      'UP run again after DOWN also created sequence s',
      'UP run again after DOWN gave column users.email type (citext, the first UP gave text)',
    ]);
  });
});
