import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { adminQuery, createTestDatabase } from '../support/db.js';
import { tableMigration, tempProject } from '../support/project.js';
import {
  advisoryLocks,
  allBackends,
  closeGate,
  lines,
  runnerBackends,
  runnerLockHolders,
  waitFor,
  waitWhileRunning,
  watchCli,
  type Gate,
} from '../support/runner-safety.js';
import { useTestProject } from '../support/test-project.js';

// Runner lock: one advisory lock per journal table, held by up/down/partitions/seed for their
// whole run. Every runner here is a separate `node bin/aeturnis-db.js` process.

const { db, project, cli, start, started, versions } = useTestProject();
let gate: Gate | undefined;

beforeEach(() => {
  gate = undefined;
});
// Registered after useTestProject, so it runs before its cleanup: release the gate, then kill
// the runners it held and drop the database.
afterEach(async () => {
  await gate?.release();
});

/** Migration 1 creates t1 and then reads `gate`, so it blocks (holding the runner lock) while the test holds the gate. */
function writeGatedMigrations(count: number): void {
  project.write(
    '0001_t1.sql',
    '-- UP\nCREATE TABLE t1 (id int PRIMARY KEY);\nINSERT INTO t1 VALUES (1);\nSELECT count(*) FROM gate;\n-- DOWN\nDROP TABLE t1;\n',
  );
  for (let n = 2; n <= count; n++) {
    project.write(
      `${String(n).padStart(4, '0')}_t${n}.sql`,
      `-- UP\nCREATE TABLE t${n} (id int PRIMARY KEY);\nINSERT INTO t${n} VALUES (1);\n-- DOWN\nDROP TABLE t${n};\n`,
    );
  }
}

/** The backend of the runner that holds the lock and is blocked on the gate. */
/** Waits for a runner to block inside migration 1; returns the pid of its runner lock's connection (what waiters name). */
async function blockedRunnerPid(): Promise<number> {
  await waitWhileRunning(
    started,
    async () => (await runnerBackends(db)).find((b) => b.wait_event_type === 'Lock' && b.query.includes('gate')),
    'a runner blocked on the gate inside migration 1',
  );
  const [holder] = await runnerLockHolders(db);
  if (holder === undefined) throw new Error('no session holds the runner lock');
  return holder;
}

describe('runner lock', () => {
  it('8 runner processes started at once on 30 pending migrations: all exit 0, each migration applied exactly once', async () => {
    writeGatedMigrations(30);
    gate = await closeGate(db);
    const runners = Array.from({ length: 8 }, () => start(['up']));

    // One runner gets the lock and blocks in migration 1; the seven others wait for the lock,
    // say so, and name the holder.
    const holderPid = await blockedRunnerPid();
    await waitWhileRunning(
      runners,
      () => runners.filter((r) => r.live.stdout.includes('Waiting for the runner lock')).length === 7,
      'seven waiting runners',
    );
    for (const runner of runners.filter((r) => r.live.stdout.includes('Waiting'))) {
      expect(runner.live.stdout).toMatch(
        new RegExp(`Waiting for the runner lock, held by pid ${holderPid} \\(aeturnis-db, from [^)]+\\) connected since \\d{4}-`),
      );
    }
    // Every session of the runners says who it is.
    const names = new Set((await allBackends(db)).map((b) => b.application_name));
    expect([...names].sort()).toEqual(['aeturnis-db', 'runner-safety-test']);

    await gate.release();
    const results = await Promise.all(runners.map((r) => r.done));

    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const appliedLines = results.flatMap((r) => lines(r.stdout).filter((l) => l.startsWith('Applied 0')));
    expect(appliedLines).toHaveLength(30);
    expect(new Set(appliedLines.map((l) => l.split(' ')[1])).size).toBe(30);
    // The lock is held for the whole run: one runner applied all 30, the others found nothing to do.
    expect(results.filter((r) => r.stdout.includes('Applied 30 migrations'))).toHaveLength(1);
    expect(results.filter((r) => r.stdout.includes('Nothing to migrate'))).toHaveLength(7);

    expect(await versions()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const rowCounts = await db.query<{ n: string }>(
      Array.from({ length: 30 }, (_, i) => `SELECT count(*)::text AS n FROM t${i + 1}`).join(' UNION ALL '),
    );
    expect(rowCounts.map((r) => r.n)).toEqual(Array.from({ length: 30 }, () => '1'));
    expect(await advisoryLocks(db)).toBe(0);
  });

  it('--lock-timeout: exit 4 naming the holder (pid, application_name, since when); applies nothing', async () => {
    // Other databases of the same server migrate at the same time under the same lock key
    // (advisory locks are per database, pg_locks shows them all): the holder named must be ours.
    const others = [await createTestDatabase(), await createTestDatabase()];
    const otherProject = tempProject({ '0001_sleep.sql': '-- UP\nSELECT pg_sleep(60);\n-- DOWN\n' });
    const otherRunners = others.map((other) => watchCli(['up'], { cwd: otherProject.dir, databaseUrl: other.url }));
    try {
      await waitWhileRunning(
        otherRunners,
        async () =>
          (await Promise.all(others.map((other) => runnerBackends(other)))).every((bs) => bs.some((b) => b.query.includes('pg_sleep'))),
        'the runners of the other databases to hold their locks',
      );
      writeGatedMigrations(3);
      gate = await closeGate(db);
      const holder = start(['up']);
      const holderPid = await blockedRunnerPid();

      const result = await cli(['up', '--lock-timeout', '1']);
      expect(result.code).toBe(4);
      const errors = lines(result.stderr);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(
        new RegExp(
          `^error: runner lock not obtained within 1s: held by pid ${holderPid} \\(aeturnis-db, from 127\\.0\\.0\\.1\\) connected since \\d{4}-\\d\\d-\\d\\dT`,
        ),
      );
      expect(result.stdout).not.toContain('Applied');

      // The environment variable works the same way.
      const fromEnv = await cli(['up'], { AETURNIS_LOCK_TIMEOUT: '0' });
      expect(fromEnv.code).toBe(4);
      expect(lines(fromEnv.stderr)).toEqual([expect.stringContaining(`runner lock not obtained within 0s: held by pid ${holderPid} (`)]);

      await gate.release();
      const first = await holder.done;
      expect(first.code).toBe(0);
      expect(first.stdout).toContain('Applied 3 migrations');
      expect(await versions()).toEqual([1, 2, 3]);
    } finally {
      for (const runner of otherRunners) runner.child.kill('SIGKILL');
      for (const other of others) await other.drop();
      otherProject.remove();
    }
  });

  it('down, partitions and seed take the same lock; status and validate do not', async () => {
    writeGatedMigrations(2);
    const seeds = join(project.dir, 'seeds');
    mkdirSync(seeds);
    writeFileSync(join(seeds, '001_rows.sql'), 'CREATE TABLE seeded (id int);\n');
    gate = await closeGate(db);
    const holder = start(['up']);
    await blockedRunnerPid();

    for (const args of [
      ['down', '--lock-timeout', '0'],
      ['partitions', '--lock-timeout', '0'],
      ['seed', '--seeds-dir', seeds, '--lock-timeout', '0'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(4);
      expect(lines(result.stderr), args.join(' ')).toEqual([
        expect.stringMatching(/^error: runner lock not obtained within 0s: held by pid \d+ \(aeturnis-db/),
      ]);
    }
    const tables = await db.query<{ t: string }>(`SELECT tablename AS t FROM pg_tables WHERE tablename = 'seeded'`);
    expect(tables).toEqual([]);

    const status = await cli(['status', '--json']);
    expect(status.code).toBe(0);
    expect((JSON.parse(status.stdout) as { state: string }[]).map((r) => r.state)).toEqual(['pending', 'pending']);
    expect((await cli(['validate'])).code).toBe(0);

    await gate.release();
    expect((await holder.done).code).toBe(0);
  });

  it('is keyed on the qualified journal table name: another journal does not wait, the same one spelled differently does', async () => {
    writeGatedMigrations(1);
    const other = tempProject({ '0001_other.sql': tableMigration('other') });
    try {
      gate = await closeGate(db);
      const holder = start(['up']);
      await blockedRunnerPid();

      const sameTable = await cli(['up', '--table', 'public.schema_migrations', '--lock-timeout', '0']);
      expect(sameTable.code).toBe(4);
      expect(sameTable.stderr).toContain('runner lock not obtained');

      const otherJournal = await runCli(['up', '--table', 'ops.journal', '--lock-timeout', '0', '--dir', other.migrationsDir], {
        cwd: project.dir,
        databaseUrl: db.url,
      });
      expect(otherJournal.stderr).toBe('');
      expect(otherJournal.code).toBe(0);
      expect(otherJournal.stdout).toContain('Applied 0001_other.sql');
      expect(await versions('ops.journal')).toEqual([1]);

      await gate.release();
      expect((await holder.done).code).toBe(0);
      expect(await versions()).toEqual([1]);
    } finally {
      other.remove();
    }
  });

  it('SIGINT while waiting for the lock: exit 130, nothing changed, the holder carries on', async () => {
    writeGatedMigrations(2);
    gate = await closeGate(db);
    const holder = start(['up']);
    await blockedRunnerPid();
    const waiter = start(['up']);
    await waitWhileRunning([waiter], () => waiter.live.stdout.includes('Waiting for the runner lock'), 'the waiting line');
    waiter.child.kill('SIGINT');
    const interrupted = await waiter.done;
    expect(interrupted.code).toBe(130);
    expect(lines(interrupted.stderr)).toEqual(['error: interrupted by SIGINT; nothing further was changed']);

    await gate.release();
    const result = await holder.done;
    expect(result.code).toBe(0);
    expect(await versions()).toEqual([1, 2]);
  });

  it('a waiting runner whose connection is terminated: exit 4 with one line', async () => {
    writeGatedMigrations(1);
    gate = await closeGate(db);
    start(['up']);
    const holderPid = await blockedRunnerPid();
    const waiter = start(['up']);
    await waitWhileRunning([waiter], () => waiter.live.stdout.includes('Waiting for the runner lock'), 'the waiting line');
    // The waiter's working session sits idle while its lock connection polls: end the idle one.
    const waiterPid = await waitFor(
      async () =>
        (await runnerBackends(db)).find((b) => b.pid !== holderPid && !b.query.includes('gate') && !b.query.includes('advisory'))?.pid,
      'the waiting session',
    );
    await adminQuery(`SELECT pg_terminate_backend(${waiterPid})`);
    const result = await waiter.done;
    expect(result.code).toBe(4);
    expect(lines(result.stderr)).toEqual([
      'error: lost the database connection: terminating connection due to administrator command (SQLSTATE 57P01)',
    ]);
  });
});
