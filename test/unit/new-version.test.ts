import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMigration, nextVersion } from '../../src/api/create.js';

const now = new Date('2026-12-07T10:15:42.123Z');
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function project(files: string[]): string {
  dir = mkdtempSync(join(tmpdir(), 'aeturnis-new-'));
  for (const file of files) writeFileSync(join(dir, file), '-- UP\nSELECT 1;\n');
  return dir;
}

describe('new: the next version', () => {
  it('after an import of dbmate or goose timestamps, writes the current UTC time to the second, as they do', () => {
    const migrations = project(['20240105093000_create_players.sql', '20240105094500_create_guilds.sql']);
    const path = createMigration({ name: 'add_guilds', dir: migrations, now });
    expect(path).toBe(join(migrations, '20261207101542_add_guilds.sql'));
  });

  it("after an import of node-pg-migrate's millisecond timestamps, writes the current milliseconds", () => {
    const migrations = project(['1704447000000_create-players.sql', '1710932400000_document-tables.sql']);
    expect(createMigration({ name: 'add-guilds', dir: migrations, now })).toBe(join(migrations, `${now.getTime()}_add-guilds.sql`));
  });

  it('keeps numbering 1, 2, 3 ... (zero-padded as before) when the versions are not timestamps', () => {
    const migrations = project(['0001_a.sql', '0007_b.sql', '000120_c.sql']);
    createMigration({ name: 'd', dir: migrations, now });
    expect(readdirSync(migrations)).toContain('000121_d.sql');
    expect(nextVersion(0, '', now)).toBe('0001');
    expect(nextVersion(7, '0007', now)).toBe('0008');
  });

  it('never goes below the highest version + 1, whatever the clock says', () => {
    expect(nextVersion(20300101000000, '20300101000000', now)).toBe('20300101000001');
    expect(nextVersion(1999999999999, '1999999999999', now)).toBe('2000000000000');
  });

  it('does not take a number that only looks like a timestamp for one (month 13)', () => {
    expect(nextVersion(20241301000000, '20241301000000', now)).toBe('20241301000001');
  });
});
