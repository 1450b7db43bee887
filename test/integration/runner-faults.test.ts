import { describe, expect, it } from 'vitest';
import { adminQuery } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { advisoryLocks, lines, runnerBackends, waitFor, waitWhileRunning, type WatchedCli } from '../support/runner-safety.js';
import { useTestProject } from '../support/test-project.js';

// Interrupted runners: signals, SIGKILL, a connection that goes away. Each runner is a separate
// process; "long" migrations are pg_sleep calls that the test catches in flight by polling
// pg_stat_activity.

const { db, project, cli, start, versions, tables } = useTestProject();

/** Three migrations; the second creates and fills `b`, then sleeps `sleepSeconds` (the "long" part). */
function writeLongSecond(sleepSeconds: number): void {
  project.write('0001_a.sql', tableMigration('a'));
  project.write(
    '0002_b.sql',
    `-- UP\nCREATE TABLE b (id int PRIMARY KEY);\nINSERT INTO b VALUES (1), (2);\nSELECT pg_sleep(${sleepSeconds});\n-- DOWN\nDROP TABLE b;\n`,
  );
  project.write('0003_c.sql', tableMigration('c'));
}

/** The runner's backend while it is inside pg_sleep. */
async function sleepingRunner(runner: WatchedCli): Promise<number> {
  const backend = await waitWhileRunning(
    [runner],
    async () => (await runnerBackends(db)).find((b) => b.state === 'active' && b.query.includes('pg_sleep')),
    'the runner to be inside pg_sleep',
  );
  return backend.pid;
}

async function noRunnerLeft(): Promise<void> {
  await waitFor(async () => (await runnerBackends(db)).length === 0, 'every aeturnis-db session to end');
}

describe('signals during a migration', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s cancels the running statement, rolls the migration back, releases the lock, says what ran; exit %i',
    async (signal, exitCode) => {
      writeLongSecond(60);
      const runner = start(['up']);
      await sleepingRunner(runner);
      runner.child.kill(signal);
      const result = await runner.done;

      expect(result.code).toBe(exitCode);
      expect(result.stdout).toContain('Applied 0001_a.sql');
      expect(result.stdout).not.toContain('0002_b.sql');
      expect(lines(result.stderr)).toEqual([
        `error: interrupted by ${signal}: 0002_b.sql was rolled back; completed: 0001_a.sql; not run: 0003_c.sql`,
      ]);
      // The statement was cancelled (not left running on the server) and the session is gone.
      await noRunnerLeft();
      expect(await advisoryLocks(db)).toBe(0);
      expect(await tables()).toEqual(['a', 'schema_migrations']);
      expect(await versions()).toEqual([1]);

      // Nothing is left behind: the lock is free at once and the rest applies normally.
      writeLongSecond(0);
      const again = await cli(['up', '--lock-timeout', '0']);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('Applied 0002_b.sql');
      expect(again.stdout).toContain('Applied 0003_c.sql');
      expect(await versions()).toEqual([1, 2, 3]);
    },
  );

  it('SIGINT during down: the interrupted DOWN is undone and that migration stays applied', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_b.sql', '-- UP\nCREATE TABLE b (id int);\n-- DOWN\nDROP TABLE b;\nSELECT pg_sleep(60);\n');
    project.write('0003_c.sql', tableMigration('c'));
    expect((await cli(['up'])).code).toBe(0);
    const runner = start(['down', '--to', '0']);
    await sleepingRunner(runner);
    runner.child.kill('SIGINT');
    const result = await runner.done;

    expect(result.code).toBe(130);
    expect(result.stdout).toContain('Rolled back 0003_c.sql');
    expect(lines(result.stderr)).toEqual([
      'error: interrupted by SIGINT: the DOWN of 0002_b.sql was cancelled and undone, so it stays applied; completed: 0003_c.sql; not run: 0001_a.sql',
    ]);
    expect(await versions()).toEqual([1, 2]);
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);
    await noRunnerLeft();
    expect(await advisoryLocks(db)).toBe(0);
  });

  it('SIGINT in a no-transaction migration: says which statements stayed applied; no journal row', async () => {
    project.write(
      '0001_nt.sql',
      '-- aeturnis:no-transaction\n-- UP\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\nSELECT pg_sleep(60);\nINSERT INTO a VALUES (2);\n-- DOWN\nDROP TABLE a;\n',
    );
    project.write('0002_b.sql', tableMigration('b'));
    const runner = start(['up']);
    await sleepingRunner(runner);
    runner.child.kill('SIGINT');
    const result = await runner.done;

    expect(result.code).toBe(130);
    expect(lines(result.stderr)).toEqual([
      'error: interrupted by SIGINT: 0001_nt.sql (no-transaction) ran 2 of 4 statements, which stayed applied; it is not recorded as applied; nothing completed; not run: 0002_b.sql',
    ]);
    expect(await db.query('SELECT id FROM a')).toEqual([{ id: 1 }]);
    expect(await versions()).toEqual([]);
    await noRunnerLeft();
    expect(await advisoryLocks(db)).toBe(0);
  });
});

describe('a runner that dies', () => {
  it('SIGKILL in the middle of a long migration: the migration and its journal row commit together or not at all; the next up carries on', async () => {
    writeLongSecond(2);
    const runner = start(['up']);
    const pid = await sleepingRunner(runner);
    runner.child.kill('SIGKILL');
    const killed = await runner.done;
    expect(killed.signal).toBe('SIGKILL');
    expect(killed.stdout).toContain('Applied 0001_a.sql');

    // The server keeps running the dead client's statement until pg_sleep ends; only then does
    // it notice, roll the transaction back and release the lock.
    // The migration travels in one message with its journal row and COMMIT, so the orphaned
    // session may finish it: either way the journal says exactly what the schema has.
    await waitFor(async () => !(await runnerBackends(db)).some((b) => b.pid === pid), 'the orphaned session to end');
    expect(await advisoryLocks(db)).toBe(0);
    const recorded = (await versions()).includes(2);
    expect(await tables()).toEqual(recorded ? ['a', 'b', 'schema_migrations'] : ['a', 'schema_migrations']);

    const again = await cli(['up']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(lines(again.stdout).filter((l) => l.startsWith('Applied 0'))).toEqual([
      ...(recorded ? [] : [expect.stringMatching(/^Applied 0002_b\.sql \(/)]),
      expect.stringMatching(/^Applied 0003_c\.sql \(/),
    ]);
    expect(await versions()).toEqual([1, 2, 3]);
    expect(await db.query('SELECT id FROM b ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  it('a lost connection mid-migration: exit 4 naming the file, nothing of it kept; the next up applies it', async () => {
    writeLongSecond(60);
    const runner = start(['up']);
    const pid = await sleepingRunner(runner);
    await adminQuery(`SELECT pg_terminate_backend(${pid})`);
    const result = await runner.done;

    expect(result.code).toBe(4);
    const errors = lines(result.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^error: 0002_b\.sql: lost the database connection while applying it \(terminating connection due to administrator command, SQLSTATE 57P01\); the server rolled its transaction back: nothing of it was applied or recorded$/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await tables()).toEqual(['a', 'schema_migrations']);
    expect(await versions()).toEqual([1]);
    expect(await advisoryLocks(db)).toBe(0);

    writeLongSecond(0);
    const again = await cli(['up']);
    expect(again.code).toBe(0);
    expect(await versions()).toEqual([1, 2, 3]);
  });
});
