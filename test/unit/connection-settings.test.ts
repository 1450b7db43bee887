import { describe, expect, it } from 'vitest';
import { resolveConnection } from '../../src/connection/settings.js';
import { escapeOption, pgConnectionString } from '../../src/connection/url.js';
import { usageErrorOf } from '../support/usage-error.js';

const URL_A = 'postgres://app@db-a/game';

const refusal = (flag: string | undefined, env: Record<string, string | undefined>): string =>
  usageErrorOf(() => resolveConnection(flag, env));

describe('resolveConnection: which source', () => {
  it('--database-url, then DATABASE_URL, then the PG* variables, then the embedded database', () => {
    expect(resolveConnection(URL_A, { DATABASE_URL: 'postgres://db-b/x' })).toMatchObject({
      kind: 'url',
      url: URL_A,
      source: '--database-url',
    });
    expect(resolveConnection(undefined, { DATABASE_URL: URL_A, PGHOST: 'db-c' })).toMatchObject({
      kind: 'url',
      url: URL_A,
      source: 'DATABASE_URL',
    });
    expect(resolveConnection(undefined, { PGHOST: 'db-c' }).kind).toBe('libpq');
    expect(resolveConnection(undefined, {}).kind).toBe('embedded');
  });

  it('the embedded database in a development environment (unset, empty, development, test, local)', () => {
    for (const env of [
      {},
      { NODE_ENV: '' },
      { NODE_ENV: 'development' },
      { NODE_ENV: 'test' },
      { AETURNIS_ENV: 'local', NODE_ENV: 'production' },
    ]) {
      expect(resolveConnection(undefined, env).kind, JSON.stringify(env)).toBe('embedded');
    }
  });

  it('nothing configured outside development: refused naming the variable, never the embedded database', () => {
    expect(refusal(undefined, { NODE_ENV: 'production', CI: 'true' })).toBe(
      'no database configured and NODE_ENV=production is not a development environment: set DATABASE_URL or pass --database-url (the embedded database is for development only)',
    );
    expect(refusal(undefined, { AETURNIS_ENV: 'staging', NODE_ENV: 'test' })).toMatch(/^no database configured and AETURNIS_ENV=staging /);
  });

  it('a configured database is used in production as anywhere else', () => {
    expect(resolveConnection(undefined, { NODE_ENV: 'production', DATABASE_URL: URL_A }).kind).toBe('url');
    expect(resolveConnection(undefined, { NODE_ENV: 'production', PGHOST: 'db' }).kind).toBe('libpq');
  });
});

describe('resolveConnection: a setting that is set but empty', () => {
  it('DATABASE_URL= (a CI secret that did not expand) is refused, not the embedded database nor the PG* variables', () => {
    const message = refusal(undefined, { DATABASE_URL: '', NODE_ENV: 'production', CI: 'true' });
    expect(message).toMatch(/^DATABASE_URL is set but empty: /);
    expect(refusal(undefined, { DATABASE_URL: '', PGHOST: 'db' })).toMatch(/^DATABASE_URL is set but empty: /);
    expect(refusal(undefined, { DATABASE_URL: '  ' })).toMatch(/^DATABASE_URL is set but empty: /);
  });

  it("--database-url '' is refused even when DATABASE_URL is set", () => {
    expect(refusal('', { DATABASE_URL: URL_A })).toBe('--database-url is set but empty: pass a postgres:// URL, or leave the flag out');
  });

  it('an empty PG* variable is refused when the PG* variables are the source, naming it', () => {
    expect(refusal(undefined, { PGHOST: '' })).toMatch(/^PGHOST is set but empty: /);
    expect(refusal(undefined, { PGHOST: 'db', PGPASSWORD: '' })).toMatch(/^PGPASSWORD is set but empty: /);
    // A URL is the source: pg fills in a missing user from PGUSER only when it has a value.
    expect(resolveConnection(undefined, { DATABASE_URL: URL_A, PGUSER: '' }).kind).toBe('url');
  });

  it('PGSERVICE and PGHOSTADDR, which pg does not read, are refused instead of connecting elsewhere', () => {
    expect(refusal(undefined, { PGSERVICE: 'prod' })).toMatch(/^PGSERVICE is not supported/);
    expect(refusal(undefined, { PGHOST: 'db', PGHOSTADDR: '10.0.0.1' })).toMatch(/^PGHOSTADDR is not supported/);
  });
});

describe('resolveConnection: the URL is read exactly', () => {
  it('a URL that does not parse is shown with both its userinfo password and its password= parameter hidden', () => {
    const message = usageErrorOf(() => resolveConnection('postgres://app:pw1@db.example:notaport/game?password=pw2', {}));
    expect(message).toMatch(/^--database-url is not a valid URL: postgres:\/\/app:\*+@db\.example:notaport\/game\?password=\*+ /);
    expect(message).not.toMatch(/pw1|pw2/);
  });

  it('a value that is not a URL is refused without echoing it (it may be a password)', () => {
    for (const [flag, env, setting] of [
      ['S3cret', {}, '--database-url'],
      [undefined, { DATABASE_URL: 'S3cret pass' }, 'DATABASE_URL'],
      ['db.example.com/S3cret', {}, '--database-url'],
    ] as const) {
      const message = refusal(flag, env);
      expect(message).toBe(
        `${setting} is not a URL (expected postgres://user@host:5432/database); its value is not shown, as it may be a password`,
      );
      expect(message).not.toContain('S3cret');
    }
  });

  it('an unknown query parameter is refused naming it, as libpq refuses it', () => {
    expect(refusal('postgres://app:s3cret@db/game?foo=1', {})).toMatch(
      /^--database-url: unknown query parameter "foo" \(aeturnis-db reads: host, /,
    );
    expect(refusal(undefined, { DATABASE_URL: 'postgres://db/game?password=s3cret&Search_Path=app' })).toMatch(
      /^DATABASE_URL: unknown query parameter "Search_Path"/,
    );
  });

  it('a libpq parameter pg does not implement is refused as not supported', () => {
    for (const name of ['target_session_attrs=read-write', 'service=prod', 'passfile=/x', 'connect_timeout=10', 'dbname=other']) {
      const parameter = name.split('=')[0];
      expect(refusal(`postgres://db/game?${name}`, {})).toBe(
        `--database-url: query parameter ${parameter} is a libpq setting aeturnis-db does not support (node-postgres does not implement it); remove it`,
      );
    }
  });

  it("pg's millisecond parameters must be whole numbers (pg would read 5s as 5 ms)", () => {
    expect(refusal('postgres://db/game?statement_timeout=5s', {})).toBe(
      '--database-url: query parameter statement_timeout must be a whole number of milliseconds (got "5s")',
    );
    expect(resolveConnection('postgres://db/game?statement_timeout=5000&lock_timeout=100', {}).kind).toBe('url');
  });

  it('what pg honours, search_path and the TLS parameters are accepted', () => {
    const url =
      'postgres://u:p@db:5432/game?search_path=app,public&options=-c%20work_mem%3D64MB&application_name=x&host=db2&port=5433&sslmode=disable';
    expect(resolveConnection(url, {})).toMatchObject({ kind: 'url', url, source: '--database-url' });
  });
});

describe('pgConnectionString: search_path becomes a startup option', () => {
  it('search_path=app: the session starts with that search_path; the parameter is not left for pg', () => {
    expect(pgConnectionString('postgres://u:p@db/game?search_path=app', {})).toEqual({
      connectionString: 'postgres://u:p@db/game',
      options: '-c search_path=app',
    });
  });

  it("merges with the URL's options (search_path last, so it wins), else with PGOPTIONS", () => {
    expect(pgConnectionString('postgres://db/game?options=-c%20work_mem%3D64MB&search_path=app&application_name=x', {})).toEqual({
      connectionString: 'postgres://db/game?application_name=x',
      options: '-c work_mem=64MB -c search_path=app',
    });
    expect(pgConnectionString('postgres://db/game?search_path=app', { PGOPTIONS: '-c geqo=off' }).options).toBe(
      '-c geqo=off -c search_path=app',
    );
  });

  it('escapes spaces and backslashes as libpq options need; a comma needs none', () => {
    expect(pgConnectionString('postgres://db/game?search_path=app,%20%22my%20schema%22', {}).options).toBe(
      '-c search_path=app,\\ "my\\ schema"',
    );
    expect(escapeOption('a\\b c,d')).toBe('a\\\\b\\ c,d');
  });

  it('without search_path: the options are passed on as they are, and PGOPTIONS is left to pg', () => {
    expect(pgConnectionString('postgres://db/game?options=-c%20geqo%3Doff&sslmode=require', { PGOPTIONS: '-c x=y' })).toEqual({
      connectionString: 'postgres://db/game',
      options: '-c geqo=off',
    });
    expect(pgConnectionString('postgres://db/game', { PGOPTIONS: '-c x=y' })).toEqual({ connectionString: 'postgres://db/game' });
  });
});

describe('resolveConnection: one value the session only consumes', () => {
  it('holds what connecting needs: where (password-free), what pg gets, the TLS attempts, the wait', () => {
    const resolved = resolveConnection('postgres://app:s3cret@db.example:6543/game?sslmode=prefer&search_path=app', {}, 7);
    expect(resolved).toMatchObject({
      kind: 'url',
      description: 'db.example:6543/game (from --database-url)',
      pg: { connectionString: 'postgres://app:s3cret@db.example:6543/game', options: '-c search_path=app' },
      tlsUses: ['encrypt-only', 'plain'],
      applicationName: 'aeturnis-db',
      waitSeconds: 7,
    });
  });
});
