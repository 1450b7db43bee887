/**
 * The programmatic API (the package root's exports): typed results, a caller's own pg Client or
 * Pool, typed errors carrying the CLI's exit codes, and agreement with the CLI built on it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import {
  AeturnisError,
  ConnectionError,
  DatabaseError,
  ExitCode,
  InterruptedError,
  LockTimeoutError,
  MigrationFileError,
  MigrationSqlError,
  RunInterruptedError,
  UsageError,
  ValidationError,
  ensurePartitions,
  migrate,
  rollback,
  status,
  validate,
  type MigratorEvent,
} from '../../src/index.js';
import { repoRoot, runCli } from '../support/cli.js';
import { adminQuery } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { db, project, tables } = useTestProject();
const advisoryLocks = async () =>
  (
    await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    )
  )[0]?.n;
/** The error a promise rejects with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, it succeeded');
}
/** Aborts once a statement containing `marker` is running (seen in pg_stat_activity), not after a guessed delay. */
async function abortWhenRunning(marker: string, controller: AbortController): Promise<void> {
  for (let tries = 0; tries < 400; tries++) {
    const running = await db.query(
      `SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND strpos(query, $1) > 0`,
      [marker],
    );
    if (running.length > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  controller.abort('SIGTERM');
}
const abc = () => {
  project.write('0001_a.sql', tableMigration('a'));
  project.write('0002_b.sql', tableMigration('b'));
  project.write('0003_c.sql', tableMigration('c'));
};

describe('results', () => {
  it('migrate, status and rollback return typed results instead of printing', async () => {
    abc();
    const options = { databaseUrl: db.url, dir: project.migrationsDir };
    const result = await migrate(options);
    expect(result.applied.map(({ version, name, fileName }) => ({ version, name, fileName }))).toEqual([
      { version: 1, name: 'a', fileName: '0001_a.sql' },
      { version: 2, name: 'b', fileName: '0002_b.sql' },
      { version: 3, name: 'c', fileName: '0003_c.sql' },
    ]);
    for (const m of result.applied) expect(m.executionMs).toBeGreaterThanOrEqual(0);
    expect(result.partitions).toEqual([]); // no table registered here: the partition step did nothing
    expect(await tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);

    expect((await migrate(options)).applied).toEqual([]);

    const afterUp = await status(options);
    expect(afterUp.migrations.map((m) => [m.version, m.state])).toEqual([
      [1, 'applied'],
      [2, 'applied'],
      [3, 'applied'],
    ]);
    expect(afterUp.migrations[0]?.appliedAt).toBeInstanceOf(Date);
    expect(afterUp.problems).toEqual([]);
    expect(await validate(options)).toEqual({ ok: true, problems: [] });

    const down = await rollback({ ...options, count: 2 });
    expect(down.rolledBack.map((m) => m.fileName)).toEqual(['0003_c.sql', '0002_b.sql']);
    expect((await status(options)).migrations.map((m) => m.state)).toEqual(['applied', 'pending', 'pending']);

    const toVersion = await migrate({ ...options, to: 2 });
    expect(toVersion.applied.map((m) => m.version)).toEqual([2]);
    const all = await rollback({ ...options, to: 0 });
    expect(all.rolledBack.map((m) => m.version)).toEqual([2, 1]);
    expect(await tables()).toEqual(['schema_migrations']);
  });

  it('dry runs return the plan and change nothing', async () => {
    abc();
    const options = { databaseUrl: db.url, dir: project.migrationsDir };
    const dry = await migrate({ ...options, dryRun: true });
    expect(dry.applied).toEqual([]);
    expect(dry.planned.map((m) => m.fileName)).toEqual(['0001_a.sql', '0002_b.sql', '0003_c.sql']);
    expect(await tables()).toEqual([]);
    await migrate(options);
    const dryDown = await rollback({ ...options, count: 2, dryRun: true });
    expect(dryDown.planned.map((m) => m.version)).toEqual([3, 2]);
    expect(dryDown.rolledBack).toEqual([]);
    expect(await tables()).toEqual(['a', 'b', 'c', 'schema_migrations']);
  });

  it('reports progress through onEvent', async () => {
    abc();
    const events: MigratorEvent[] = [];
    await migrate({ databaseUrl: db.url, dir: project.migrationsDir, onEvent: (e) => events.push(e) });
    const done = events.flatMap((e) => (e.type === 'migration-done' ? [e.fileName] : []));
    expect(done).toEqual(['0001_a.sql', '0002_b.sql', '0003_c.sql']);
  });

  it('ensurePartitions creates the months asked for of every registered table (audit_log, by 0006) and is idempotent', async () => {
    const options = { databaseUrl: db.url, dir: join(repoRoot, 'migrations') };
    await migrate({ ...options, partitions: false });
    const now = new Date('2031-05-10T12:00:00Z');
    const [report] = await ensurePartitions({ ...options, ahead: 2, now });
    expect(report?.tableExists).toBe(true);
    expect(report?.created.map((p) => p.name)).toEqual(['audit_log_2031_05', 'audit_log_2031_06', 'audit_log_2031_07']);
    expect(report?.created[0]?.from.toISOString()).toBe('2031-05-01T00:00:00.000Z');
    const [again] = await ensurePartitions({ ...options, ahead: 2, now });
    expect(again?.created).toEqual([]);
    const summary = await status(options);
    expect(summary.partitionTables.map((t) => t.description.count)).toEqual([expect.any(Number)]);
    expect(summary.partitionTables[0]?.description.count).toBeGreaterThanOrEqual(3);
  });
});

describe("a caller's own connection", () => {
  it('runs on a pg.Client, leaves it open and releases the runner lock', async () => {
    abc();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const result = await migrate({ connection: client, dir: project.migrationsDir, table: 'app_migrations' });
      expect(result.applied).toHaveLength(3);
      expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
      expect(await advisoryLocks()).toBe(0);
      const rows = await client.query<{ version: string }>('SELECT version FROM app_migrations ORDER BY version');
      expect(rows.rows.map((r) => r.version)).toEqual(['1', '2', '3']);
      const { rolledBack } = await rollback({ connection: client, dir: project.migrationsDir, table: 'app_migrations' });
      expect(rolledBack.map((m) => m.version)).toEqual([3]);
    } finally {
      await client.end();
    }
    expect(await tables()).toEqual(['a', 'app_migrations', 'b']);
  });

  it('runs on a pg.Pool, returns the client to it and leaves the pool usable', async () => {
    abc();
    const pool = new pg.Pool({ connectionString: db.url, max: 2 });
    try {
      const result = await migrate({ connection: pool, dir: project.migrationsDir });
      expect(result.applied).toHaveLength(3);
      expect(pool.totalCount - pool.idleCount).toBe(0); // nothing checked out any more
      const { migrations } = await status({ connection: pool, dir: project.migrationsDir });
      expect(migrations.every((m) => m.state === 'applied')).toBe(true);
      expect((await pool.query('SELECT count(*)::int AS n FROM a')).rows).toEqual([{ n: 0 }]);
      expect(await advisoryLocks()).toBe(0);
    } finally {
      await pool.end();
    }
  });
});

describe('typed errors carry the exit code the CLI would use', () => {
  it('MigrationSqlError (1): file, line, column, SQLSTATE; earlier migrations stay applied', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_bad.sql', '-- bad\n-- UP\nCREATE TABLE b (id int);\nINSERT INTO nope VALUES (1);\n-- DOWN\nDROP TABLE b;\n');
    const error = await rejection(migrate({ databaseUrl: db.url, dir: project.migrationsDir }));
    expect(error).toBeInstanceOf(MigrationSqlError);
    expect(error).toBeInstanceOf(AeturnisError);
    const sqlError = error as MigrationSqlError;
    expect(sqlError.exitCode).toBe(ExitCode.sqlFailed);
    expect(sqlError.exitCode).toBe(1);
    expect(sqlError.file).toBe('0002_bad.sql');
    expect(sqlError.sqlState).toBe('42P01');
    expect(sqlError.location).toEqual({ file: '0002_bad.sql', line: 4, column: 13 });
    expect(await tables()).toEqual(['a', 'schema_migrations']);
  });

  it('MigrationFileError (2) for a malformed file, before connecting', async () => {
    project.write('0001_a.sql', 'CREATE TABLE a (id int);\n');
    const error = await rejection(
      migrate({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', waitSeconds: 0, dir: project.migrationsDir }),
    );
    expect(error).toBeInstanceOf(MigrationFileError);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as MigrationFileError).exitCode).toBe(2);
    expect((error as MigrationFileError).file).toBe('0001_a.sql');
  });

  it('ValidationError (3) for an edited applied migration and for an irreversible rollback; validate() reports instead', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_keep.sql', '-- UP\nCREATE TABLE keep (id int);\n');
    const options = { databaseUrl: db.url, dir: project.migrationsDir };
    await migrate(options);

    const irreversible = await rejection(rollback(options));
    expect(irreversible).toBeInstanceOf(ValidationError);
    expect((irreversible as ValidationError).exitCode).toBe(3);
    expect(await tables()).toEqual(['a', 'keep', 'schema_migrations']);

    project.write('0001_a.sql', `${tableMigration('a')}-- edited\n`);
    project.write('0003_c.sql', tableMigration('c'));
    const modified = await rejection(migrate(options));
    expect(modified).toBeInstanceOf(ValidationError);
    expect((modified as ValidationError).exitCode).toBe(3);
    expect((modified as ValidationError).problems.join('\n')).toContain('0001_a.sql');
    expect(await tables()).toEqual(['a', 'keep', 'schema_migrations']); // 0003 not applied

    const report = await validate(options);
    expect(report.ok).toBe(false);
    expect(report.problems.join('\n')).toContain('0001_a.sql');
  });

  it('ConnectionError (4) for an unreachable server, without the password', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const error = await rejection(
      migrate({ databaseUrl: 'postgres://app:s3cret-pw@127.0.0.1:1/none', waitSeconds: 0, dir: project.migrationsDir }),
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as ConnectionError).exitCode).toBe(4);
    expect((error as Error).message).toMatch(/could not connect/);
    expect((error as Error).message).not.toContain('s3cret-pw');
  });

  it('LockTimeoutError (4) when another runner holds the lock past lockTimeoutSeconds', async () => {
    project.write('0001_slow.sql', '-- UP\nSELECT pg_sleep(2);\n-- DOWN\nSELECT 1;\n');
    const options = { databaseUrl: db.url, dir: project.migrationsDir };
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = migrate({ ...options, onEvent: (e) => e.type === 'migration-start' && started() });
    await running;
    const error = await rejection(migrate({ ...options, lockTimeoutSeconds: 0.3 }));
    expect(error).toBeInstanceOf(LockTimeoutError);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as LockTimeoutError).exitCode).toBe(4);
    expect((await first).applied.map((m) => m.fileName)).toEqual(['0001_slow.sql']);
  });

  it('DatabaseError (1) when PostgreSQL refuses outside a migration (no CREATE privilege for the journal)', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const role = `aeturnis_api_${randomBytes(4).toString('hex')}`;
    const password = `pw-${randomBytes(6).toString('hex')}`;
    await adminQuery(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    try {
      await db.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
      const url = new URL(db.url);
      url.username = role;
      url.password = password;
      const error = await rejection(migrate({ databaseUrl: url.toString(), dir: project.migrationsDir }));
      expect(error).toBeInstanceOf(DatabaseError);
      expect((error as DatabaseError).exitCode).toBe(1);
      expect((error as DatabaseError).sqlState).toBe('42501');
      expect((error as Error).message).toMatch(/permission denied/);
      expect((error as Error).message).not.toContain(password);
      expect(await tables()).toEqual([]);
    } finally {
      await db.drop();
      await adminQuery(`DROP ROLE IF EXISTS ${role}`);
    }
  });

  it('InterruptedError (143 for SIGTERM) when the signal aborts: the running migration is rolled back', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_slow.sql', '-- UP\nCREATE TABLE slow (id int);\nSELECT pg_sleep(20);\n-- DOWN\nDROP TABLE slow;\n');
    project.write('0003_c.sql', tableMigration('c'));
    const controller = new AbortController();
    const started = Date.now();
    const error = await rejection(
      migrate({
        databaseUrl: db.url,
        dir: project.migrationsDir,
        signal: controller.signal,
        onEvent: (e) => {
          if (e.type === 'migration-start' && e.version === 2) void abortWhenRunning('pg_sleep(20)', controller);
        },
      }),
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(RunInterruptedError);
    expect(error).toBeInstanceOf(InterruptedError);
    const interrupted = error as RunInterruptedError;
    expect(interrupted.signal).toBe('SIGTERM');
    expect(interrupted.exitCode).toBe(143);
    expect(interrupted.completed.map((m) => m.fileName)).toEqual(['0001_a.sql']);
    expect(interrupted.rolledBack).toBe('0002_slow.sql');
    expect(interrupted.notRun).toEqual(['0003_c.sql']);
    expect(await tables()).toEqual(['a', 'schema_migrations']);
  });
});

describe('concurrency and the CLI', () => {
  it('six migrate() calls at once apply each migration exactly once', async () => {
    for (let i = 1; i <= 8; i++) project.write(`000${i}_t${i}.sql`, tableMigration(`t${i}`));
    const results = await Promise.all(Array.from({ length: 6 }, () => migrate({ databaseUrl: db.url, dir: project.migrationsDir })));
    const applied = results.flatMap((r) => r.applied.map((m) => m.version)).sort((x, y) => x - y);
    expect(applied).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const journal = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
    expect(journal[0]?.n).toBe(8);
  });

  it('the CLI reports what the API did (it is a layer over the same functions)', async () => {
    abc();
    await migrate({ databaseUrl: db.url, dir: project.migrationsDir, to: 2 });
    const cli = await runCli(['status', '--json'], { cwd: project.dir, databaseUrl: db.url });
    expect(cli.code).toBe(0);
    const rows = JSON.parse(cli.stdout) as { version: number; state: string }[];
    const api = await status({ databaseUrl: db.url, dir: project.migrationsDir });
    expect(rows.map((r) => [r.version, r.state])).toEqual(api.migrations.map((m) => [m.version, m.state]));
    expect(rows.map((r) => r.state)).toEqual(['applied', 'applied', 'pending']);
  });
});
