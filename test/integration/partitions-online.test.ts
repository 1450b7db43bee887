// Partition upkeep that never stops traffic: a long reader does not make writers queue behind
// upkeep; rows move out of the default partition while other months are read and written, none
// lost or duplicated; retention can keep detached tables; every interval works.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { LockRetriesExhaustedError } from '../../src/lock-retries/retry.js';
import { parseLockRetries } from '../../src/lock-retries/schedule.js';
import { maintainPartitions } from '../../src/partitions/upkeep.js';
import type { PartitionEvent } from '../../src/partitions/types.js';
import { type TestDatabase, createTestDatabase } from '../support/db.js';

const NOW = new Date('2026-12-07T10:00:00Z');
const AUDIT_LOG_DDL = `
  CREATE TABLE audit_log (
    id bigint GENERATED ALWAYS AS IDENTITY,
    created_at timestamptz NOT NULL DEFAULT now(),
    payload text NOT NULL,
    PRIMARY KEY (id, created_at)
  ) PARTITION BY RANGE (created_at);
  CREATE INDEX audit_log_created_at_idx ON audit_log (created_at);
  CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;`;

const databases: TestDatabase[] = [];
const clients: pg.Client[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => undefined)));
  await Promise.all(databases.splice(0).map((db) => db.drop()));
});

async function freshDb(ddl = AUDIT_LOG_DDL): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  await db.query(ddl);
  return db;
}

async function connect(db: TestDatabase, applicationName = 'test'): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url, application_name: applicationName });
  await client.connect();
  clients.push(client);
  return client;
}

interface Writes {
  longestMs: number;
  writes: number;
  /** SQLSTATEs of the statements that failed with one of the tolerated codes. */
  refused: string[];
}

/**
 * Runs `sql` every `everyMs` until stopped; returns the longest wait seen, the statements that
 * succeeded and those refused with a `tolerated` SQLSTATE (any other error fails the test).
 */
function keepWriting(client: pg.Client, sql: string, everyMs: number, tolerated: string[] = []): { stop: () => Promise<Writes> } {
  let running = true;
  const result: Writes = { longestMs: 0, writes: 0, refused: [] };
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        await client.query(sql);
        result.writes++;
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        if (!tolerated.includes(code)) throw error;
        result.refused.push(code);
      }
      result.longestMs = Math.max(result.longestMs, performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return result;
    },
  };
}

const rowsHash = async (db: TestDatabase, where = 'true'): Promise<{ n: string; hash: string }> =>
  (
    await db.query<{ n: string; hash: string }>(
      `SELECT count(*)::text AS n, md5(coalesce(string_agg(id || '|' || created_at || '|' || payload, ',' ORDER BY id), '')) AS hash
         FROM audit_log WHERE ${where}`,
    )
  )[0] as { n: string; hash: string };

describe('partition upkeep never queues traffic', { timeout: 90_000 }, () => {
  it('a long reader holding the table: writers are never delayed past one attempt, and upkeep finishes after the reader', async () => {
    const db = await freshDb();
    const setup = await connect(db);
    await maintainPartitions(setup, { now: NOW, ahead: 1 });
    await setup.query(
      `INSERT INTO audit_log (created_at, payload) SELECT '2027-03-10 00:00:00+00'::timestamptz + n * interval '1 minute', 'waiting' FROM generate_series(1, 2000) n`,
    );
    // A report query that cannot be narrowed to one month holds ACCESS SHARE on every partition, the default one included.
    const reader = await connect(db, 'monthly report');
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM audit_log');
    const writer = keepWriting(await connect(db), `INSERT INTO audit_log (payload) VALUES ('current month')`, 20);
    const events: PartitionEvent[] = [];
    const upkeep = maintainPartitions(await connect(db, 'upkeep'), {
      now: NOW,
      ahead: 4,
      lockRetries: parseLockRetries('100ms..200ms,50ms..200ms,1m', 'test'),
      onEvent: (event) => events.push(event),
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await reader.query('COMMIT');
    const report = await upkeep;
    const { longestMs, writes } = await writer.stop();

    expect(report.created.map((created) => created.name)).toEqual(['audit_log_2027_02', 'audit_log_2027_03', 'audit_log_2027_04']);
    expect(report.created.find((created) => created.name === 'audit_log_2027_03')?.movedRows).toBe(2000);
    const retries = events.filter((event) => event.type === 'lock-retry');
    expect(retries.length).toBeGreaterThan(0);
    expect(retries[0]?.message).toMatch(
      /^audit_log: creating audit_log_2027_0\d: lock not available within \d+ ms, blocked by pid \d+ \(monthly report/,
    );
    expect(writes).toBeGreaterThan(20);
    // One attempt waits 200 ms at most; a writer queued behind an ACCESS EXCLUSIVE request would have waited the reader's 2.5 s.
    expect(longestMs).toBeLessThan(1000);
  });

  it('when the retries run out: exit 4 naming the blocker, the steps before stay done, writers were never held', async () => {
    const db = await freshDb();
    const setup = await connect(db);
    await maintainPartitions(setup, { now: NOW, ahead: 0 });
    await setup.query(`INSERT INTO audit_log (created_at, payload) VALUES ('2027-01-15 00:00:00+00', 'january')`);
    const reader = await connect(db, 'endless report');
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM audit_log_default');
    const writer = keepWriting(await connect(db), `INSERT INTO audit_log (payload) VALUES ('current month')`, 20);
    const failure = await maintainPartitions(await connect(db), {
      now: NOW,
      ahead: 1,
      lockRetries: parseLockRetries('100ms,20ms,600ms', 'test'),
    }).catch((error: unknown) => error);
    const { longestMs } = await writer.stop();
    await reader.query('COMMIT');

    expect(failure).toBeInstanceOf(LockRetriesExhaustedError);
    expect((failure as LockRetriesExhaustedError).exitCode).toBe(4);
    expect((failure as Error).message).toMatch(
      /^audit_log: creating audit_log_2027_01: lock retries ran out after \d+ attempts .* blocked by pid \d+ \(endless report.*partition upkeep of audit_log did not finish/,
    );
    expect(longestMs).toBeLessThan(1000);
    // Nothing half-done: the month is not there and its row is still in the default partition, once.
    expect(await db.query(`SELECT to_regclass('audit_log_2027_01') AS t`)).toEqual([{ t: null }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM audit_log_default WHERE payload = 'january'`)).toEqual([{ n: 1 }]);
  });

  it('rows move out of the default partition while other months are read and written: none lost, none twice', async () => {
    const db = await freshDb();
    const setup = await connect(db);
    await maintainPartitions(setup, { now: NOW, ahead: 1 });
    await setup.query(
      `INSERT INTO audit_log (created_at, payload)
       SELECT '2027-02-01 00:00:00+00'::timestamptz + (n % 150) * interval '1 day' + n * interval '1 second', 'backlog ' || n
         FROM generate_series(1, 60000) n`,
    );
    const before = await rowsHash(db);
    // Writers of the current month, and of a month being moved: such a row waits for the move and
    // then lands in the new partition — or, when it was routed to the default partition before the
    // move committed, PostgreSQL refuses it (SQLSTATE 23514) and the application may send it again.
    // Either way it is never lost silently nor stored twice. A reader of next month through the parent.
    const writers = [
      keepWriting(await connect(db), `INSERT INTO audit_log (payload) VALUES ('now')`, 5),
      keepWriting(
        await connect(db),
        `INSERT INTO audit_log (created_at, payload) VALUES ('2027-03-03 03:03:03+00', 'into a moving month')`,
        5,
        ['23514'],
      ),
    ];
    const reader = keepWriting(
      await connect(db),
      `SELECT count(*) FROM audit_log WHERE created_at >= '2027-01-01 00:00:00+00' AND created_at < '2027-02-01 00:00:00+00'`,
      5,
    );
    const report = await maintainPartitions(await connect(db), { now: NOW, ahead: 6 });
    const [current, moving] = await Promise.all(writers.map((writer) => writer.stop()));
    const read = await reader.stop();

    expect(report.created.map((created) => created.name)).toEqual([
      'audit_log_2027_02',
      'audit_log_2027_03',
      'audit_log_2027_04',
      'audit_log_2027_05',
      'audit_log_2027_06',
    ]);
    expect(report.created.reduce((sum, created) => sum + created.movedRows, 0)).toBeGreaterThan(50_000);
    // Every backlog row is there exactly once, unchanged; every write is there.
    expect(await rowsHash(db, `payload LIKE 'backlog %'`)).toEqual(before);
    expect(await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE payload = 'now'`)).toEqual([{ n: current?.writes }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM audit_log_2027_03 WHERE payload = 'into a moving month'`)).toEqual([
      { n: moving?.writes },
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM audit_log_default WHERE created_at < '2027-07-01'`)).toEqual([{ n: 0 }]);
    expect(read.longestMs).toBeLessThan(1000);
    expect(current?.longestMs).toBeLessThan(1000);
  });

  it('retention in detach mode keeps old partitions as plain tables with their rows', async () => {
    const db = await freshDb();
    const client = await connect(db);
    await maintainPartitions(client, { now: new Date('2026-08-10T00:00:00Z'), ahead: 1 });
    await client.query(`INSERT INTO audit_log (created_at, payload) VALUES ('2026-08-20 00:00:00+00', 'august')`);
    const events: PartitionEvent[] = [];
    const report = await maintainPartitions(client, {
      now: NOW,
      ahead: 0,
      retain: 2,
      retainMode: 'detach',
      onEvent: (e) => events.push(e),
    });
    expect(report.detached.map((partition) => partition.name)).toEqual(['audit_log_2026_08', 'audit_log_2026_09']);
    expect(report.dropped).toEqual([]);
    expect(report.summary).toMatch(/detached 2 old partitions \(audit_log_2026_08, audit_log_2026_09\), kept as plain tables/);
    expect(events.filter((event) => event.type === 'partition-detached')).toHaveLength(2);
    expect(await db.query(`SELECT payload FROM audit_log_2026_08`)).toEqual([{ payload: 'august' }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM audit_log WHERE payload = 'august'`)).toEqual([{ n: 0 }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhrelid = 'audit_log_2026_08'::regclass`)).toEqual([{ n: 0 }]);
  });

  it('daily, weekly and yearly tables get partitions named after their periods', async () => {
    const db = await freshDb(`
      CREATE TABLE events (at timestamptz NOT NULL, kind text) PARTITION BY RANGE (at);
      CREATE TABLE weekly (at date NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE metrics (at timestamp NOT NULL) PARTITION BY RANGE (at);`);
    const client = await connect(db);
    const days = await maintainPartitions(client, { table: 'events', interval: 'day', ahead: 2, now: NOW });
    const weeks = await maintainPartitions(client, { table: 'weekly', interval: 'week', ahead: 1, now: NOW });
    const years = await maintainPartitions(client, { table: 'metrics', interval: 'year', ahead: 1, now: NOW });
    expect(days.created.map((created) => created.name)).toEqual(['events_2026_12_07', 'events_2026_12_08', 'events_2026_12_09']);
    expect(weeks.created.map((created) => created.name)).toEqual(['weekly_2026_w50', 'weekly_2026_w51']);
    expect(years.created.map((created) => created.name)).toEqual(['metrics_2026', 'metrics_2027']);
    const bounds = await db.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE c.relname IN ('events_2026_12_07', 'weekly_2026_w50', 'metrics_2027') ORDER BY 1`,
    );
    expect(bounds).toEqual([
      { name: 'events_2026_12_07', bound: "FOR VALUES FROM ('2026-12-07 00:00:00+00') TO ('2026-12-08 00:00:00+00')" },
      { name: 'metrics_2027', bound: "FOR VALUES FROM ('2027-01-01 00:00:00') TO ('2028-01-01 00:00:00')" },
      { name: 'weekly_2026_w50', bound: "FOR VALUES FROM ('2026-12-07') TO ('2026-12-14')" },
    ]);
    // A daily table is not a monthly one: asked to keep it monthly, upkeep refuses and says how to fix it.
    await expect(maintainPartitions(client, { table: 'events', interval: 'month', now: NOW, unmanaged: 'fail' })).rejects.toThrow(
      /its partitions are daily .* registered as monthly \(register it again with --interval day, or unregister it\)/,
    );
  });
});
