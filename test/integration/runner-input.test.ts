import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliEnv, collect, repoRoot, runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { oneError, useTestProject } from '../support/test-project.js';

// Bad input: each is one line on stderr with its exit code, no stack trace, and nothing applied.
// None of these may change the database, so they share one (each asserts it stayed empty).

const { db, project, cli, tables } = useTestProject({ database: 'file' });

/**
 * The built CLI (its launcher and self-contained bundle) copied where any user may read it: a
 * checkout in a private (mode 700) directory is out of `nobody`'s reach.
 */
let readableCli: string | undefined;
function cliReadableByAnyone(): string {
  if (readableCli) return readableCli;
  const dir = mkdtempSync(join(tmpdir(), 'aeturnis-cli-'));
  for (const part of ['bin', 'dist/bundle', 'package.json']) cpSync(join(repoRoot, part), join(dir, part), { recursive: true });
  chmodSync(dir, 0o755);
  readableCli = join(dir, 'bin/aeturnis-db.js');
  return readableCli;
}

afterAll(() => {
  if (readableCli) rmSync(join(readableCli, '../..'), { recursive: true, force: true });
});

/** Runs the CLI as user `nobody` when we are root (root reads files whatever their mode). */
function runAsUnprivileged(args: string[]): Promise<CliResult> {
  const asRoot = process.getuid?.() === 0;
  if (asRoot) chmodSync(project.dir, 0o755);
  const launcher = asRoot ? cliReadableByAnyone() : join(repoRoot, 'bin/aeturnis-db.js');
  const child = spawn(process.execPath, [launcher, ...args], {
    cwd: project.dir,
    env: cliEnv({ databaseUrl: db.url }),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
  });
  return collect(child);
}

describe('bad input: one line, exit code, nothing applied', () => {
  it('missing migrations directory (flag, environment variable, a file instead of a directory)', async () => {
    const viaFlag = await cli(['up', '--dir', 'nope']);
    expect(viaFlag.code).toBe(2);
    expect(oneError(viaFlag)).toBe(
      `error: migrations directory ${join(project.dir, 'nope')} does not exist (set --dir or AETURNIS_MIGRATIONS_DIR)`,
    );

    const viaEnv = await cli(['up'], { AETURNIS_MIGRATIONS_DIR: 'elsewhere' });
    expect(viaEnv.code).toBe(2);
    expect(oneError(viaEnv)).toContain(`migrations directory ${join(project.dir, 'elsewhere')} does not exist`);

    writeFileSync(join(project.dir, 'afile'), 'x');
    const notDir = await cli(['up', '--dir', 'afile']);
    expect(notDir.code).toBe(2);
    expect(oneError(notDir)).toBe(`error: migrations directory ${join(project.dir, 'afile')} is not a directory`);
    expect(await tables()).toEqual([]);
  });

  it('unreadable migrations directory, and an unreadable migration file', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    chmodSync(project.migrationsDir, 0o000);
    const dir = await runAsUnprivileged(['up']);
    expect(dir.code).toBe(2);
    expect(oneError(dir)).toBe(`error: migrations directory ${project.migrationsDir} is not readable (permission denied)`);

    chmodSync(project.migrationsDir, 0o755);
    chmodSync(join(project.migrationsDir, '0001_a.sql'), 0o000);
    const file = await runAsUnprivileged(['up']);
    expect(file.code).toBe(2);
    expect(oneError(file)).toBe('error: 0001_a.sql: cannot be read (permission denied)');
    expect(await tables()).toEqual([]);
  });

  it.each([
    [
      'a bad port',
      'postgres://app:s3cret-pw@db.example:notaport/game',
      /^error: --database-url is not a valid URL: postgres:\/\/app:\*+@db\.example:notaport\/game/,
    ],
    [
      'no // after the scheme',
      'postgres:/app:s3cret-pw@db.example/game',
      /^error: --database-url is not a valid URL: postgres:\/app:\*+@db\.example\/game/,
    ],
    ['another scheme', 'mysql://app:s3cret-pw@db.example/game', /^error: --database-url must start with postgres:\/\/ or postgresql:\/\//],
    [
      'an @ in the password',
      'postgres://app:s3cret-pw@x@db.example:5432:1/game',
      /^error: --database-url is not a valid URL: postgres:\/\/app:\*+@db\.example:5432:1\/game/,
    ],
  ])('malformed URL (%s): exit 2 naming the setting, password hidden', async (_what, url, expected) => {
    const result = await runCli(['up', '--database-url', url], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(expected);
    expect(result.stdout + result.stderr).not.toContain('s3cret');
  });

  it('malformed DATABASE_URL names DATABASE_URL', async () => {
    const result = await runCli(['status'], { cwd: project.dir, databaseUrl: 'postgres://app:s3cret-pw@db.example:99x/game' });
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(/^error: DATABASE_URL is not a valid URL: /);
    expect(result.stderr).not.toContain('s3cret');
  });

  it.each([
    [['stauts'], "error: unknown command 'stauts' (Did you mean status?) (see aeturnis-db --help)"],
    [['up', '--dryrun'], "error: unknown option '--dryrun' (Did you mean --dry-run?) (see aeturnis-db --help)"],
    [['--lock-timout', '5', 'up'], "error: unknown option '--lock-timout' (Did you mean --lock-timeout?) (see aeturnis-db --help)"],
    [['down', 'two'], 'error: down N must be a whole number >= 0 (got "two")'],
    [['down', '2x'], 'error: down N must be a whole number >= 0 (got "2x")'],
    [['up', '--lock-timeout', 'soon'], 'error: --lock-timeout must be a number of seconds >= 0 (got "soon")'],
    [['up', '--wait', '-1'], 'error: --wait must be a number of seconds >= 0 (got "-1")'],
  ])('%j: exit 2, %s', async (args, expected) => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(expected);
    expect(await tables()).toEqual([]);
  });

  it('a file that is not valid UTF-8: exit 2 naming it, before anything is applied', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_latin1.sql', Buffer.from('-- UP\nINSERT INTO a VALUES (1); -- caf\xe9\n-- DOWN\n', 'latin1'));
    const result = await cli(['up']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe('error: 0002_latin1.sql: not valid UTF-8 text (save the file as UTF-8)');
    expect(await tables()).toEqual([]);
  });
  it('a NUL byte in a migration: exit 2 naming the file and line, before anything is applied', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_nul.sql', Buffer.from('-- UP\nINSERT INTO a VALUES (1);\nSELECT 1;\0\n-- DOWN\n', 'utf8'));
    const result = await cli(['up']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe('error: 0002_nul.sql: holds a NUL byte (line 3): save it as plain text');
    expect(await tables()).toEqual([]);
  });

  it('a directory named like a migration: exit 2 naming it, before anything is applied', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    mkdirSync(join(project.migrationsDir, '0002_x.sql'));
    const result = await cli(['up']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe('error: 0002_x.sql: is a directory, not a migration file (rename or move it)');
    expect(await tables()).toEqual([]);
  });

  it('version 0: exit 2 naming the file (versions start at 1, so down --to 0 can mean "all")', async () => {
    project.write('0000_zero.sql', tableMigration('zero'));
    project.write('0001_a.sql', tableMigration('a'));
    for (const args of [['up'], ['status']]) {
      const result = await cli(args);
      expect(result.code).toBe(2);
      expect(oneError(result)).toBe('error: 0000_zero.sql: version 0 is not allowed: versions start at 1 (rename it, e.g. to 0001_...)');
    }
    expect(await tables()).toEqual([]);
  });

  it('--to naming no known version, for up and for down', async () => {
    // This one applies migrations, so it gets a database of its own.
    const own = await createTestDatabase();
    const ownCli = (args: string[]) => runCli(args, { cwd: project.dir, databaseUrl: own.url });
    const ownVersions = async () =>
      (await own.query<{ v: string }>(`SELECT version::text AS v FROM schema_migrations ORDER BY version`)).map((r) => Number(r.v));
    try {
      project.write('0001_a.sql', tableMigration('a'));
      project.write('0002_b.sql', tableMigration('b'));
      const up = await ownCli(['up', '--to', '7']);
      expect(up.code).toBe(2);
      expect(oneError(up)).toBe('error: --to 7: no migration has version 7');
      expect(await ownVersions()).toEqual([]);

      expect((await ownCli(['up'])).code).toBe(0);
      const down = await ownCli(['down', '--to', '9']);
      expect(down.code).toBe(2);
      expect(oneError(down)).toBe('error: --to 9: no migration has version 9 (use --to 0 to roll back everything)');
      expect(await ownVersions()).toEqual([1, 2]);
    } finally {
      await own.drop();
    }
  });
});
