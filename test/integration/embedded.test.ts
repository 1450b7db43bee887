import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { collect, repoRoot, runCli, startCli, type CliResult } from '../support/cli.js';
import { tempProject, type TempProject } from '../support/project.js';

// With no DATABASE_URL, no PG* and no AETURNIS_* (cliEnv strips them), every command uses the
// embedded database. Each test has its own project directory, so its own data directory.

const TIMEOUT = 150_000;
const CLI_TIMEOUT = 120_000;
let template: string;
let project: TempProject;

beforeAll(async () => {
  // One database created here and copied into the tests that do not test creation itself,
  // so they skip the first-start cost.
  template = mkdtempSync(join(tmpdir(), 'aeturnis-embedded-template-'));
  mkdirSync(join(template, 'migrations'));
  // `up` (with nothing to apply): read-only commands such as status never create the database.
  const result = await runCli(['up', '--embedded-dir', 'data'], { cwd: template, timeoutMs: CLI_TIMEOUT });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}, TIMEOUT);
afterAll(() => {
  rmSync(template, { recursive: true, force: true });
});
afterEach(() => {
  project.remove();
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { cwd: project.dir, env, timeoutMs: CLI_TIMEOUT });
const dataDir = () => join(project.dir, '.aeturnis', 'db');
const lockDir = () => join(project.dir, '.aeturnis', 'db.lock');
/** Gives the project an existing embedded database at the default place. */
const withDatabase = () => cpSync(join(template, 'data'), dataDir(), { recursive: true });
const statusRows = async () => {
  const result = await cli(['status', '--json']);
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as { version: number; state: string }[]).map((row) => [row.version, row.state]);
};
const migration = (up: string, down = 'SELECT 1;') => `-- UP\n${up}\n-- DOWN\n${down}\n`;
/** A migration that fails (so `up` exits 1) unless `condition` holds. */
const check = (condition: string) =>
  migration(`DO $$ BEGIN IF NOT (${condition}) THEN RAISE EXCEPTION 'check failed: %', ${quote(condition)}; END IF; END $$;`);
const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** Resolves once the started CLI has printed text matching `pattern` (on stdout or stderr). */
function printed(child: ChildProcess, pattern: RegExp, timeoutMs = 90_000): Promise<void> {
  let seen = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no output matching ${pattern} within ${timeoutMs} ms; got: ${seen}`)), timeoutMs);
    const onData = (chunk: string) => {
      seen += chunk;
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('close', () => {
      clearTimeout(timer);
      if (!pattern.test(seen)) reject(new Error(`exited before printing ${pattern}; got: ${seen}`));
    });
  });
}

function start(args: string[]): { child: ChildProcess; done: Promise<CliResult> } {
  const child = startCli(args, { cwd: project.dir });
  return { child, done: collect(child, CLI_TIMEOUT) };
}

describe('embedded database (no connection configured)', () => {
  it(
    'up in one process, status and seed in the next: the shipped schema is applied and kept',
    async () => {
      project = tempProject();
      for (const file of readdirSync(join(repoRoot, 'migrations')))
        cpSync(join(repoRoot, 'migrations', file), join(project.migrationsDir, file));
      cpSync(join(repoRoot, 'seeds'), join(project.dir, 'seeds'), { recursive: true });

      const up = await cli(['up']);
      expect(up.stderr).toBe('');
      expect(up.code).toBe(0);
      const lines = up.stdout.split('\n');
      expect(lines[0]).toBe(
        'No database configured: creating an embedded database in .aeturnis/db (set DATABASE_URL or pass --database-url to use a PostgreSQL server)',
      );
      expect(up.stdout).toMatch(/Applied 0001_extensions_and_helpers\.sql[\s\S]*Applied 0006_audit_trail\.sql/);
      expect(up.stdout).toContain('audit_log: created 4 partitions');
      expect(existsSync(join(dataDir(), 'PG_VERSION'))).toBe(true);
      expect(existsSync(lockDir())).toBe(false);

      expect((await cli(['partitions', 'register', 'audit_log'])).code).toBe(0); // status describes registered tables
      const status = await cli(['status']);
      expect(status.code).toBe(0);
      expect(status.stdout.split('\n')[0]).toBe(
        'No database configured: using the embedded database in .aeturnis/db (set DATABASE_URL or pass --database-url to use a PostgreSQL server)',
      );
      expect(status.stdout).toContain('6 applied, 0 pending');
      expect(status.stdout).toContain('audit_log (monthly, ahead 3): 4 partitions');

      const seed = await cli(['seed']);
      expect(seed.stderr).toBe('');
      expect(seed.code).toBe(0);
      expect(seed.stdout).toMatch(/Seeded 0001_dev_users\.sql[\s\S]*Seeded 0002_dev_audit_log\.sql/);

      // The seeded rows and citext behaviour, checked by the database itself in a later process.
      // audit_log: the 5 seeded entries + 4 the audit trail (0006) wrote for the seeds' inserts.
      project.write(
        '0007_check.sql',
        check(
          "(SELECT count(*) FROM users) = 2 AND EXISTS (SELECT 1 FROM users WHERE email = 'ADMIN@aeturnis.test') " +
            'AND (SELECT count(*) FROM audit_log) = 9',
        ),
      );
      const verified = await cli(['up']);
      expect(verified.stderr).toBe('');
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain('Applied 0007_check.sql');
    },
    TIMEOUT,
  );

  it(
    'two runners at once on one directory: one creates and applies, the other waits, nothing is lost',
    async () => {
      project = tempProject({
        '0001_t.sql': migration('CREATE TABLE t (n int PRIMARY KEY); INSERT INTO t SELECT generate_series(1, 100);', 'DROP TABLE t;'),
        '0002_slow.sql': migration('SELECT pg_sleep(1); INSERT INTO t SELECT generate_series(101, 200);'),
        '0003_more.sql': migration('INSERT INTO t SELECT generate_series(201, 300);'),
      });
      const first = start(['up']);
      const second = start(['up']);
      const results = await Promise.all([first.done, second.done]);
      for (const result of results) {
        expect(result.stderr).toBe('');
        expect(result.code).toBe(0);
      }
      const stdout = results.map((r) => r.stdout).join('\n');
      for (const file of ['0001_t.sql', '0002_slow.sql', '0003_more.sql']) {
        expect(stdout.split(`Applied ${file}`)).toHaveLength(2); // exactly once
      }
      const waited = results.filter((r) =>
        /Waiting for the embedded database in \.aeturnis\/db, in use by another aeturnis-db process( \(pid \d+|$)/m.test(r.stdout),
      );
      expect(waited).toHaveLength(1);
      expect(waited[0]?.stdout).toContain('Nothing to migrate');

      project.write('0004_check.sql', check('(SELECT count(*) FROM t) = 300 AND (SELECT count(*) FROM schema_migrations) = 3'));
      const verified = await cli(['up']);
      expect(verified.code).toBe(0);
      expect(verified.stdout).toContain('Applied 0004_check.sql');
    },
    TIMEOUT,
  );

  it(
    'a second runner with --lock-timeout gives up with exit 4 while another holds the directory',
    async () => {
      project = tempProject({
        '0001_a.sql': migration('CREATE TABLE a (id int);', 'DROP TABLE a;'),
        '0002_slow.sql': migration('SELECT pg_sleep(4); INSERT INTO a VALUES (1);'),
      });
      withDatabase();
      const holder = start(['up']);
      await printed(holder.child, /Applied 0001_a\.sql/);
      const waiter = await cli(['status', '--lock-timeout', '1']);
      expect(waiter.code).toBe(4);
      expect(waiter.stderr).toMatch(
        /^error: the embedded database \.aeturnis\/db is in use by another aeturnis-db process \(pid \d+, since [^)]+\); not released within 1s \(--lock-timeout\)\n$/,
      );
      const held = await holder.done;
      expect(held.code).toBe(0);
      expect(held.stdout).toContain('Applied 0002_slow.sql');
    },
    TIMEOUT,
  );

  it(
    'a run killed with SIGKILL mid-migration: the next run takes over its lock, and the killed migration left nothing',
    async () => {
      project = tempProject({
        '0001_a.sql': migration('CREATE TABLE a (id int);', 'DROP TABLE a;'),
        '0002_b.sql': migration('CREATE TABLE b (id int); INSERT INTO b VALUES (1); SELECT pg_sleep(60);', 'DROP TABLE b;'),
      });
      withDatabase();
      const victim = start(['up']);
      // The CLI says so once 0002 has run for 2 s: it is inside its transaction then.
      await printed(victim.child, /Applying 0002_b\.sql: still running/);
      victim.child.kill('SIGKILL');
      const killed = await victim.done;
      expect(killed.signal).toBe('SIGKILL');
      expect(existsSync(lockDir())).toBe(true); // left behind: nobody released it

      // 0002 was never applied, so it may change; CREATE TABLE b succeeds only if the killed
      // transaction left no table b behind.
      project.write('0002_b.sql', migration('CREATE TABLE b (id int); INSERT INTO b VALUES (2);', 'DROP TABLE b;'));
      project.write('0003_check.sql', check('(SELECT count(*) FROM b) = 1 AND (SELECT id FROM b) = 2'));
      const startedAt = Date.now();
      const next = await cli(['up']);
      expect(next.stderr).toBe('');
      expect(next.code).toBe(0);
      expect(next.stdout).toMatch(/Applied 0002_b\.sql[\s\S]*Applied 0003_check\.sql/);
      expect(next.stdout).not.toContain('Applied 0001_a.sql');
      // The dead holder's lock is taken over at once (its pid is gone), not after it goes stale.
      expect(Date.now() - startedAt).toBeLessThan(30_000);
      expect(existsSync(lockDir())).toBe(false);
    },
    TIMEOUT,
  );

  it(
    'SIGTERM mid-migration: the migration is rolled back, the database closed, the process exits promptly',
    async () => {
      project = tempProject({
        '0001_a.sql': migration('CREATE TABLE a (id int);', 'DROP TABLE a;'),
        '0002_b.sql': migration('CREATE TABLE b (id int); SELECT pg_sleep(60);', 'DROP TABLE b;'),
      });
      withDatabase();
      const run = start(['up']);
      await printed(run.child, /Applying 0002_b\.sql: still running/);
      const signalledAt = Date.now();
      run.child.kill('SIGTERM');
      const result = await run.done;
      expect(result.code).toBe(143);
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
      expect(result.stderr).toBe('error: interrupted by SIGTERM: 0002_b.sql was rolled back; completed: 0001_a.sql\n');
      expect(existsSync(lockDir())).toBe(false);

      // Rolled back: 0002 is still pending, and its CREATE TABLE b can run again.
      project.write('0002_b.sql', migration('CREATE TABLE b (id int);', 'DROP TABLE b;'));
      expect(await statusRows()).toEqual([
        [1, 'applied'],
        [2, 'pending'],
      ]);
    },
    TIMEOUT,
  );

  it(
    '--embedded-dir / AETURNIS_EMBEDDED_DIR choose the directory; extensions the migrations create work; a non-database directory is refused',
    async () => {
      project = tempProject({
        '0001_a.sql': migration(
          "CREATE EXTENSION IF NOT EXISTS pgcrypto;\nCREATE TABLE a (h text NOT NULL DEFAULT crypt('secret', gen_salt('bf', 4)));\nINSERT INTO a DEFAULT VALUES;",
          'DROP TABLE a;',
        ),
      });
      cpSync(join(template, 'data'), join(project.dir, 'elsewhere'), { recursive: true });
      const viaEnv = await cli(['up'], { AETURNIS_EMBEDDED_DIR: 'elsewhere' });
      expect(viaEnv.stderr).toBe('');
      expect(viaEnv.code).toBe(0);
      expect(viaEnv.stdout).toContain('using the embedded database in elsewhere');
      expect(viaEnv.stdout).toContain('Applied 0001_a.sql');
      expect(existsSync(dataDir())).toBe(false);

      mkdirSync(join(project.dir, 'docs'));
      writeFileSync(join(project.dir, 'docs', 'notes.md'), 'not a database\n');
      const refused = await cli(['status', '--embedded-dir', 'docs']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toBe(
        'error: docs is not empty and holds no embedded database; set --embedded-dir or AETURNIS_EMBEDDED_DIR to a new or empty directory\n',
      );
      expect(readdirSync(join(project.dir, 'docs'))).toEqual(['notes.md']);
    },
    TIMEOUT,
  );
});
