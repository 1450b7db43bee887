/**
 * A placeholder (`import --placeholders`) adopted as applied and rewritten in SQL since: applied,
 * not modified, its checksum recorded by the next `up`, on that database only; every other
 * checksum difference stays `modified`.
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/errors.js';
import { parseMigration } from '../../src/migrations/parse.js';
import { computeStatus, findProblems, planDown, planUp, type JournalRow } from '../../src/migrations/plan.js';

const placeholderText = `-- Imported from goose: 00013_backfill_names.go
-- aeturnis:placeholder goose 00013_backfill_names.go
-- UP
DO $placeholder$ BEGIN RAISE EXCEPTION 'placeholder'; END $placeholder$;
`;
const rewrittenText = `-- Imported from goose: 00013_backfill_names.go
-- UP
UPDATE players SET display_name = lower(display_name);
-- DOWN
-- aeturnis:nothing-to-undo
`;
const placeholder = parseMigration('00013_backfill_names.sql', placeholderText);
const rewritten = parseMigration('00013_backfill_names.sql', rewrittenText);
const other = parseMigration('00012_document_tables.sql', '-- UP\nCOMMENT ON TABLE players IS NULL;\n');

const row = (checksum: string, adoptedPlaceholder?: JournalRow['adoptedPlaceholder']): JournalRow => ({
  version: 13,
  name: 'backfill_names',
  checksum,
  appliedAt: new Date('2026-11-01T00:00:00Z'),
  executionMs: 0,
  adoptedFrom: 'goose',
  adoptedPlaceholder,
});
const adopted = row(placeholder.checksum, { of: '00013_backfill_names.go', checksum: placeholder.checksum });

describe('a placeholder adopted as applied, rewritten in SQL since', () => {
  it('is applied (rewritten from a placeholder), not modified: validate is clean', () => {
    const rows = computeStatus([rewritten], [adopted]);
    expect(rows[0]).toMatchObject({
      state: 'applied',
      rewrittenPlaceholder: { of: '00013_backfill_names.go', checksumRecorded: false },
    });
    expect(findProblems(rows)).toEqual([]);
  });

  it('up records its new checksum and runs nothing', () => {
    const plan = planUp([rewritten], [adopted]);
    expect(plan.pending).toEqual([]);
    expect(plan.rewritten).toEqual([{ migration: rewritten, recorded: placeholder.checksum, of: '00013_backfill_names.go' }]);
  });

  it('once recorded, it is applied like any file, and a later edit is modified', () => {
    const recorded = row(rewritten.checksum, adopted.adoptedPlaceholder);
    expect(computeStatus([rewritten], [recorded])[0]).toMatchObject({
      state: 'applied',
      rewrittenPlaceholder: { checksumRecorded: true },
    });
    expect(planUp([rewritten], [recorded]).rewritten).toEqual([]);
    const edited = parseMigration('00013_backfill_names.sql', `${rewrittenText}-- edited\n`);
    expect(computeStatus([edited], [recorded])[0]?.state).toBe('modified');
    expect(() => planUp([edited], [recorded])).toThrow(ValidationError);
  });

  it('down may roll it back before up recorded the checksum (its rewritten DOWN runs)', () => {
    expect(planDown([rewritten], [adopted]).rollback).toEqual([rewritten]);
  });
});

describe('nothing else about checksums loosens', () => {
  it('a placeholder edited but still a placeholder is modified', () => {
    const edited = parseMigration('00013_backfill_names.sql', placeholderText.replace('-- UP', '-- a comment\n-- UP'));
    expect(computeStatus([edited], [adopted])[0]?.state).toBe('modified');
  });

  it('a rewritten file on a row not recorded as a placeholder (applied by aeturnis-db, or adopted by an older one) is modified', () => {
    expect(computeStatus([rewritten], [row(placeholder.checksum)])[0]?.state).toBe('modified');
    expect(() => planDown([rewritten], [row(placeholder.checksum)])).toThrow(/modified after it was applied/);
  });

  it('another modified file still stops up before any checksum is recorded', () => {
    const otherRow = { ...row('not its checksum'), version: 12, name: 'document_tables', adoptedPlaceholder: undefined };
    expect(() => planUp([other, rewritten], [otherRow, adopted])).toThrow(/00012_document_tables\.sql was modified/);
  });

  it('where the placeholder was never applied, the rewritten file is pending and runs', () => {
    const plan = planUp([rewritten], []);
    expect(plan.pending).toEqual([rewritten]);
    expect(plan.rewritten).toEqual([]);
  });
});
