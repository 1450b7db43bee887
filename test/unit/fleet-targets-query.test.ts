import { describe, expect, it } from 'vitest';
import { targetsQueryRefusal } from '../../src/fleet/targets-query.js';

describe('targetsQueryRefusal', () => {
  it('a write, a switch to read-write or several statements: says the query must be one read-only statement', () => {
    expect(targetsQueryRefusal('25006', 'cannot execute DROP TABLE in a read-only transaction')).toBe(
      '--targets-query must only read (one read-only statement): cannot execute DROP TABLE in a read-only transaction (SQLSTATE 25006)',
    );
    expect(targetsQueryRefusal('42601', 'cannot insert multiple commands into a prepared statement')).toMatch(
      /^--targets-query must only read/,
    );
    expect(targetsQueryRefusal('25001', 'SET TRANSACTION READ WRITE must be called before any query')).toMatch(
      /^--targets-query must only read/,
    );
  });
  it("any other error: the server's message, naming --targets-query", () => {
    expect(targetsQueryRefusal('42P01', 'relation "tenants" does not exist')).toBe(
      '--targets-query failed: relation "tenants" does not exist (SQLSTATE 42P01)',
    );
    expect(targetsQueryRefusal('42601', 'syntax error at or near "SELEC"')).toMatch(/^--targets-query failed: syntax error/);
  });
});
