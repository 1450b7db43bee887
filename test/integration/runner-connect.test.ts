import { createServer } from 'node:net';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { adminQuery, createTestDatabase, serverUrl, type TestDatabase } from '../support/db.js';
import { tableMigration, tempProject, type TempProject } from '../support/project.js';
import { createRole, lines, waitWhileRunning, watchCli, type TestRole } from '../support/runner-safety.js';

// Waiting for the database: what is retried (with a progress line per attempt) and what fails at
// once. Every case runs the real CLI against the real server (or a port nothing listens on).

let created: TestDatabase | undefined;
let project: TempProject;
const roles: TestRole[] = [];

beforeEach(() => {
  created = undefined;
  project = tempProject({ '0001_a.sql': tableMigration('a') });
});
afterEach(async () => {
  await created?.drop();
  for (const role of roles.splice(0)) await role.drop();
  project.remove();
});

/** The test's own database, created on first use (the unreachable-server tests need none). */
async function database(): Promise<TestDatabase> {
  created ??= await createTestDatabase();
  return created;
}

const cli = (args: string[], databaseUrl: string) => runCli(args, { cwd: project.dir, databaseUrl });
const role = async (attributes: string): Promise<TestRole> => {
  const created = await createRole(attributes);
  roles.push(created);
  return created;
};

/** A TCP port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const RETRY_LINE = /^warning: database not reachable \((.+)\); retry (\d+) in \d+\.\ds, giving up in \d+s$/;

describe('unreachable database: retried for --wait, then exit 4', () => {
  it('connection refused: one progress line per attempt, then one error line; the password is never printed', async () => {
    const port = await closedPort();
    const result = await cli(['up', '--wait', '1.5'], `postgres://app:s3cret-pw@127.0.0.1:${port}/game`);
    expect(result.code).toBe(4);
    const errors = lines(result.stderr);
    const retries = errors.slice(0, -1);
    expect(retries.length).toBeGreaterThanOrEqual(2);
    retries.forEach((line, i) => {
      const match = RETRY_LINE.exec(line);
      expect(match, line).not.toBeNull();
      expect(match?.[1]).toBe(`connection refused (127.0.0.1:${port})`);
      expect(match?.[2]).toBe(String(i + 1));
    });
    expect(errors.at(-1)).toBe(
      `error: could not connect: connection refused (127.0.0.1:${port}) (gave up after 1.5s, ${retries.length + 1} attempts; raise --wait to wait longer)`,
    );
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });

  it('host not found is retried the same way', async () => {
    const result = await cli(['up', '--wait', '1'], 'postgres://app:s3cret-pw@aeturnis-no-such-host.invalid:5432/game');
    expect(result.code).toBe(4);
    const errors = lines(result.stderr);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(errors[0]).toMatch(RETRY_LINE);
    expect(errors[0]).toContain('host not found (aeturnis-no-such-host.invalid)');
    expect(errors.at(-1)).toMatch(
      /^error: could not connect: host not found \(aeturnis-no-such-host\.invalid\) \(gave up after 1s, \d+ attempts; raise --wait to wait longer\)$/,
    );
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });

  it('--wait 0 (or AETURNIS_WAIT=0) makes one attempt', async () => {
    const port = await closedPort();
    const url = `postgres://app@127.0.0.1:${port}/game`;
    for (const result of [
      await cli(['up', '--wait', '0'], url),
      await runCli(['up'], { cwd: project.dir, databaseUrl: url, env: { AETURNIS_WAIT: '0' } }),
    ]) {
      expect(result.code).toBe(4);
      expect(lines(result.stderr)).toEqual([`error: could not connect: connection refused (127.0.0.1:${port})`]);
    }
  });

  it('SIGTERM while waiting for the database: exit 143 at once', async () => {
    const port = await closedPort();
    const runner = watchCli(['up', '--wait', '60'], { cwd: project.dir, databaseUrl: `postgres://app@127.0.0.1:${port}/game` });
    await waitWhileRunning([runner], () => runner.live.stderr.includes('retry 1 in'), 'the first retry line');
    runner.child.kill('SIGTERM');
    const result = await runner.done;
    expect(result.code).toBe(143);
    expect(lines(result.stderr).at(-1)).toBe('error: interrupted by SIGTERM; nothing further was changed');
  });

  it('keeps retrying a refusal that heals (too many connections) and then migrates', async () => {
    // A role limited to two connections (up holds the runner lock on a second one): while the
    // test holds both, the server refuses the CLI with SQLSTATE 53300; when the test lets go,
    // the next attempt gets in.
    const db = await database();
    const limited = await role('LOGIN CONNECTION LIMIT 2');
    await adminQuery(`ALTER DATABASE ${db.name} OWNER TO ${limited.name}`);
    const blockers = [new pg.Client({ connectionString: limited.url(db) }), new pg.Client({ connectionString: limited.url(db) })];
    for (const client of blockers) await client.connect();
    const blocker = { end: () => Promise.all(blockers.map((client) => client.end())) };
    let released = false;
    try {
      const runner = watchCli(['up', '--wait', '30'], { cwd: project.dir, databaseUrl: limited.url(db) });
      await waitWhileRunning([runner], () => lines(runner.live.stderr).length >= 2, 'two retry lines');
      await blocker.end();
      released = true;
      const result = await runner.done;
      expect(result.code).toBe(0);
      const errors = lines(result.stderr);
      expect(errors.length).toBeGreaterThanOrEqual(2);
      for (const line of errors) {
        expect(line).toMatch(RETRY_LINE);
        expect(line).toContain(`too many connections for role "${limited.name}" (SQLSTATE 53300)`);
      }
      expect(result.stdout).toContain('Applied 0001_a.sql');
    } finally {
      if (!released) await blocker.end();
    }
  });
});

describe('a role limited to one connection', () => {
  it('up: exit 4 saying the runner lock needs a second connection; nothing applied', async () => {
    const db = await database();
    const limited = await role('LOGIN CONNECTION LIMIT 1');
    await adminQuery(`ALTER DATABASE ${db.name} OWNER TO ${limited.name}`);
    const result = await runCli(['up', '--wait', '0'], { cwd: project.dir, databaseUrl: limited.url(db) });
    expect(result.code).toBe(4);
    const errors = lines(result.stderr);
    expect(errors.at(-1)).toContain(`too many connections for role "${limited.name}"`);
    expect(errors.at(-1)).toContain('the role needs at least 2 connections');
    expect(await db.query("SELECT to_regclass('public.schema_migrations') IS NULL AS none")).toEqual([{ none: true }]);
  });
});

describe('errors that cannot heal: exit 4 at once, with a hint', () => {
  // The suite's server accepts 127.0.0.1 with `trust` (SHOW hba_file), so a wrong password is
  // never checked and cannot fail here. These are the authentication failures the server does
  // report whatever pg_hba.conf says (SQLSTATE 28000, the same path as 28P01 in the CLI):
  // a role that does not exist, and a role that may not log in (NOLOGIN, with a password).
  it('a role that does not exist', async () => {
    const db = await database();
    const url = new URL(serverUrl(db.name));
    url.username = 'aeturnis_no_such_role';
    url.password = 's3cret-pw';
    const result = await cli(['up', '--wait', '30'], url.toString());
    expect(result.code).toBe(4);
    expect(lines(result.stderr)).toEqual([
      'error: could not connect: role "aeturnis_no_such_role" does not exist (SQLSTATE 28000) — check the user and password in the connection URL or PGUSER/PGPASSWORD',
    ]);
    expect(result.stdout + result.stderr).not.toContain('s3cret-pw');
  });

  it('a role that is not permitted to log in, given its password', async () => {
    const db = await database();
    const locked = await role(`NOLOGIN PASSWORD 'right-pw-123'`);
    const result = await cli(['up', '--wait', '30'], locked.url(db, 'right-pw-123'));
    expect(result.code).toBe(4);
    expect(lines(result.stderr)).toEqual([
      `error: could not connect: role "${locked.name}" is not permitted to log in (SQLSTATE 28000) — check the user and password in the connection URL or PGUSER/PGPASSWORD`,
    ]);
    expect(result.stdout + result.stderr).not.toContain('right-pw-123');
  });

  it('a database that does not exist', async () => {
    const result = await cli(['up', '--wait', '30'], serverUrl('aeturnis_no_such_db'));
    expect(result.code).toBe(4);
    expect(lines(result.stderr)).toEqual([
      'error: could not connect: database "aeturnis_no_such_db" does not exist (SQLSTATE 3D000) — create the database first (createdb) or fix its name in the connection URL or PGDATABASE',
    ]);
  });

  it('connects with application_name aeturnis-db', async () => {
    const db = await database();
    // Visible to other sessions while the runner works (pg_stat_activity), e.g. in the lock holder line.
    project.write('0002_sleep.sql', '-- UP\nSELECT pg_sleep(30);\n-- DOWN\n');
    const runner = watchCli(['up'], { cwd: project.dir, databaseUrl: db.url });
    try {
      const names = await waitWhileRunning(
        [runner],
        async () => {
          const rows = await db.query<{ application_name: string; query: string }>(
            `SELECT application_name, query FROM pg_stat_activity WHERE datname = $1 AND query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()`,
            [db.name],
          );
          return rows.length > 0 ? rows.map((r) => r.application_name) : undefined;
        },
        'the runner session',
      );
      expect(names).toEqual(['aeturnis-db']);
    } finally {
      runner.child.kill('SIGINT');
      expect((await runner.done).code).toBe(130);
    }
  });
});
