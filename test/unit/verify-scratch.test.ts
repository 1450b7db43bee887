import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { scratchConnection, scratchDatabaseName } from '../../src/verify/scratch.js';

describe('verify: the scratch database next to the target', () => {
  it('has a recognisable random name', () => {
    const a = scratchDatabaseName();
    expect(a).toMatch(/^aeturnis_verify_[0-9a-f]{8}$/);
    expect(scratchDatabaseName()).not.toBe(a);
  });

  it('keeps server, user, password and parameters of a URL and swaps the database', () => {
    const options = scratchConnection({ databaseUrl: 'postgres://app:s3cret@db.internal:6543/game?sslmode=require' }, 'aeturnis_verify_1');
    expect(options.databaseUrl).toBe('postgres://app:s3cret@db.internal:6543/aeturnis_verify_1?sslmode=require');
  });

  it('takes DATABASE_URL from the environment like every command', () => {
    const options = scratchConnection({ env: { DATABASE_URL: 'postgresql://u@h/prod' } }, 'aeturnis_verify_2');
    expect(options.databaseUrl).toBe('postgresql://u@h/aeturnis_verify_2');
  });

  it('with PG* variables, overrides PGDATABASE only', () => {
    const options = scratchConnection({ env: { PGHOST: 'db', PGDATABASE: 'prod', PGUSER: 'app' } }, 'aeturnis_verify_3');
    expect(options.databaseUrl).toBeUndefined();
    expect(options.env).toEqual({ PGHOST: 'db', PGDATABASE: 'aeturnis_verify_3', PGUSER: 'app' });
  });

  it('refuses the embedded database with a message saying what to do', () => {
    expect(() => scratchConnection({ env: {} }, 'x')).toThrow(UsageError);
    expect(() => scratchConnection({ env: {} }, 'x')).toThrow(/set DATABASE_URL or pass --scratch-url/);
  });
});
