/**
 * reset's guards: a production environment — the shell's, or the one the database recorded at
 * its last `up` — needs --allow-production, and --force never stands in for it (exit 2, nothing
 * touched); no terminal needs --force; on a terminal (a pseudo-terminal from `script`) it names
 * the database and asks y/N; and it holds the runner lock from the drop to the last migration,
 * so an `up` waits for it.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cliEnv, collect, repoRoot, type CliResult } from '../support/cli.js';
import { lines, waitWhileRunning, type WatchedCli } from '../support/runner-safety.js';
import { oneError, useTestProject } from '../support/test-project.js';

const { db, project, cli, start, versions } = useTestProject();

const migration = (up: string, down = 'SELECT 1;') => `-- UP\n${up}\n-- DOWN\n${down}\n`;
const itemCount = async () => Number((await db.query<{ n: string }>('SELECT count(*)::text AS n FROM items'))[0]?.n);

/** A migrated database holding one row, so "nothing touched" is visible. */
async function migratedWithData(): Promise<void> {
  project.write('0001_items.sql', migration('CREATE TABLE items (id int);'));
  expect((await cli(['up'])).code).toBe(0);
  await db.query('INSERT INTO items VALUES (1)');
}

/**
 * Runs `aeturnis-db reset` on a pseudo-terminal (util-linux `script`), types `answer` once the
 * question is on the screen, and returns what the terminal showed.
 */
async function resetOnTerminal(answer: string): Promise<CliResult & { screen: string }> {
  const command = `'${process.execPath}' '${repoRoot}/bin/aeturnis-db.js' reset --no-partitions`;
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: project.dir,
    env: cliEnv({ databaseUrl: db.url }),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const done = collect(child);
  let screen = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk: string) => {
      screen += chunk;
      if (screen.includes('[y/N]')) resolve();
    });
    child.once('close', () => reject(new Error(`exited before asking; the terminal showed: ${screen}`)));
  });
  child.stdin?.write(`${answer}\n`);
  const result = await done;
  child.stdin?.end();
  return { ...result, screen: screen + result.stdout };
}

describe('the production guard', () => {
  it('under NODE_ENV=production, --force is not enough: exit 2 naming NODE_ENV and --allow-production, nothing touched', async () => {
    await migratedWithData();
    for (const args of [['reset'], ['reset', '--force']]) {
      const result = await cli(args, { NODE_ENV: 'production' });
      expect(result.code).toBe(2);
      expect(oneError(result)).toMatch(
        /^error: refusing to reset with NODE_ENV=production \(.*\): pass --allow-production if you really mean it$/,
      );
    }
    expect(await itemCount()).toBe(1);
  });

  it('with --allow-production (and --force off a terminal) it runs under NODE_ENV=production', async () => {
    await migratedWithData();
    const result = await cli(['reset', '--force', '--allow-production'], { NODE_ENV: 'production' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await itemCount()).toBe(0);
  });

  it('a database last migrated with NODE_ENV=production refuses reset --force and seed from a shell without NODE_ENV (exit 2, nothing touched)', async () => {
    project.write('0001_items.sql', migration('CREATE TABLE items (id int);'));
    mkdirSync(join(project.dir, 'seeds'));
    writeFileSync(join(project.dir, 'seeds', '0001_items.sql'), 'INSERT INTO items VALUES (2);\n');
    expect((await cli(['up'], { NODE_ENV: 'production' })).code).toBe(0);
    await db.query('INSERT INTO items VALUES (1)');

    const refusal =
      /^error: refusing to (reset|seed): this database was last migrated with NODE_ENV=production \(recorded in public\.schema_migrations_metadata; .*\): pass --allow-production if you really mean it$/;
    const reset = await cli(['reset', '--force']);
    expect(reset.code).toBe(2);
    expect(oneError(reset)).toMatch(refusal);
    const seed = await cli(['seed'], { AETURNIS_ENV: 'development' });
    expect(seed.code).toBe(2);
    expect(oneError(seed)).toMatch(refusal);
    expect(await db.query('SELECT id FROM items')).toEqual([{ id: 1 }]);

    // An up from a development shell records that instead: the database is a development one again.
    expect((await cli(['up'], { NODE_ENV: 'development' })).code).toBe(0);
    expect((await cli(['seed'])).code).toBe(0);
    expect(await db.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('--allow-production passes the recorded environment too', async () => {
    project.write('0001_items.sql', migration('CREATE TABLE items (id int);'));
    expect((await cli(['up'], { AETURNIS_ENV: 'staging' })).code).toBe(0);
    await db.query('INSERT INTO items VALUES (1)');
    const refused = await cli(['reset', '--force']);
    expect(oneError(refused)).toContain('last migrated with AETURNIS_ENV=staging');
    const result = await cli(['reset', '--force', '--allow-production']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await itemCount()).toBe(0);
  });
});

describe('the recorded environment is data', () => {
  it("an environment name holding the record's own dollar quote ($aeturnis$) is recorded and read back as it is", async () => {
    project.write('0001_items.sql', migration('CREATE TABLE items (id int);'));
    const name = "prod$aeturnis$'; DROP TABLE items; --";
    const up = await cli(['up'], { AETURNIS_ENV: name });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const refused = await cli(['reset', '--force']);
    expect(refused.code).toBe(2);
    expect(oneError(refused)).toContain(`last migrated with AETURNIS_ENV=${name}`);
    expect(await itemCount()).toBe(0);
    expect(await db.query("SELECT to_regclass('public.items') IS NOT NULL AS kept")).toEqual([{ kept: true }]);
  });
});

describe('reset refuses without --force', () => {
  it('off a terminal (CI, a pipe): exit 2 saying --force is needed, nothing touched', async () => {
    await migratedWithData();
    const result = await cli(['reset']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(
      'error: refusing to reset without confirmation: stdin is not a terminal, so nobody can answer; pass --force to reset without asking',
    );
    expect(await itemCount()).toBe(1);
  });
});

describe('reset on a terminal', () => {
  it('names the database and what it drops, and a "n" changes nothing', async () => {
    await migratedWithData();
    const result = await resetOnTerminal('n');
    expect(result.code).toBe(0);
    expect(result.screen).toContain(
      `Reset database ${db.name}? This drops schema public with all its data (the journal public.schema_migrations too), then applies 1 migration. [y/N]`,
    );
    expect(result.screen).toContain('Reset cancelled: nothing was changed');
    expect(await itemCount()).toBe(1);
  });

  it('a "y" resets', async () => {
    await migratedWithData();
    const result = await resetOnTerminal('y');
    expect(result.code).toBe(0);
    expect(result.screen).toContain(`Reset database ${db.name}: applied 1 migration in`);
    expect(await itemCount()).toBe(0);
  });
});

describe('reset and up never interleave', () => {
  it('an up started while reset holds the runner lock waits, then finds nothing to do', async () => {
    // 0002 reads keep.gate, which the test holds locked: reset stops there, lock held, after
    // dropping and re-applying 0001.
    await db.query('CREATE SCHEMA keep; CREATE TABLE keep.gate (id int)');
    project.write('0001_items.sql', migration('CREATE TABLE items (id int);'));
    project.write('0002_gated.sql', migration('SELECT count(*) FROM keep.gate;'));
    expect((await cli(['up'])).code).toBe(0);
    await db.query('INSERT INTO items VALUES (1)');

    const gate = new pg.Client({ connectionString: db.url });
    await gate.connect();
    await gate.query('BEGIN; LOCK TABLE keep.gate IN ACCESS EXCLUSIVE MODE');
    let resetting: WatchedCli | undefined;
    try {
      resetting = start(['reset', '--force', '--no-partitions']);
      await waitWhileRunning([resetting], async () => resetting?.live.stdout.includes('Applied 0001_items.sql'), 'reset to re-apply 0001');
      const up = start(['up', '--no-partitions']);
      await waitWhileRunning([up], () => up.live.stdout.includes('Waiting for the runner lock'), 'up to wait for the lock');
      expect(await versions()).toEqual([1]); // reset is half way: up must not step in now
      await gate.query('COMMIT');

      const resetResult = await resetting.done;
      expect(resetResult.code, resetResult.stderr).toBe(0);
      const upResult = await up.done;
      expect(upResult.code, upResult.stderr).toBe(0);
      expect(lines(upResult.stdout)).toContain('Nothing to migrate: the database is up to date');
      expect(await versions()).toEqual([1, 2]);
      expect(await itemCount()).toBe(0);
    } finally {
      await gate.end();
    }
  });
});
