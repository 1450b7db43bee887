/**
 * `aeturnis-db import` through the built CLI: what it prints, what it writes, and that it writes
 * nothing at all when any file cannot be converted or would be overwritten. No database needed.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'aeturnis-import-'));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, { cwd: work, env });
/** A copy of a fixture project in the work directory, to add files to. */
const copyOf = (name: string): string => {
  const dir = join(work, name);
  cpSync(fixture(name), dir, { recursive: true });
  return dir;
};
const listing = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).sort() : []);

describe('import', () => {
  it('prints one line per file and a summary, writing each converted file into ./migrations', async () => {
    const result = await cli(['import', '--from', 'goose', fixture('goose')]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe(
      'Wrote migrations/00001_create_players.sql <- 00001_create_players.sql [StatementBegin/End lines removed, the SQL between them kept]',
    );
    expect(lines[5]).toBe('Wrote migrations/00006_index_inventory_by_item.sql <- 00006_index_inventory_by_item.sql [no transaction]');
    expect(lines[7]).toMatch(/^Wrote migrations\/00008_backfill_display_name\.sql <- 00008_backfill_display_name\.sql \[nothing to undo; /);
    expect(lines[12]).toBe('12 migrations from goose imported into migrations (1 without a transaction, 2 with nothing to undo)');
    expect(listing(join(work, 'migrations'))).toHaveLength(12);
  });

  it('writes the same bytes on every run, so checksums are stable', async () => {
    expect((await cli(['import', '--from', 'golang-migrate', '--dir', 'one', fixture('golang-migrate')])).code).toBe(0);
    expect((await cli(['import', '--from', 'golang-migrate', '--dir', 'two', fixture('golang-migrate')])).code).toBe(0);
    const names = listing(join(work, 'one'));
    expect(names).toHaveLength(12);
    expect(listing(join(work, 'two'))).toEqual(names);
    for (const name of names) expect(readFileSync(join(work, 'two', name))).toEqual(readFileSync(join(work, 'one', name)));
  });

  it('writes nothing when one source file cannot be converted, naming it and why on one line (exit 2)', async () => {
    const source = copyOf('goose');
    writeFileSync(join(source, '00013_recalculate_scores.go'), 'package migrations\n');
    const result = await cli(['import', '--from', 'goose', source]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: ${join(source, '00013_recalculate_scores.go')}: a goose Go migration, which has no SQL to convert: rewrite it in SQL, or import with --placeholders; nothing was written\n`,
    );
    expect(existsSync(join(work, 'migrations'))).toBe(false);
  });

  it('names every file it cannot convert, each on a line of its own (eleven: none left out)', async () => {
    const source = copyOf('flyway');
    writeFileSync(join(source, 'B1__baseline.sql'), 'CREATE TABLE t ();\n');
    writeFileSync(join(source, 'afterMigrate.sql'), 'ANALYZE;\n');
    const events = ['beforeMigrate', 'beforeEachMigrate', 'afterEachMigrate', 'beforeClean', 'afterClean', 'beforeInfo', 'afterInfo'];
    for (const event of events) writeFileSync(join(source, `${event}.sql`), 'SELECT 1;\n');
    writeFileSync(join(source, 'V99__load.sh'), 'psql -f data.sql\n');
    writeFileSync(join(source, 'V98__grant.sql'), 'GRANT SELECT ON players TO ${reader};\n');
    const result = await cli(['import', '--from', 'flyway', source]);
    expect(result.code).toBe(2);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe('error: 11 files cannot be imported, so nothing was written:');
    expect(lines).toHaveLength(12);
    expect(lines).toContain(
      `  ${join(source, 'B1__baseline.sql')}: a Flyway baseline migration (B): import the V migrations instead (aeturnis-db baseline records them)`,
    );
    expect(lines).toContain(
      `  ${join(source, 'afterMigrate.sql')}: a Flyway callback (afterMigrate): aeturnis-db has no callbacks (fold its SQL into a migration)`,
    );
    for (const event of events) expect(lines.some((line) => line.startsWith(`  ${join(source, `${event}.sql`)}: `))).toBe(true);
    expect(result.stderr).not.toContain('more');
    expect(existsSync(join(work, 'migrations'))).toBe(false);
  });

  it('never overwrites a file: it names it, leaves it as it was, and writes no other file', async () => {
    const dir = join(work, 'migrations');
    const mine = '-- UP\nSELECT 1;\n';
    mkdirSync(dir);
    writeFileSync(join(dir, '0001_placeholder.sql'), mine);
    writeFileSync(join(dir, '00003_players_updated_at.sql'), mine);
    const result = await cli(['import', '--from', 'goose', fixture('goose')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      'error: 2 files cannot be imported, so nothing was written:\n' +
        '  migrations/00001_create_players.sql: version 1 is already taken by migrations/0001_placeholder.sql\n' +
        '  migrations/00003_players_updated_at.sql: already exists (import never overwrites a file)\n',
    );
    expect(readFileSync(join(dir, '00003_players_updated_at.sql'), 'utf8')).toBe(mine);
    expect(listing(dir)).toEqual(['00003_players_updated_at.sql', '0001_placeholder.sql']);
  });

  it('--dry-run prints the plan and writes nothing, not even the directory', async () => {
    const result = await cli(['import', '--from', 'dbmate', '--dry-run', '--dir', 'db/aeturnis', fixture('dbmate')]);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Would write db/aeturnis/20240105093000_create_players.sql <- 20240105093000_create_players.sql');
    expect(lines[12]).toBe(
      'Dry run: 12 migrations from dbmate would be imported into db/aeturnis (1 without a transaction, 1 with nothing to undo); nothing was written',
    );
    expect(existsSync(join(work, 'db'))).toBe(false);
  });

  it('--json prints one object per file as a JSON array on stdout, the log on stderr', async () => {
    const result = await cli(['import', '--from', 'flyway', '--json', fixture('flyway')]);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(rows).toHaveLength(12);
    expect(rows[5]).toEqual({
      file: 'migrations/6_index_inventory_by_item.sql',
      version: 6,
      sourceVersion: '6',
      name: 'index_inventory_by_item',
      sources: [join(fixture('flyway'), 'V6__index_inventory_by_item.sql'), join(fixture('flyway'), 'U6__index_inventory_by_item.sql')],
      noTransaction: true,
      noTransactionSection: null,
      down: 'sql',
      notes: ['CREATE INDEX CONCURRENTLY cannot run inside a transaction (Flyway runs it outside one too)'],
      placeholder: false,
      written: true,
    });
    expect(result.stderr).toContain('12 migrations from flyway imported into migrations');
  });

  it('refuses dotted Flyway versions unless --renumber, which prints the mapping', async () => {
    const refused = await cli(['import', '--from', 'flyway', fixture('flyway-dotted')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^error: 3 files cannot be imported, so nothing was written:\n {2}\//);
    expect(refused.stderr).toContain(
      `${join(fixture('flyway-dotted'), 'sql/release-1.1/V1.1__add_quest_chain.sql')}: version 1.1 is not a whole number, as aeturnis-db versions are (import with --renumber`,
    );
    expect(existsSync(join(work, 'migrations'))).toBe(false);

    const renumbered = await cli(['import', '--from', 'flyway', '--renumber', fixture('flyway-dotted')]);
    expect(renumbered.code).toBe(0);
    expect(renumbered.stdout).toContain(
      'Wrote migrations/0002_add_quest_chain.sql <- sql/release-1.1/V1.1__add_quest_chain.sql + sql/release-1.1/U1.1__add_quest_chain.sql [version 1.1 -> 2]',
    );
    expect(renumbered.stdout).toContain('[version 10 -> 6]');
    expect(renumbered.stdout).toContain('Ignored (not flyway migrations): flyway.conf');
  });

  it('writes into AETURNIS_MIGRATIONS_DIR when --dir is not given', async () => {
    const result = await cli(['import', '--from', 'node-pg-migrate', fixture('node-pg-migrate')], {
      AETURNIS_MIGRATIONS_DIR: 'sql/migrations',
    });
    expect(result.code).toBe(0);
    expect(listing(join(work, 'sql/migrations'))[0]).toBe('1704447000000_create-players.sql');
  });

  it.each([
    [
      ['import', '--from', 'liquibase', 'db'],
      'error: --from must be one of dbmate, golang-migrate, goose, flyway, node-pg-migrate (got "liquibase")',
    ],
    [['import', '--from', 'goose', 'no/such/dir'], 'error: source directory no/such/dir does not exist'],
    [
      ['import', '--from', 'goose', 'migrations', '--dir', 'migrations'],
      'error: migrations is both the source directory and the migrations directory (--dir): import into another directory',
    ],
  ])('refuses %j with one line (exit 2)', async (args, message) => {
    if (args.includes('migrations')) cpSync(fixture('goose'), join(work, 'migrations'), { recursive: true });
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`${message}\n`);
  });

  it('says so when the directory holds no migrations of that tool', async () => {
    const result = await cli(['import', '--from', 'golang-migrate', fixture('goose')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: no golang-migrate migrations in .*goose \(it holds only 00001_create_players\.sql, /);
  });
});
