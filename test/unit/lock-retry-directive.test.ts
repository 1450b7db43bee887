import { describe, expect, it } from 'vitest';
import { MigrationFileError } from '../../src/errors.js';
import { parseMigration } from '../../src/migrations/parse.js';

describe('-- aeturnis:lock-timeout (file directive)', () => {
  it('a duration: this migration waits that long for a lock on every attempt; absent, or in the UP section: the schedule decides', () => {
    expect(parseMigration('0001_a.sql', '-- aeturnis:lock-timeout 5s\n-- UP\nALTER TABLE t ADD COLUMN a int;\n').lockTimeoutMs).toBe(5000);
    expect(parseMigration('0001_a.sql', '--   AETURNIS:LOCK-TIMEOUT   250ms  \n-- UP\nSELECT 1;\n').lockTimeoutMs).toBe(250);
    expect(parseMigration('0001_a.sql', '-- UP\nSELECT 1;\n').lockTimeoutMs).toBeUndefined();
    expect(parseMigration('0001_a.sql', '-- UP\n-- aeturnis:lock-timeout 5s\nSELECT 1;\n').lockTimeoutMs).toBeUndefined();
  });
  it('none: 0, one attempt without a timeout', () => {
    expect(parseMigration('0001_a.sql', '-- aeturnis:no-transaction\n-- aeturnis:lock-timeout none\n-- UP\nSELECT 1;\n')).toMatchObject({
      lockTimeoutMs: 0,
      noTransaction: true,
    });
  });
  it.each([
    [
      '-- aeturnis:lock-timeout\n-- UP\nSELECT 1;\n',
      'line 1: "-- aeturnis:lock-timeout" needs a duration with its unit (500ms, 5s, 2m) or none (got "")',
    ],
    [
      '\n-- aeturnis:lock-timeout 5\n-- UP\nSELECT 1;\n',
      'line 2: "-- aeturnis:lock-timeout" needs a duration with its unit (500ms, 5s, 2m) or none (got "5")',
    ],
    [
      '-- aeturnis:lock-timeout 0s\n-- UP\nSELECT 1;\n',
      'line 1: "-- aeturnis:lock-timeout" needs a duration with its unit (500ms, 5s, 2m) or none (got "0s")',
    ],
    [
      '-- aeturnis:lock-timeout 1s\n-- aeturnis:lock-timeout 2s\n-- UP\nSELECT 1;\n',
      'line 2: a second "-- aeturnis:lock-timeout" directive',
    ],
  ])('a bad directive is a file-format error naming the file and line: %j', (text, problem) => {
    expect(() => parseMigration('0007_bad.sql', text)).toThrow(MigrationFileError);
    expect(() => parseMigration('0007_bad.sql', text)).toThrow(`0007_bad.sql: ${problem}`);
  });
});
