/**
 * The CLI keeps V8's compiled code of each command between runs (bin/compile-cache.cjs: start-up
 * speed). What a user must see: the cache is written where the README says, one file per command
 * (runs over many databases apart), and it is never required — a damaged file, an unwritable
 * place or `off` change nothing of what a command prints or returns.
 */
import { chownSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, collect, repoRoot } from '../support/cli.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { db, project, cli } = useTestProject();

let cacheRoot: string;
beforeEach(() => {
  cacheRoot = join(tmpdir(), `aeturnis-cache-test-${process.pid}-${Date.now()}`);
  mkdirSync(cacheRoot, { recursive: true });
});
afterEach(() => rmSync(cacheRoot, { recursive: true, force: true }));

const cacheFiles = (dir: string): string[] => readdirSync(dir).sort();
const statusTable = (stdout: string): string => stdout.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ/g, 'TIME').replace(/\d+ ms/g, 'N ms');

describe('compiled-code cache', () => {
  it('keeps one file per command in AETURNIS_COMPILE_CACHE; a later run reads it and prints the same', async () => {
    project.write('0001_guilds.sql', tableMigration('guilds'));
    const dir = join(cacheRoot, 'cache');
    const env = { AETURNIS_COMPILE_CACHE: dir };
    expect((await cli(['up'], env)).code).toBe(0);
    const first = await cli(['status'], env);
    expect(first.code).toBe(0);
    expect(cacheFiles(dir).map((name) => name.replace(/^.*-/, ''))).toEqual(['status.v8cache', 'up.v8cache']);

    const statusFile = join(dir, cacheFiles(dir).find((name) => name.endsWith('-status.v8cache')) ?? '');
    const written = readFileSync(statusFile);
    const second = await cli(['status'], env);
    expect(second.code).toBe(0);
    expect(statusTable(second.stdout)).toBe(statusTable(first.stdout));
    // Accepted by V8, so not written again.
    expect(readFileSync(statusFile).equals(written)).toBe(true);

    // A run over many databases sets a V8 flag; its code is kept apart.
    const targets = join(project.dir, 'targets');
    writeFileSync(targets, `a=${db.url}\n`);
    expect((await cli(['status', '--targets', targets], env)).code).toBe(0);
    expect(cacheFiles(dir).some((name) => name.endsWith('-status-fleet.v8cache'))).toBe(true);
  });

  it('a damaged cache file (garbage, cut short) is ignored and replaced; the command runs as always', async () => {
    project.write('0001_guilds.sql', tableMigration('guilds'));
    const env = { AETURNIS_COMPILE_CACHE: cacheRoot };
    const reference = await cli(['status'], env);
    const file = join(cacheRoot, cacheFiles(cacheRoot)[0] ?? '');
    const good = readFileSync(file);

    for (const damaged of [Buffer.alloc(good.length, 0x5a), good.subarray(0, good.length >> 1)]) {
      writeFileSync(file, damaged);
      const run = await cli(['status'], env);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(statusTable(run.stdout)).toBe(statusTable(reference.stdout));
      const rewritten = readFileSync(file);
      expect(rewritten.equals(damaged)).toBe(false);
      expect(rewritten.length).toBeGreaterThan(good.length / 2);
    }
  });

  // Only root can give a file to another user; CI runs as root.
  it.runIf(process.getuid?.() === 0)(
    'a cache file of another user is not run (sudo, HOME left at a user home): it is replaced',
    async () => {
      project.write('0001_guilds.sql', tableMigration('guilds'));
      const env = { AETURNIS_COMPILE_CACHE: cacheRoot };
      expect((await cli(['status'], env)).code).toBe(0);
      const file = join(cacheRoot, cacheFiles(cacheRoot)[0] ?? '');
      const nobody = 65534;
      chownSync(file, nobody, nobody);
      const run = await cli(['status'], env);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/1 pending/);
      expect(statSync(file).uid).toBe(0); // written anew by this user, not read
    },
  );

  it('an unwritable place or AETURNIS_COMPILE_CACHE=off: no cache, same result', async () => {
    project.write('0001_guilds.sql', tableMigration('guilds'));
    const blocker = join(cacheRoot, 'a-file');
    writeFileSync(blocker, '');
    const unwritable = await cli(['up'], { AETURNIS_COMPILE_CACHE: join(blocker, 'cache') });
    expect(unwritable.code).toBe(0);
    expect(unwritable.stdout + unwritable.stderr).toMatch(/^Applied 0001_guilds\.sql/m);
    expect(unwritable.stderr).not.toMatch(/error|cache/i);
    expect(await db.query(`SELECT to_regclass('public.guilds') IS NOT NULL AS present`)).toEqual([{ present: true }]);

    const home = join(cacheRoot, 'home');
    mkdirSync(home);
    const off = await cli(['status'], { AETURNIS_COMPILE_CACHE: 'off', HOME: home, XDG_CACHE_HOME: undefined });
    expect(off.code).toBe(0);
    expect(readdirSync(home)).toEqual([]);
    // Without the setting: the user's own cache directory.
    expect((await cli(['status'], { HOME: home, XDG_CACHE_HOME: undefined })).code).toBe(0);
    expect(cacheFiles(join(home, '.cache', 'aeturnis-db')).map((name) => name.replace(/^.*-/, ''))).toEqual(['status.v8cache']);
  });

  it('a rebuilt CLI replaces its own old caches; those of another install (another project) are kept', async () => {
    project.write('0001_guilds.sql', tableMigration('guilds'));
    const installs = ['a', 'b'].map((name) => {
      const root = join(cacheRoot, name);
      cpSync(join(repoRoot, 'bin'), join(root, 'bin'), { recursive: true });
      cpSync(join(repoRoot, 'dist', 'bundle'), join(root, 'dist', 'bundle'), { recursive: true });
      return root;
    });
    const dir = join(cacheRoot, 'cache');
    const status = (install: string) =>
      collect(
        spawn(process.execPath, [join(install, 'bin', 'aeturnis-db.js'), 'status'], {
          cwd: project.dir,
          env: cliEnv({ databaseUrl: db.url, env: { AETURNIS_COMPILE_CACHE: dir } }),
        }),
      );
    for (const install of installs) expect((await status(install)).code).toBe(0);
    const before = cacheFiles(dir);
    expect(before).toHaveLength(2);

    // A rebuild of install a: its bundle gets a new time.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(installs[0] ?? '', 'dist', 'bundle', 'aeturnis-db.cjs'), later, later);
    expect((await status(installs[0] ?? '')).code).toBe(0);
    const after = cacheFiles(dir);
    expect(after).toHaveLength(2);
    const kept = after.filter((name) => before.includes(name));
    expect(kept).toHaveLength(1); // b's, untouched
    expect((await status(installs[1] ?? '')).code).toBe(0);
    expect(cacheFiles(dir)).toEqual(after);
  });
});
