/**
 * Lock retries (issue 15): a migration that cannot get its table lock in time is rolled back,
 * retried on the schedule with one line naming the blocking session, and gives up with exit 4;
 * the flag, the environment variable, the file directive and the API option choose or turn it
 * off. The blocker is a real second session holding a lock in an open transaction.
 */
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionError, migrate, type MigratorEvent } from '../../src/index.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempProject, type TempProject } from '../support/project.js';
import { lines, waitFor, waitWhileRunning, watchCli, type WatchedCli } from '../support/runner-safety.js';

let db: TestDatabase;
let project: TempProject;
const open: pg.Client[] = [];
const started: WatchedCli[] = [];

beforeEach(async () => {
  db = await createTestDatabase();
  project = tempProject({
    '0001_users.sql':
      "-- UP\nCREATE TABLE users (id int PRIMARY KEY, name text);\nINSERT INTO users VALUES (1, 'ada');\n-- DOWN\nDROP TABLE users;\n",
  });
  expect((await cli(['up'])).code).toBe(0);
});
afterEach(async () => {
  for (const runner of started.splice(0)) runner.child.kill('SIGKILL');
  for (const client of open.splice(0)) await client.end().catch(() => {});
  await db.drop();
  project.remove();
});

const cli = (args: string[], env: Record<string, string | undefined> = {}) => runCli(args, { cwd: project.dir, databaseUrl: db.url, env });
const start = (args: string[], env: Record<string, string | undefined> = {}): WatchedCli => {
  const runner = watchCli(args, { cwd: project.dir, databaseUrl: db.url, env });
  started.push(runner);
  return runner;
};
const versions = async () =>
  (await db.query<{ v: string }>('SELECT version::text AS v FROM schema_migrations ORDER BY version')).map((r) => Number(r.v));
const columns = async (table: string) =>
  (
    await db.query<{ c: string }>(
      'SELECT column_name AS c FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
      [table],
    )
  ).map((r) => r.c);
const retryLines = (output: string) => lines(output).filter((line) => line.includes('lock not available'));

/** A session of another application holding a lock on `users` in an open transaction (as a long report does). */
async function holdLock(
  sql = 'SELECT count(*) FROM users',
  options: { isolation?: string } = {},
): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url, application_name: 'report-job' });
  open.push(client);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await client.query(`BEGIN${options.isolation ? ` ISOLATION LEVEL ${options.isolation}` : ''}`);
  await client.query(sql);
  return { pid: rows[0]?.pid as number, release: async () => void (await client.query('COMMIT')) };
}

/** The runner's backend waiting for a lock (the migration is queued behind the blocker). */
async function runnerWaitingForLock(runner: WatchedCli): Promise<void> {
  await waitWhileRunning(
    [runner],
    async () =>
      (
        await db.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE datname = $1 AND application_name = 'aeturnis-db' AND wait_event_type = 'Lock'",
          [db.name],
        )
      ).length > 0,
    'the runner to wait for its lock',
  );
}

describe('lock retries', () => {
  it('a migration blocked by a long transaction is rolled back and retried, each retry naming the blocker; applied once it is free', async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\nALTER TABLE users DROP COLUMN email;\n');
    const blocker = await holdLock();
    const runner = start(['up', '--lock-retries', '100ms..300ms,50ms..100ms,60s']);
    await waitWhileRunning(
      [runner],
      () => retryLines(runner.live.stdout).some((line) => line.includes(`pid ${blocker.pid} `)),
      'a retry line naming the blocker',
    );
    expect(await columns('users')).toEqual(['id', 'name']); // nothing of it applied meanwhile
    await blocker.release();
    const result = await runner.done;

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const retries = retryLines(result.stdout);
    expect(retries[0]).toMatch(
      /^0002_email\.sql:2:1: lock not available within 100 ms, blocked by .*; rolled back, attempt 2 in 50 ms \(lock_timeout 200 ms\)$/,
    );
    const named = retries.find((line) => line.includes(`pid ${blocker.pid} `)) as string;
    expect(named).toMatch(
      new RegExp(
        `blocked by pid ${blocker.pid} \\(report-job, user postgres, idle in transaction, transaction open [\\d.]+ (ms|s): SELECT count\\(\\*\\) FROM users\\); rolled back, attempt \\d+ in \\d+ ms \\(lock_timeout [23]00 ms\\)$`,
      ),
    );
    expect(result.stdout).toMatch(/^Applied 0002_email\.sql \([\d.]+ m?s\)$/m);
    expect(await columns('users')).toEqual(['id', 'name', 'email']);
    expect(await versions()).toEqual([1, 2]);
  });

  it('retries run out: exit 4 with one line naming the blocker; nothing of that migration applied, earlier ones of the run stay', async () => {
    project.write('0002_guilds.sql', '-- UP\nCREATE TABLE guilds (id int PRIMARY KEY);\n-- DOWN\nDROP TABLE guilds;\n');
    project.write(
      '0003_email.sql',
      '-- UP\nCREATE TABLE email_log (id int);\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\nALTER TABLE users DROP COLUMN email;\nDROP TABLE email_log;\n',
    );
    const blocker = await holdLock();
    const result = await cli(['up', '--lock-retries', '100ms,50ms,1s']);

    expect(result.code).toBe(4);
    const errors = lines(result.stderr);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      new RegExp(
        `^error: 0003_email\\.sql:3:1: lock retries ran out after \\d+ attempts in [\\d.]+ m?s \\(lock not available, SQLSTATE 55P03\\): ` +
          `blocked by pid ${blocker.pid} \\(report-job, user postgres, idle in transaction, transaction open [\\d.]+ m?s: SELECT count\\(\\*\\) FROM users\\); ` +
          'it was rolled back: nothing of it was applied$',
      ),
    );
    expect(result.stdout).toContain('Applied 0002_guilds.sql');
    expect(retryLines(result.stdout).length).toBeGreaterThanOrEqual(2);
    expect(await versions()).toEqual([1, 2]);
    expect(await columns('users')).toEqual(['id', 'name']);
    expect(await columns('email_log')).toEqual([]); // its first statement was rolled back too
    await blocker.release();
  });

  it('then-wait: after the schedule, one last attempt without a lock timeout, which waits for the lock', async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n');
    const blocker = await holdLock();
    const runner = start(['up', '--lock-retries', '100ms,50ms,300ms,then-wait']);
    await waitWhileRunning([runner], () => runner.live.stdout.includes('last attempt'), 'the line announcing the last attempt');
    await runnerWaitingForLock(runner);
    await new Promise((resolve) => setTimeout(resolve, 800));
    await runnerWaitingForLock(runner); // no timeout: still waiting
    await blocker.release();
    const result = await runner.done;
    expect(result.code).toBe(0);
    expect(retryLines(result.stdout).at(-1)).toMatch(
      /^0002_email\.sql:2:1: lock not available within 100 ms, blocked by .*; rolled back, last attempt in \d+ ms, without a lock timeout$/,
    );
    expect(await columns('users')).toEqual(['id', 'name', 'email']);
  });

  it('SIGINT between two attempts: exit 130, the migration was rolled back and is not recorded', async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n');
    const blocker = await holdLock();
    const runner = start(['up', '--lock-retries', '100ms,2s,60s']);
    await waitWhileRunning([runner], () => retryLines(runner.live.stdout).length > 0, 'a retry line');
    runner.child.kill('SIGINT'); // during the 2 s pause
    const result = await runner.done;
    expect(result.code).toBe(130);
    expect(lines(result.stderr)).toEqual(['error: interrupted by SIGINT: 0002_email.sql was rolled back; nothing completed']);
    expect(await versions()).toEqual([1]);
    expect(await columns('users')).toEqual(['id', 'name']);
    await blocker.release();
  });

  it("--log-format json: one object per retry with the blockers; a password in the blocker's query is never printed", async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n');
    const blocker = await holdLock();
    const role = `lock_retry_${Date.now()}`;
    await open.at(-1)?.query(`CREATE ROLE ${role} PASSWORD 'hunter2-secret'`); // its last query; rolled back below
    const result = await cli(['up', '--log-format', 'json', '--lock-retries', '100ms,50ms,1s']);
    await open.at(-1)?.query('ROLLBACK');
    expect(result.code).toBe(4);
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    const objects = lines(result.stderr).map((line) => JSON.parse(line) as Record<string, unknown>);
    const retries = objects.filter((o) => o.event === 'lock-retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.flatMap((o) => o.blockers as { pid: number; query: string }[]).find((b) => b.pid === blocker.pid)).toMatchObject({
      applicationName: 'report-job',
      state: 'idle in transaction',
      query: `CREATE ROLE ${role} PASSWORD '***'`,
    });
    expect(objects.at(-1)).toMatchObject({ level: 'error', code: 4 });
    expect(String(objects.at(-1)?.msg)).toContain(`PASSWORD '***'`);
  });

  it("a password in a literal nested in the blocker's query (quotes doubled) is never printed either", async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n');
    await holdLock("SELECT 'ALTER ROLE app PASSWORD ''hunter2''', count(*) FROM users");
    const result = await cli(['up', '--lock-retries', '100ms,50ms,1s']);
    expect(result.code).toBe(4);
    expect(result.stdout + result.stderr).not.toContain('hunter2');
    expect(retryLines(result.stdout)[0]).toContain(": SELECT 'ALTER ROLE app PASSWORD ''***''', count(*)");
    expect(await columns('users')).toEqual(['id', 'name']);
  });

  it('down is retried the same way; when it runs out the migration stays applied', async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\nALTER TABLE users DROP COLUMN email;\n');
    expect((await cli(['up'])).code).toBe(0);
    const blocker = await holdLock();
    const result = await cli(['down', '--lock-retries', '100ms,50ms,1s']);
    expect(result.code).toBe(4);
    expect(lines(result.stderr)).toEqual([
      expect.stringMatching(/^error: 0002_email\.sql:4:1: lock retries ran out .*; its DOWN was rolled back: it stays applied$/),
    ]);
    expect(await versions()).toEqual([1, 2]);
    expect(await columns('users')).toEqual(['id', 'name', 'email']);
    await blocker.release();
  });

  it('--no-lock-retries and AETURNIS_LOCK_RETRIES=off: the migration waits in the lock queue as before, no retry', async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\nALTER TABLE users DROP COLUMN email;\n');
    project.write('0003_phone.sql', '-- UP\nALTER TABLE users ADD COLUMN phone text;\n-- DOWN\nALTER TABLE users DROP COLUMN phone;\n');
    for (const [args, env] of [
      [['up', '--to', '2', '--no-lock-retries'], {}],
      [['up'], { AETURNIS_LOCK_RETRIES: 'off' }],
    ] as const) {
      const blocker = await holdLock();
      const runner = start([...args], env);
      await runnerWaitingForLock(runner);
      await new Promise((resolve) => setTimeout(resolve, 1000)); // ten default lock timeouts
      await runnerWaitingForLock(runner); // still in the queue: never timed out
      await blocker.release();
      const result = await runner.done;
      expect(result.code).toBe(0);
      expect(retryLines(result.stdout)).toEqual([]);
    }
    expect(await columns('users')).toEqual(['id', 'name', 'email', 'phone']);
  });

  it('a bad schedule is exit 2 naming the flag or the variable, before anything runs', async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n');
    const flag = await cli(['up', '--lock-retries', '100ms..1s,50ms']);
    expect(flag.code).toBe(2);
    expect(lines(flag.stderr)).toEqual([
      'error: --lock-retries needs three parts (got "100ms..1s,50ms"): use off, default, or TIMEOUTS,SLEEPS,BUDGET[,then-wait] such as 100ms..300ms,50ms..60s,40m',
    ]);
    const env = await cli(['up'], { AETURNIS_LOCK_RETRIES: '5,1,1' });
    expect(env.code).toBe(2);
    expect(lines(env.stderr)).toEqual([
      expect.stringMatching(/^error: AETURNIS_LOCK_RETRIES has lock timeouts "5" that are not a duration/),
    ]);
    expect(await versions()).toEqual([1]);
  });

  it("-- aeturnis:lock-timeout 300ms sets every attempt's timeout; none waits without retrying; a SET lock_timeout in the file wins", async () => {
    project.write('0002_email.sql', '-- aeturnis:lock-timeout 300ms\n-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n');
    let blocker = await holdLock();
    let runner = start(['up', '--to', '2', '--lock-retries', '100ms..1s,50ms,60s']);
    await waitWhileRunning([runner], () => retryLines(runner.live.stdout).length >= 2, 'two retry lines');
    await blocker.release();
    let result = await runner.done;
    expect(result.code).toBe(0);
    for (const line of retryLines(result.stdout)) expect(line).toMatch(/lock not available within 300 ms, .* \(lock_timeout 300 ms\)$/);

    project.write('0003_phone.sql', '-- aeturnis:lock-timeout none\n-- UP\nALTER TABLE users ADD COLUMN phone text;\n-- DOWN\n');
    project.write('0004_own_setting.sql', "-- UP\nSET lock_timeout = '30s';\nALTER TABLE users ADD COLUMN nick text;\n-- DOWN\n");
    for (const target of ['3', '4']) {
      blocker = await holdLock();
      runner = start(['up', '--to', target]);
      await runnerWaitingForLock(runner);
      await new Promise((resolve) => setTimeout(resolve, 800));
      await runnerWaitingForLock(runner);
      await blocker.release();
      result = await runner.done;
      expect(result.code).toBe(0);
      expect(retryLines(result.stdout)).toEqual([]);
    }
    expect(await columns('users')).toEqual(['id', 'name', 'email', 'phone', 'nick']);
  });

  it("retry lines report the lock_timeout a migration SETs itself, not the schedule's (transactional and no-transaction)", async () => {
    project.write('0002_email.sql', "-- UP\nSET lock_timeout = '250ms';\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n");
    project.write(
      '0003_phone.sql',
      "-- aeturnis:no-transaction\n-- UP\nSET lock_timeout = '350ms';\nALTER TABLE users ADD COLUMN phone text;\n-- DOWN\n",
    );
    for (const [target, ms] of [
      ['2', 250],
      ['3', 350],
    ] as const) {
      const blocker = await holdLock();
      const runner = start(['up', '--to', target, '--lock-retries', '100ms..1s,50ms,60s']);
      await waitWhileRunning([runner], () => retryLines(runner.live.stdout).length >= 2, 'two retry lines');
      await blocker.release();
      const result = await runner.done;
      expect(result.code).toBe(0);
      for (const line of retryLines(result.stdout)) {
        expect(line).toMatch(new RegExp(`lock not available within ${ms} ms, .* \\(lock_timeout ${ms} ms\\)$`));
      }
    }
    expect(await columns('users')).toEqual(['id', 'name', 'email', 'phone']);
  });

  it('no-transaction: a CREATE INDEX CONCURRENTLY that times out waiting for an old snapshot is retried after its INVALID index is dropped', async () => {
    project.write(
      '0002_index.sql',
      '-- aeturnis:no-transaction\n-- UP\nCREATE INDEX CONCURRENTLY users_name ON users (name);\n-- DOWN\nDROP INDEX CONCURRENTLY users_name;\n',
    );
    // A repeatable-read transaction that has taken its snapshot: CREATE INDEX CONCURRENTLY
    // waits for it after the index exists (INVALID) in the catalog.
    const blocker = await holdLock('SELECT 1', { isolation: 'REPEATABLE READ' });
    const runner = start(['up', '--lock-retries', '100ms..300ms,50ms..100ms,60s']);
    await waitWhileRunning([runner], () => retryLines(runner.live.stdout).length >= 2, 'two retry lines');
    await blocker.release();
    const result = await runner.done;

    expect(result.code).toBe(0);
    expect(retryLines(result.stdout)[0]).toMatch(
      /^0002_index\.sql: statement 1 of 1 \(line 3\): lock not available within 100 ms, blocked by /,
    );
    expect(retryLines(result.stdout).some((line) => line.includes(`pid ${blocker.pid} (report-job`))).toBe(true);
    const indexes = await db.query<{ name: string; valid: boolean }>(
      "SELECT c.relname AS name, i.indisvalid AS valid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = 'users'::regclass ORDER BY 1",
    );
    expect(indexes).toEqual([
      { name: 'users_name', valid: true },
      { name: 'users_pkey', valid: true },
    ]);
    expect(await versions()).toEqual([1, 2]);
  });

  it('API: lockRetries option, a lock-retry event per retry with the blockers, ConnectionError (exit code 4) when it runs out', async () => {
    project.write('0002_email.sql', '-- UP\nALTER TABLE users ADD COLUMN email text;\n-- DOWN\n');
    const blocker = await holdLock();
    const events: MigratorEvent[] = [];
    const failure = await migrate({
      databaseUrl: db.url,
      dir: project.migrationsDir,
      lockRetries: '100ms,50ms,1s',
      onEvent: (e) => events.push(e),
    }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConnectionError);
    expect((failure as ConnectionError).exitCode).toBe(4);
    expect((failure as Error).message).toContain(`lock retries ran out`);
    const retries = events.filter((e) => e.type === 'lock-retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(retries.flatMap((e) => (e.type === 'lock-retry' ? e.blockers.map((b) => b.pid) : []))).toContain(blocker.pid);
    expect(retries[0]).toMatchObject({
      fileName: '0002_email.sql',
      direction: 'up',
      attempt: 1,
      lockTimeoutMs: 100,
      sleepMs: 50,
      nextLockTimeoutMs: 100,
    });

    const off = migrate({ databaseUrl: db.url, dir: project.migrationsDir, lockRetries: false });
    await waitFor(
      async () =>
        (
          await db.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = 'aeturnis-db' AND wait_event_type = 'Lock'",
            [db.name],
          )
        ).length > 0,
      'the API run to wait for its lock',
    );
    await blocker.release();
    expect((await off).applied.map((m) => m.fileName)).toEqual(['0002_email.sql']);
  });
});
