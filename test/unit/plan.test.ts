import { describe, expect, it } from 'vitest';
import { UsageError, ValidationError } from '../../src/errors.js';
import { parseMigration } from '../../src/migrations/parse.js';
import { computeStatus, findProblems, planDown, planRedo, planUp, type JournalRow } from '../../src/migrations/plan.js';

const file = (version: number, opts: { down?: boolean; text?: string } = {}) =>
  parseMigration(
    `${String(version).padStart(4, '0')}_m${version}.sql`,
    opts.text ?? `-- UP\nCREATE TABLE t${version}();\n${opts.down === false ? '' : `-- DOWN\nDROP TABLE t${version};\n`}`,
  );
const applied = (version: number, checksum = file(version).checksum): JournalRow => ({
  version,
  name: `m${version}`,
  checksum,
  appliedAt: new Date('2026-11-01T00:00:00Z'),
  executionMs: 5,
});

describe('computeStatus', () => {
  it('labels applied, pending, modified and missing, ordered by version', () => {
    const rows = computeStatus([file(1), file(2), file(4)], [applied(1), applied(2, 'other'), applied(3)]);
    expect(rows.map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'modified'],
      [3, 'missing'],
      [4, 'pending'],
    ]);
  });
  it('flags pending migrations older than the newest applied one', () => {
    const rows = computeStatus([file(1), file(2), file(3)], [applied(1), applied(3)]);
    expect(rows.find((r) => r.version === 2)?.outOfOrder).toBe(true);
    expect(findProblems(rows)).toEqual([expect.stringContaining('0002_m2.sql is pending but older than the newest applied version 3')]);
    expect(findProblems(rows, { allowOutOfOrder: true })).toEqual([]);
  });
});

describe('planUp', () => {
  it('returns pending migrations in version order', () => {
    expect(
      planUp(
        [file(3), file(1), file(2)].sort((a, b) => a.version - b.version),
        [applied(1)],
      ).pending.map((m) => m.version),
    ).toEqual([2, 3]);
  });
  it('stops at --to', () => {
    expect(planUp([file(1), file(2), file(3)], [], { to: 2 }).pending.map((m) => m.version)).toEqual([1, 2]);
  });
  it('rejects --to naming no known version', () => {
    expect(() => planUp([file(1)], [], { to: 7 })).toThrow(UsageError);
  });
  it('refuses modified, missing and out-of-order', () => {
    expect(() => planUp([file(1), file(2)], [applied(1, 'x')])).toThrow(ValidationError);
    expect(() => planUp([file(2)], [applied(1)])).toThrow(/version 1 \(m1\) is applied but its file is missing/);
    expect(() => planUp([file(1), file(2)], [applied(2)])).toThrow(ValidationError);
    expect(planUp([file(1), file(2)], [applied(2)], { allowOutOfOrder: true }).pending.map((m) => m.version)).toEqual([1]);
  });
});

describe('planDown', () => {
  const files = [file(1), file(2), file(3)];
  const journal = [applied(1), applied(2), applied(3)];
  it('rolls back the newest one by default', () => {
    expect(planDown(files, journal).rollback.map((m) => m.version)).toEqual([3]);
  });
  it('rolls back N newest first', () => {
    expect(planDown(files, journal, { count: 2 }).rollback.map((m) => m.version)).toEqual([3, 2]);
    expect(planDown(files, journal, { count: 10 }).rollback.map((m) => m.version)).toEqual([3, 2, 1]);
  });
  it('rolls back everything newer than --to', () => {
    expect(planDown(files, journal, { to: 1 }).rollback.map((m) => m.version)).toEqual([3, 2]);
    expect(planDown(files, journal, { to: 0 }).rollback.map((m) => m.version)).toEqual([3, 2, 1]);
    expect(() => planDown(files, journal, { to: 9 })).toThrow(UsageError);
  });
  it('refuses before passing an irreversible migration', () => {
    const withIrreversible = [file(1), file(2, { down: false }), file(3)];
    const j = [applied(1), applied(2, withIrreversible[1]!.checksum), applied(3)];
    expect(planDown(withIrreversible, j, { count: 1 }).rollback.map((m) => m.version)).toEqual([3]);
    expect(() => planDown(withIrreversible, j, { count: 2 })).toThrow(/0002_m2\.sql is irreversible/);
  });
  it('refuses a missing or modified file', () => {
    expect(() => planDown([file(1)], [applied(1), applied(2)])).toThrow(ValidationError);
    expect(() => planDown(files, [applied(1, 'changed')])).toThrow(/modified/);
  });
});

describe('planRedo', () => {
  it('picks the newest applied migration', () => {
    const plan = planRedo([file(1), file(2), file(3)], [applied(1), applied(2)]);
    expect(plan?.migration.version).toBe(2);
    expect(plan?.edited).toBe(false);
  });
  it('nothing applied: nothing to redo', () => {
    expect(planRedo([file(1)], [])).toBeUndefined();
  });
  it('allows the newest file to have been edited (the edit loop) and says so', () => {
    const plan = planRedo([file(1), file(2)], [applied(1), applied(2, 'old checksum')]);
    expect(plan).toMatchObject({ migration: { version: 2 }, edited: true });
  });
  it('refuses when another applied migration was modified or is missing', () => {
    expect(() => planRedo([file(1), file(2)], [applied(1, 'x'), applied(2)])).toThrow(/refusing to redo: 0001_m1\.sql was modified/);
    expect(() => planRedo([file(2)], [applied(1), applied(2)])).toThrow(ValidationError);
  });
  it('refuses when the newest has no file or no DOWN section', () => {
    expect(() => planRedo([file(1)], [applied(1), applied(2)])).toThrow(/version 2 \(m2\) is applied but its file is missing/);
    expect(() => planRedo([file(1, { down: false })], [applied(1, file(1, { down: false }).checksum)])).toThrow(/irreversible/);
  });
});
