import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/errors.js';
import { isBlankSql, parseMigration, parseMigrationFileName } from '../../src/migrations/parse.js';
import { migrationChecksum, normalizeMigrationText } from '../../src/migrations/checksum.js';

describe('parseMigrationFileName', () => {
  it('reads the version as an integer and the name', () => {
    expect(parseMigrationFileName('0001_create_users.sql')).toEqual({ version: 1, name: 'create_users' });
    expect(parseMigrationFileName('20261123_add.sql')).toEqual({ version: 20261123, name: 'add' });
  });
  it('ignores files that are not .sql', () => {
    expect(parseMigrationFileName('README.md')).toBeUndefined();
    expect(parseMigrationFileName('0001_x.sql.bak')).toBeUndefined();
  });
  it.each(['create_users.sql', '0001.sql', '0001_.sql', 'v1_users.sql', '1a_x.sql'])('rejects %s naming the file', (name) => {
    expect(() => parseMigrationFileName(name)).toThrow(MigrationFileError);
    expect(() => parseMigrationFileName(name)).toThrow(name);
  });
});

describe('parseMigration', () => {
  it('splits UP and DOWN and records where each starts', () => {
    const m = parseMigration('0003_t.sql', '-- adds t\n\n-- UP\nCREATE TABLE t();\n-- DOWN\nDROP TABLE t;\n');
    expect(m.version).toBe(3);
    expect(m.name).toBe('t');
    expect(m.up).toEqual({ sql: 'CREATE TABLE t();', startLine: 4 });
    expect(m.down).toEqual({ sql: 'DROP TABLE t;\n', startLine: 6 });
    expect(m.irreversible).toBe(false);
    expect(m.noTransaction).toBe(false);
  });

  it.each(['-- UP', '--up', '  --  Up  ', '-- up\t'])('accepts marker spelling %j', (marker) => {
    const m = parseMigration('1_x.sql', `${marker}\nSELECT 1;\n-- down\nSELECT 2;`);
    expect(m.up.sql).toBe('SELECT 1;');
    expect(m.down?.sql).toBe('SELECT 2;');
  });

  it('does not take "-- UP and more" as a marker', () => {
    expect(() => parseMigration('1_x.sql', '-- UP and more\nSELECT 1;')).toThrow(/no "-- UP" marker/);
  });

  it('handles CRLF and a BOM', () => {
    const m = parseMigration('1_x.sql', '\uFEFF-- UP\r\nSELECT 1;\r\n-- DOWN\r\nSELECT 2;\r\n');
    expect(m.up.sql).toBe('SELECT 1;');
    expect(m.down?.sql).toBe('SELECT 2;\n');
  });

  it('rejects a file without -- UP', () => {
    expect(() => parseMigration('0002_x.sql', 'CREATE TABLE t();')).toThrow(/0002_x\.sql: .*no "-- UP" marker/);
  });

  it('rejects -- DOWN before -- UP', () => {
    expect(() => parseMigration('0002_x.sql', '-- DOWN\nDROP TABLE t;\n-- UP\nCREATE TABLE t();')).toThrow(
      /0002_x\.sql: "-- DOWN" \(line 1\) comes before "-- UP" \(line 3\)/,
    );
  });

  it('rejects SQL before -- UP, naming the line', () => {
    expect(() => parseMigration('0002_x.sql', '-- header\nSELECT 1;\n-- UP\nSELECT 2;')).toThrow(/0002_x\.sql: line 2: SQL before/);
  });

  it('allows comments, block comments and blank lines before -- UP', () => {
    const m = parseMigration('1_x.sql', '/* multi\n line */\n-- note\n\n-- UP\nSELECT 1;');
    expect(m.up.startLine).toBe(6);
  });

  it('reads the no-transaction directive in the header only', () => {
    expect(parseMigration('1_x.sql', '-- aeturnis:no-transaction\n-- UP\nSELECT 1;').noTransaction).toBe(true);
    expect(parseMigration('1_x.sql', '-- UP\n-- aeturnis:no-transaction\nSELECT 1;').noTransaction).toBe(false);
  });

  it('marks missing and comment-only DOWN sections irreversible', () => {
    expect(parseMigration('1_x.sql', '-- UP\nSELECT 1;').irreversible).toBe(true);
    expect(parseMigration('1_x.sql', '-- UP\nSELECT 1;\n-- DOWN\n-- nothing\n/* x /* nested */ */\n').irreversible).toBe(true);
    expect(parseMigration('1_x.sql', '-- UP\nSELECT 1;\n-- DOWN\n-- undo\nDROP TABLE t;').irreversible).toBe(false);
  });

  it('rejects a second UP marker', () => {
    expect(() => parseMigration('1_x.sql', '-- UP\nSELECT 1;\n-- UP\nSELECT 2;')).toThrow(/second "-- UP"/);
  });
});

describe('isBlankSql', () => {
  it('sees through comments', () => {
    expect(isBlankSql('  \n-- a\n/* b */\n')).toBe(true);
    expect(isBlankSql('-- a\nSELECT 1')).toBe(false);
  });
});

describe('checksum', () => {
  const lf = '-- UP\nCREATE TABLE t();\n-- DOWN\nDROP TABLE t;\n';
  it('is SHA-256 hex of the file', () => {
    expect(migrationChecksum(lf)).toMatch(/^[0-9a-f]{64}$/);
    expect(migrationChecksum('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('ignores CRLF and a BOM', () => {
    expect(migrationChecksum(lf.replace(/\n/g, '\r\n'))).toBe(migrationChecksum(lf));
    expect(migrationChecksum(`\uFEFF${lf}`)).toBe(migrationChecksum(lf));
    expect(normalizeMigrationText('a\r\nb')).toBe('a\nb');
  });
  it('changes when the text changes, even in a comment', () => {
    expect(migrationChecksum(lf.replace('DROP', '-- x\nDROP'))).not.toBe(migrationChecksum(lf));
  });
  it('is stable across parses', () => {
    expect(parseMigration('1_x.sql', lf).checksum).toBe(migrationChecksum(lf));
  });
});
