import { describe, expect, it } from 'vitest';
import { describeDrift, driftBetween, driftSummary, normalizedGrants, withoutExpectedObjects } from '../../src/drift/compare.js';
import { snapshotFromRows, type SchemaSnapshot } from '../../src/verify/snapshot.js';

const snap = (...rows: [string, string, Record<string, string | null>?][]): SchemaSnapshot =>
  snapshotFromRows(rows.map(([kind, name, attrs]) => ({ kind, name, attrs: attrs ?? {} })));

describe('drift wording', () => {
  it('an extra index, an extra column, a missing function, a changed default: one line each, in a stable order', () => {
    const expected = snap(
      ['table', 'users', { 'column order': 'id, email' }],
      ['column', 'users.email', { type: 'text', default: "'y'::text" }],
      ['function', 'cleanup_expired_sessions(interval)', { returns: 'integer' }],
    );
    const live = snap(
      ['table', 'users', { 'column order': 'id, email, nickname' }],
      ['column', 'users.email', { type: 'text', default: "'x'::text" }],
      ['column', 'users.nickname', { type: 'text' }],
      ['index', 'by_hand_idx on users', { definition: 'CREATE INDEX by_hand_idx ON public.users USING btree (email)' }],
    );
    expect(driftBetween(expected, live).map(describeDrift)).toEqual([
      "column users.email: default 'x'::text in the database, 'y'::text in the migrations",
      'extra column users.nickname: not in the migrations (write a migration for it, or drop it)',
      'function cleanup_expired_sessions(interval): missing from the database (the migrations create it; restore it)',
      'extra index users.by_hand_idx: not in the migrations (write a migration for it, or drop it)',
    ]);
  });

  it('an extra table is one line: its columns, indexes and grants go with it', () => {
    const live = snap(
      ['table', 'scratchpad'],
      ['column', 'scratchpad.id', { type: 'integer' }],
      ['index', 'scratchpad_pkey on scratchpad'],
      ['grant', 'SELECT on table scratchpad to postgres'],
    );
    const differences = driftBetween(snap(), live);
    expect(differences).toEqual([{ kind: 'table', name: 'scratchpad', change: 'extra' }]);
  });

  it('the summary says equal, or how many differences and what to do', () => {
    expect(driftSummary([], 1)).toBe('No drift: the database matches what its 1 applied migration builds');
    expect(driftSummary([{ kind: 'index', name: 'a.b', change: 'extra' }], 6)).toMatch(
      /^1 difference between the database and what its 6 applied migrations build; write a migration/,
    );
  });
});

describe('expected objects', () => {
  it('the journal, its companions and managed partitions (not the default one) are left out with what belongs to them', () => {
    const snapshot = snap(
      ['table', 'schema_migrations'],
      ['column', 'schema_migrations.version', { type: 'bigint' }],
      ['constraint', 'schema_migrations_pkey on schema_migrations'],
      ['table', 'schema_migrations_partitions'],
      ['table', 'audit_log', { 'partitioned by': 'RANGE (created_at)' }],
      ['table', 'audit_log_default', { 'partition of': 'audit_log', 'partition bound': 'DEFAULT' }],
      [
        'table',
        'audit_log_2026_12',
        { 'partition of': 'audit_log', 'partition bound': "FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')" },
      ],
      ['grant', 'SELECT on table audit_log_2026_12 to reader'],
      ['comment', 'on table audit_log_2026_12', { text: 'x' }],
      ['table', 'other_2026_12', { 'partition of': 'other', 'partition bound': "FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')" }],
    );
    const kept = withoutExpectedObjects(snapshot, {
      journalTables: ['schema_migrations', 'schema_migrations_partitions'],
      registered: ['audit_log'],
    });
    expect([...kept.keys()]).toEqual(['table audit_log', 'table audit_log_default', 'table other_2026_12']);
  });
});

describe('grants made comparable', () => {
  it("a grant to the object's owner is named (owner), so tables migrated by another role compare equal; the old spelling is replaced", () => {
    const live = snap(['grant', 'SELECT on table users to app'], ['grant', 'SELECT on table users to reader']);
    const rows = [
      { prefix: 'SELECT on table users to ', grantee: 'app', to_owner: true, attrs: {} },
      { prefix: 'SELECT on table users to ', grantee: 'reader', to_owner: false, attrs: {} },
    ];
    const scratchRows = [{ prefix: 'SELECT on table users to ', grantee: 'postgres', to_owner: true, attrs: {} }];
    const normalized = normalizedGrants(live, rows);
    expect([...normalized.keys()].sort()).toEqual(['grant SELECT on table users to (owner)', 'grant SELECT on table users to reader']);
    expect(driftBetween(normalizedGrants(snap(), scratchRows), normalized).map((d) => d.name)).toEqual(['SELECT on table users to reader']);
  });
});
