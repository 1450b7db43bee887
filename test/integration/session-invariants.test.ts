import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../src/index.js';
import { lines, runnerBackends, waitFor, waitWhileRunning } from '../support/runner-safety.js';
import { useTestProject } from '../support/test-project.js';

// A clean session for every migration and every journal write, and a runner lock no SQL can
// reach: what one migration leaves in the session (temporary tables, prepared statements,
// LISTEN, cursors, advisory locks, SETs) never reaches the next one nor the journal write, and
// pg_advisory_unlock_all() / DISCARD ALL inside a migration cannot let a second runner in.
// A runner killed mid-migration has it rolled back by the server, never committed later.

const { db, project, cli, start, versions } = useTestProject();

/** A migration that fails (and so fails `up`) when `condition` holds in its session. */
const failIf = (condition: string, what: string): string =>
  `-- UP\nDO $$ BEGIN IF ${condition} THEN RAISE EXCEPTION '${what}'; END IF; END $$;\n-- DOWN\nSELECT 1;\n`;

describe('a clean session for every migration', () => {
  it("a temporary table of one migration does not capture the next migration's INSERT (no row lost)", async () => {
    project.write('0001_items.sql', '-- UP\nCREATE TABLE items (id int);\n-- DOWN\nDROP TABLE items;\n');
    project.write('0002_munge.sql', '-- UP\nCREATE TEMP TABLE items (id int);\nINSERT INTO items VALUES (0);\n-- DOWN\nSELECT 1;\n');
    project.write('0003_backfill.sql', '-- UP\nINSERT INTO items VALUES (1);\n-- DOWN\nDELETE FROM items WHERE id = 1;\n');
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await versions()).toEqual([1, 2, 3]);
    expect(await db.query('SELECT id FROM public.items')).toEqual([{ id: 1 }]);
  });

  it('two data migrations that each create the same temporary table, PREPARE the same name and DECLARE the same cursor pass in one up', async () => {
    const dataMigration = (n: number): string =>
      `-- UP\nCREATE TEMP TABLE staging AS SELECT ${n} AS id;\nPREPARE pick AS SELECT id FROM staging;\nEXECUTE pick;\n` +
      `DECLARE c CURSOR WITH HOLD FOR SELECT 1;\nLISTEN aeturnis_test;\nSELECT pg_advisory_lock(4242);\nSET statement_timeout = '1ms';\n-- DOWN\nSELECT 1;\n`;
    project.write('0001_first.sql', dataMigration(1));
    project.write('0002_second.sql', dataMigration(2));
    project.write('0003_no_listen.sql', failIf('EXISTS (SELECT pg_listening_channels())', 'LISTEN leaked'));
    project.write(
      '0004_no_lock.sql',
      failIf(
        "EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND pid = pg_backend_pid())",
        'advisory lock leaked',
      ),
    );
    project.write(
      '0005_no_timeout.sql',
      "-- UP\nSELECT pg_sleep(0.05);\nDO $$ BEGIN IF current_setting('statement_timeout') <> '0' THEN RAISE EXCEPTION 'SET leaked'; END IF; END $$;\n-- DOWN\nSELECT 1;\n",
    );
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await versions()).toEqual([1, 2, 3, 4, 5]);
  });

  it('a file that ends with SET statement_timeout = 1ms still has its cleanup and its journal row written', async () => {
    // Dropping 300 temporary tables takes well over a millisecond: under the file's timeout the
    // cleanup (DISCARD TEMP) would be cancelled and the migration rolled back.
    project.write(
      '0001_many_temps.sql',
      "-- UP\nDO $$ BEGIN FOR i IN 1..300 LOOP EXECUTE format('CREATE TEMP TABLE t%s (id int)', i); END LOOP; END $$;\nSET statement_timeout = '1ms';\n-- DOWN\nSELECT 1;\n",
    );
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await versions()).toEqual([1]);
  });

  it('a no-transaction file that makes its session read-only (and changes statement_timeout, client_encoding) is recorded, and runs once', async () => {
    project.write('0001_counter.sql', '-- UP\nCREATE TABLE runs (n int);\n-- DOWN\nDROP TABLE runs;\n');
    project.write(
      '0002_reindex.sql',
      `-- aeturnis:no-transaction
-- UP
INSERT INTO runs VALUES (1);
CREATE INDEX CONCURRENTLY runs_n ON runs (n);
SET default_transaction_read_only = on;
SET statement_timeout = '1ms';
SET client_encoding = 'LATIN1';
-- DOWN
DROP INDEX CONCURRENTLY runs_n;
`,
    );
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await versions()).toEqual([1, 2]);
    const again = await cli(['up']);
    expect(again.code).toBe(0);
    expect(await db.query('SELECT count(*)::int AS n FROM runs')).toEqual([{ n: 1 }]);
  });

  it('an API caller keeps its own prepared statement and temporary table; the migration leaves neither behind', async () => {
    project.write('0001_temp.sql', '-- UP\nCREATE TEMP TABLE scratch (id int);\nPREPARE mine_too AS SELECT 1;\n-- DOWN\nSELECT 1;\n');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query({ name: 'mine', text: 'SELECT 1 AS one' });
      await client.query('CREATE TEMP TABLE own_scratch (id int)');
      await migrate({ connection: client, dir: project.migrationsDir });
      // pg reuses its named statement without preparing it again: it must still exist.
      expect((await client.query({ name: 'mine', text: 'SELECT 1 AS one' })).rows).toEqual([{ one: 1 }]);
      const left = await client.query<{ temp: string[]; prepared: string[] }>(
        `SELECT ARRAY(SELECT relname::text FROM pg_class WHERE relnamespace = pg_my_temp_schema() AND relkind = 'r' ORDER BY 1) AS temp,
                ARRAY(SELECT name FROM pg_prepared_statements WHERE from_sql) AS prepared`,
      );
      expect(left.rows[0]).toEqual({ temp: ['own_scratch'], prepared: [] });
    } finally {
      await client.end();
    }
  });
});

describe('a runner lock no SQL can reach', () => {
  it.each([
    ['pg_advisory_unlock_all()', 'SELECT pg_advisory_unlock_all();'],
    ['DISCARD ALL', 'DISCARD ALL;'],
  ])('a no-transaction migration running %s keeps a second runner out until it is done', async (_name, release) => {
    project.write('0001_counter.sql', '-- UP\nCREATE TABLE runs (n int);\n-- DOWN\nDROP TABLE runs;\n');
    project.write(
      '0002_slow.sql',
      `-- aeturnis:no-transaction\n-- UP\n${release}\nINSERT INTO runs VALUES (1);\nSELECT pg_sleep(3);\n-- DOWN\nSELECT 1;\n`,
    );
    const first = start(['up']);
    await waitWhileRunning(
      [first],
      async () => (await runnerBackends(db)).some((b) => b.query.includes('pg_sleep(3)')),
      'the first runner in its slow statement',
    );
    const second = await cli(['up', '--lock-timeout', '0']);
    expect(second.code).toBe(4);
    expect(lines(second.stderr)).toEqual([expect.stringContaining('runner lock not obtained within 0s')]);
    expect((await first.done).code).toBe(0);
    expect(await db.query('SELECT count(*)::int AS n FROM runs')).toEqual([{ n: 1 }]);
    expect((await cli(['up'])).code).toBe(0);
    expect(await db.query('SELECT count(*)::int AS n FROM runs')).toEqual([{ n: 1 }]);
  });
});

describe('a killed runner', () => {
  it('SIGKILL mid-migration: the server rolls it back and ends its sessions within seconds, it never commits later, and the next up applies it once', async () => {
    project.write('0001_counter.sql', '-- UP\nCREATE TABLE runs (n int);\n-- DOWN\nDROP TABLE runs;\n');
    project.write(
      '0002_slow.sql',
      '-- UP\nINSERT INTO runs VALUES (1);\nCREATE TABLE late ();\nSELECT pg_sleep(8);\n-- DOWN\nDROP TABLE late;\n',
    );
    const runner = start(['up']);
    await waitWhileRunning(
      [runner],
      async () => (await runnerBackends(db)).some((b) => b.query.includes('pg_sleep(8)')),
      'the runner in migration 2',
    );
    const killedAt = Date.now();
    runner.child.kill('SIGKILL');
    // Within a few seconds (the server checks a session's client every second), not when pg_sleep(8) would end.
    await waitFor(async () => (await runnerBackends(db)).length === 0, "the killed runner's sessions to end", 5000);
    expect(Date.now() - killedAt).toBeLessThan(5000);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 9000 - (Date.now() - killedAt))));
    // Past the point where the old message would have reached its COMMIT: nothing of it was committed.
    expect(await db.query("SELECT to_regclass('public.late') IS NULL AS gone")).toEqual([{ gone: true }]);
    expect(await versions()).toEqual([1]);
    project.write('0002_slow.sql', '-- UP\nINSERT INTO runs VALUES (1);\nCREATE TABLE late ();\n-- DOWN\nDROP TABLE late;\n');
    const again = await cli(['up', '--allow-out-of-order']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(await versions()).toEqual([1, 2]);
    expect(await db.query('SELECT count(*)::int AS n FROM runs')).toEqual([{ n: 1 }]);
  }, 30_000);
});
