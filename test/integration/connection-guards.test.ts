import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableMigration } from '../support/project.js';
import { oneError, useTestProject } from '../support/test-project.js';

// Connection settings a pipeline cannot walk through: an empty setting (a CI secret that did not
// expand) or nothing configured in production is exit 2, never the embedded database; the URL is
// read exactly (search_path honoured, unknown parameters refused); a password passed instead of
// a URL is never echoed.

const { db, project, cli, cliWithUrl, tables, versions } = useTestProject();

const embeddedCreated = (): boolean => existsSync(join(project.dir, '.aeturnis'));

describe('no database configured, or configured empty: exit 2, no embedded database', () => {
  it.each(['up', 'validate'])(
    'CI with DATABASE_URL= (secret missing) and NODE_ENV=production: %s exits 2 naming DATABASE_URL',
    async (command) => {
      project.write('0001_a.sql', tableMigration('a'));
      const result = await cli([command], { DATABASE_URL: '', NODE_ENV: 'production', CI: 'true' });
      expect(result.code).toBe(2);
      expect(oneError(result)).toMatch(/^error: DATABASE_URL is set but empty: /);
      expect(embeddedCreated()).toBe(false);
      expect(await tables()).toEqual([]);
    },
  );

  it('NODE_ENV=production with nothing configured: exit 2 saying so, no embedded database', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['up'], { DATABASE_URL: undefined, NODE_ENV: 'production' });
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(/^error: no database configured and NODE_ENV=production is not a development environment: /);
    expect(embeddedCreated()).toBe(false);
  });

  it("PGHOST='' alone: exit 2 naming PGHOST, no embedded database", async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['up'], { DATABASE_URL: undefined, PGHOST: '' });
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(/^error: PGHOST is set but empty: /);
    expect(embeddedCreated()).toBe(false);
  });

  it('DATABASE_URL= in .env: exit 2 naming DATABASE_URL, no embedded database', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    writeFileSync(join(project.dir, '.env'), 'DATABASE_URL=\n');
    const result = await cli(['up'], { DATABASE_URL: undefined });
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(/^error: DATABASE_URL is set but empty: /);
    expect(embeddedCreated()).toBe(false);
  });
});

describe('read-only commands never create the embedded database', () => {
  it('status and validate with nothing configured and no .aeturnis/db: every migration pending, exit 0, nothing created', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const noDatabase = { DATABASE_URL: undefined };
    const status = await cli(['status', '--json'], noDatabase);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject([{ version: 1, state: 'pending', appliedAt: null }]);
    expect(status.stderr).toMatch(/^No database configured and no embedded database in \.aeturnis\/db yet: nothing is applied /);
    const validate = await cli(['validate'], noDatabase);
    expect(validate.code).toBe(0);
    expect(embeddedCreated()).toBe(false);
  });

  it('down with nothing configured and no .aeturnis/db: nothing to roll back, exit 0, nothing created', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const down = await cli(['down'], { DATABASE_URL: undefined });
    expect(down.code).toBe(0);
    expect(down.stdout.trim().split('\n').at(-1)).toBe('Nothing to roll back');
    expect(embeddedCreated()).toBe(false);
  });
});

describe('the URL is read exactly', () => {
  it('?search_path=app: up puts the journal and the tables in app, and status with the same URL shows them applied', async () => {
    await db.query('CREATE SCHEMA app');
    project.write('0001_a.sql', tableMigration('a'));
    const url = `${db.url}?search_path=app`;
    const up = await cliWithUrl(url, ['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await tables('app')).toEqual(['a', 'schema_migrations']);
    expect(await tables('public')).toEqual([]);
    expect(await versions('app.schema_migrations')).toEqual([1]);

    const status = await cliWithUrl(url, ['status', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject([{ version: 1, state: 'applied' }]);
    expect((await cliWithUrl(url, ['up'])).code).toBe(0);
    expect(await tables('public')).toEqual([]);
  });

  it('?foo=1: exit 2 naming foo, nothing applied', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cliWithUrl(`${db.url}?foo=1`, ['up']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(/^error: DATABASE_URL: unknown query parameter "foo" /);
    expect(await tables()).toEqual([]);
  });

  it('?target_session_attrs=read-write (libpq, not node-postgres): exit 2 saying it is not supported', async () => {
    const result = await cli(['status', '--database-url', `${db.url}?target_session_attrs=read-write`]);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(
      'error: --database-url: query parameter target_session_attrs is a libpq setting aeturnis-db does not support (node-postgres does not implement it); remove it',
    );
  });

  it('--database-url S3cret (a password passed by mistake): exit 2, the value is never printed', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['up', '--database-url', 'S3cret']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(
      'error: --database-url is not a URL (expected postgres://user@host:5432/database); its value is not shown, as it may be a password',
    );
    expect(result.stdout + result.stderr).not.toContain('S3cret');
    expect(embeddedCreated()).toBe(false);
  });
});
