import { describe, expect, it } from 'vitest';
import type { RawFinding } from '../../src/lint/finding.js';
import { refineFindings, setNotNullKeys, type SectionContext } from '../../src/lint/refine.js';
import { emptySchemaFacts, nameKey, schemaTimeline } from '../../src/lint/schema-facts.js';
import { parseMigration } from '../../src/migrations/parse.js';

/** A squawk-like finding at `line:column` of the file. */
const at = (rule: string, line: number, column: number): RawFinding => ({
  rule,
  line,
  column,
  message: `${rule} message`,
  help: `${rule} help`,
  source: 'squawk',
});

/** The context of a section starting on file line 2 (after `-- UP`). */
function context(sql: string, extra: Partial<SectionContext> = {}): SectionContext {
  return {
    kind: 'up',
    section: { sql, startLine: 2 },
    transactional: true,
    schema: emptySchemaFacts(),
    setNotNullInUp: new Set(),
    ...extra,
  };
}

const summary = (findings: RawFinding[]) =>
  findings.map((f) => `${f.line}:${f.column} ${f.rule}${f.atMost ? ` (at most ${f.atMost})` : ''}`);

describe('nameKey', () => {
  it('folds bare names, keeps quoted ones, and leaves the schema out', () => {
    expect([nameKey('V1_EVENT'), nameKey('PUBLIC.V1_EVENT'), nameKey('"Action"'), nameKey('"my"".schema"."T"')]).toEqual([
      'v1_event',
      'v1_event',
      'Action',
      'T',
    ]);
  });
});

describe('schemaTimeline', () => {
  const migration = (version: number, up: string, down = '') => parseMigration(`${version}_m.sql`, `-- UP\n${up}\n-- DOWN\n${down}\n`);

  it('learns partitioned tables and index tables from the earlier UPs, renames and drops included', () => {
    const history = [
      migration(1, 'CREATE TABLE IF NOT EXISTS v1_event (id bigint, seen_at timestamptz) PARTITION BY RANGE(seen_at);'),
      migration(
        2,
        'CREATE INDEX IF NOT EXISTS v1_event_key_idx ON v1_event (id);\nCREATE TABLE plain (a int, w int GENERATED ALWAYS AS (a) STORED);',
      ),
      migration(3, 'ALTER TABLE v1_event RENAME TO v2_event;\nALTER INDEX v1_event_key_idx RENAME TO v2_event_key_idx;'),
      migration(4, 'DROP TABLE IF EXISTS v2_event;\nCREATE TABLE p (a int) PARTITION BY LIST (a);'),
    ];
    const timeline = schemaTimeline(history, history);
    const facts = (index: number) => timeline.get(history[index] as (typeof history)[number]);
    expect([...(facts(1)?.beforeUp.partitioned ?? [])]).toEqual(['v1_event']);
    expect([...(facts(2)?.beforeUp.indexTables ?? [])]).toEqual([['v1_event_key_idx', 'v1_event']]);
    expect([...(facts(3)?.beforeUp.partitioned ?? [])]).toEqual(['v2_event']);
    expect([...(facts(3)?.beforeUp.indexTables ?? [])]).toEqual([['v2_event_key_idx', 'v2_event']]);
    expect([...(facts(3)?.beforeDown.partitioned ?? [])]).toEqual(['p']);
  });

  it('lets a target replace the history’s migration of its version', () => {
    const history = [migration(1, 'CREATE TABLE t (a int);'), migration(2, 'SELECT 1;')];
    const target = migration(1, 'CREATE TABLE t (a int) PARTITION BY RANGE (a);');
    const later = history[1] as (typeof history)[number];
    const timeline = schemaTimeline(history, [target, later]);
    expect([...(timeline.get(later)?.beforeUp.partitioned ?? [])]).toEqual(['t']);
  });
});

describe('refineFindings', () => {
  it('drops constraint-missing-not-valid where PostgreSQL refuses NOT VALID (PRIMARY KEY, UNIQUE, EXCLUDE)', () => {
    const sql = [
      'ALTER TABLE "Action" DROP CONSTRAINT "Action_pkey",',
      'ADD CONSTRAINT "Action_pkey" PRIMARY KEY ("id");',
      'ALTER TABLE t ADD UNIQUE (a), ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES x;',
      'ALTER TABLE t ADD CONSTRAINT e EXCLUDE USING gist (a WITH =);',
      'ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);',
    ].join('\n');
    const found = [
      at('constraint-missing-not-valid', 3, 1),
      at('constraint-missing-not-valid', 4, 15),
      at('constraint-missing-not-valid', 4, 31),
    ];
    found.push(at('constraint-missing-not-valid', 5, 15), at('constraint-missing-not-valid', 6, 15));
    expect(summary(refineFindings(found, context(sql)))).toEqual([
      '4:31 constraint-missing-not-valid',
      '6:15 constraint-missing-not-valid',
    ]);
  });

  it('turns an index build on a partitioned table into a warning with advice PostgreSQL accepts, and drops its index drops', () => {
    const schema = emptySchemaFacts();
    schema.partitioned.add('v1_event');
    schema.indexTables.set('v1_event_key_idx', 'v1_event');
    schema.indexTables.set('plain_idx', 'plain');
    const sql = [
      'DROP INDEX v1_event_key_idx;',
      'CREATE INDEX v1_event_key_scope_idx ON public.v1_event (tenant_id, key, scope);',
      'CREATE INDEX plain_a_idx ON plain (a);',
      'DROP INDEX v1_event_key_scope_idx, plain_idx;',
    ].join('\n');
    const found = [2, 3, 4, 5].map((line) =>
      at(line === 3 || line === 4 ? 'require-concurrent-index-creation' : 'require-concurrent-index-deletion', line, 1),
    );
    const refined = refineFindings(found, context(sql, { schema }));
    expect(summary(refined)).toEqual([
      '3:1 require-concurrent-index-creation (at most warning)',
      '4:1 require-concurrent-index-creation',
      '5:1 require-concurrent-index-deletion', // plain_idx is not partitioned: the advice applies to it
    ]);
    expect(refined[0]?.message).toContain(
      'v1_event is partitioned, and PostgreSQL cannot build an index on a partitioned table CONCURRENTLY',
    );
    expect(refined[0]?.help).toContain('ON ONLY v1_event');
    expect(schema.indexTables.has('v1_event_key_scope_idx')).toBe(false); // the caller's facts stay as they were
  });

  it('drops require-concurrent-index-deletion in the DOWN of a transactional migration only', () => {
    const finding = [at('require-concurrent-index-deletion', 2, 1)];
    expect(refineFindings(finding, context('DROP INDEX i;', { kind: 'down' }))).toEqual([]);
    expect(summary(refineFindings(finding, context('DROP INDEX i;', { kind: 'down', transactional: false })))).toEqual([
      '2:1 require-concurrent-index-deletion',
    ]);
    expect(summary(refineFindings(finding, context('DROP INDEX i;')))).toEqual(['2:1 require-concurrent-index-deletion']);
  });

  it('drops ban-drop-not-null in a DOWN that undoes its own UP’s SET NOT NULL', () => {
    const up =
      'ALTER TABLE v1_task_event ALTER COLUMN external_id SET NOT NULL;\nALTER TABLE "Worker" ALTER "maxRuns" SET NOT NULL, ALTER COLUMN x SET DEFAULT 1;';
    const setNotNullInUp = setNotNullKeys(up);
    expect([...setNotNullInUp]).toEqual(['v1_task_event.external_id', 'Worker.maxRuns']);
    const down =
      'ALTER TABLE v1_task_event ALTER COLUMN external_id DROP NOT NULL;\nALTER TABLE other ALTER COLUMN external_id DROP NOT NULL;';
    const found = [at('ban-drop-not-null', 2, 52), at('ban-drop-not-null', 3, 44)];
    expect(summary(refineFindings(found, context(down, { kind: 'down', setNotNullInUp })))).toEqual(['3:44 ban-drop-not-null']);
    expect(summary(refineFindings(found, context(down, { setNotNullInUp })))).toHaveLength(2); // an UP's DROP NOT NULL stays
  });

  it('keeps one finding per rule and statement, naming the other places', () => {
    const sql = 'CREATE TABLE t (a timestamp, b timestamp,\n  c timestamp);\n-- next\nCREATE TABLE u (d timestamp);';
    const found = [at('prefer-timestamp-tz', 2, 19), at('prefer-timestamp-tz', 2, 32), at('prefer-timestamp-tz', 3, 5)];
    found.push(at('prefer-timestamp-tz', 5, 19), at('require-statement-timeout', 4, 1));
    const refined = refineFindings(found, context(sql));
    expect(summary(refined)).toEqual(['2:19 prefer-timestamp-tz', '5:19 prefer-timestamp-tz', '4:1 require-statement-timeout']);
    expect(refined[0]?.message).toBe('prefer-timestamp-tz message (also at 2:32, 3:5 in this statement)');
    expect(refined[1]?.message).toBe('prefer-timestamp-tz message');
  });
});
