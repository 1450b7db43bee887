// maintainPartitions / describePartitions against a real PostgreSQL (15+). Each test gets its own
// database, created from the server in TEST_DATABASE_URL and dropped afterwards.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { describePartitions } from '../../src/partitions/catalog.js';
import { maintainPartitions } from '../../src/partitions/upkeep.js';
import { type PartitionEvent, PartitionSetupError, PartitionSqlError } from '../../src/partitions/types.js';
import { addPeriods, formatPeriod, partitionNameOf, periodOf } from '../../src/partitions/periods.js';

const SERVER_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NOW = new Date('2026-11-15T12:00:00Z');

const AUDIT_LOG_DDL = `
  CREATE TABLE audit_log (
    id uuid DEFAULT gen_random_uuid(),
    created_at timestamptz NOT NULL DEFAULT now(),
    payload text,
    PRIMARY KEY (id, created_at)
  ) PARTITION BY RANGE (created_at);
  CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;`;

const databases: string[] = [];
const clients: pg.Client[] = [];

function urlFor(db: string): string {
  const u = new URL(SERVER_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

async function withAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const admin = new pg.Client({ connectionString: SERVER_URL });
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.end();
  }
}

/** A fresh database and a client connected to it (closed and dropped in afterEach). */
async function freshDb(ddl: string | null = AUDIT_LOG_DDL): Promise<pg.Client> {
  const name = `aeturnis_parts_${randomBytes(6).toString('hex')}`;
  await withAdmin((a) => a.query(`CREATE DATABASE ${name}`));
  databases.push(name);
  const c = await connect(name);
  if (ddl) await c.query(ddl);
  return c;
}

async function connect(db: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: urlFor(db) });
  await c.connect();
  clients.push(c);
  return c;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  const dbs = databases.splice(0);
  if (dbs.length > 0) {
    await withAdmin(async (a) => {
      for (const db of dbs) await a.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    });
  }
});

interface PartRow {
  name: string;
  bound: string;
}

/** Partitions of `table` with bounds printed in UTC (a separate transaction, so it reads committed state). */
async function partitions(c: pg.Client, table = 'audit_log'): Promise<PartRow[]> {
  await c.query('BEGIN');
  try {
    await c.query(`SET LOCAL TimeZone = 'UTC'`);
    await c.query(`SET LOCAL DateStyle = 'ISO, YMD'`);
    const r = await c.query<PartRow>(
      `SELECT c.relnamespace::regnamespace::text || '.' || quote_ident(c.relname) AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = to_regclass($1) ORDER BY c.relname`,
      [table],
    );
    return r.rows;
  } finally {
    await c.query('COMMIT');
  }
}

const monthBound = (from: string, to: string) => `FOR VALUES FROM ('${from} 00:00:00+00') TO ('${to} 00:00:00+00')`;

async function count(c: pg.Client, sql: string, params: unknown[] = []): Promise<number> {
  const r = await c.query<{ n: string }>(sql, params);
  return Number(r.rows[0]?.n);
}

describe('maintainPartitions against PostgreSQL', { timeout: 60_000 }, () => {
  it('fresh table: current month + 3 ahead and the default, with exact bounds', async () => {
    const c = await freshDb();
    const events: PartitionEvent[] = [];
    const report = await maintainPartitions(c, { now: NOW, onEvent: (e) => events.push(e) });

    expect(report.tableExists).toBe(true);
    expect(report.partitionKey).toBe('created_at');
    expect(report.partitionKeyDef).toBe('RANGE (created_at)');
    expect(report.changed).toBe(true);
    expect(report.created.map((p) => p.name)).toEqual(['audit_log_2026_11', 'audit_log_2026_12', 'audit_log_2027_01', 'audit_log_2027_02']);
    expect(report.created[0]?.from.toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(report.created[0]?.to.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(report.defaultPartition).toEqual({ name: 'audit_log_default', created: false });
    expect(events.at(-1)).toMatchObject({ type: 'done', changed: true });
    expect(events.filter((e) => e.type === 'partition-created')).toHaveLength(4);

    expect(await partitions(c)).toEqual([
      { name: 'public.audit_log_2026_11', bound: monthBound('2026-11-01', '2026-12-01') },
      { name: 'public.audit_log_2026_12', bound: monthBound('2026-12-01', '2027-01-01') },
      { name: 'public.audit_log_2027_01', bound: monthBound('2027-01-01', '2027-02-01') },
      { name: 'public.audit_log_2027_02', bound: monthBound('2027-02-01', '2027-03-01') },
      { name: 'public.audit_log_default', bound: 'DEFAULT' },
    ]);

    const d = await describePartitions(c, 'audit_log');
    expect(d).toMatchObject({
      exists: true,
      partitioned: true,
      partitionKey: 'created_at',
      count: 4,
      defaultPartition: 'audit_log_default',
      defaultRows: 0,
    });
    expect([d.firstPeriod, d.lastPeriod].map((period) => period && formatPeriod(period))).toEqual(['2026-11', '2027-02']);
    expect(d.summary).toBe('audit_log: 4 partitions, 2026-11..2027-02');
  });

  it('defaults: table audit_log, ahead 3, the real clock', async () => {
    const c = await freshDb();
    const report = await maintainPartitions(c);
    const current = periodOf(new Date(), 'month');
    expect(report.created.map((p) => p.name)).toEqual([0, 1, 2, 3].map((i) => partitionNameOf('audit_log', addPeriods(current, i))));
  });

  it('a second run creates nothing and says so, even from a session with another TimeZone/DateStyle', async () => {
    const c = await freshDb();
    await maintainPartitions(c, { now: NOW });
    const before = await partitions(c);

    await c.query(`SET TimeZone = 'Pacific/Kiritimati'`);
    await c.query(`SET DateStyle = 'SQL, DMY'`);
    const events: PartitionEvent[] = [];
    const again = await maintainPartitions(c, { now: NOW, onEvent: (e) => events.push(e) });
    expect(again.changed).toBe(false);
    expect(again.created).toEqual([]);
    expect(again.conflicts).toEqual([]);
    expect(again.alreadyCovered.map((m) => m.by)).toEqual([
      'audit_log_2026_11',
      'audit_log_2026_12',
      'audit_log_2027_01',
      'audit_log_2027_02',
    ]);
    expect(again.summary).toBe('audit_log: partitions for 2026-11..2027-02 already exist; nothing to do');
    expect(events.at(-1)).toMatchObject({ type: 'done', changed: false });
    expect(await partitions(c)).toEqual(before);

    // the session settings are the caller's and are left as they were
    const tz = await c.query<{ tz: string }>('SELECT current_setting($$TimeZone$$) AS tz');
    expect(tz.rows[0]?.tz).toBe('Pacific/Kiritimati');

    const d = await describePartitions(c, 'audit_log');
    expect(d.partitions[0]).toEqual({
      name: 'audit_log_2026_11',
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
    });
    expect([d.firstPeriod, d.lastPeriod].map((period) => period && formatPeriod(period))).toEqual(['2026-11', '2027-02']);
  });

  it('rows waiting in the default partition are moved into the new month partitions, none lost or duplicated', async () => {
    const c = await freshDb();
    await c.query(
      `INSERT INTO audit_log (created_at, payload) VALUES
         ('2027-07-10 08:00:00+00', 'eight months ahead'),
         ('2027-07-01 00:00:00+00', 'first instant of July'),
         ('2027-07-31 23:59:59.999999+00', 'last instant of July'),
         ('2027-08-01 00:00:00+00', 'August'),
         ('2030-01-01 00:00:00+00', 'far future stays in default'),
         ('2020-01-01 00:00:00+00', 'far past stays in default')`,
    );
    // ahead=3: the row is 8 months ahead and stays in the default partition.
    const first = await maintainPartitions(c, { now: NOW });
    expect(first.created.every((p) => p.movedRows === 0)).toBe(true);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log_default`)).toBe(6);

    const dry = await maintainPartitions(c, { now: NOW, ahead: 12, dryRun: true });
    expect(dry.created.find((p) => p.name === 'audit_log_2027_07')?.movedRows).toBe(3);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log_default`)).toBe(6);

    const report = await maintainPartitions(c, { now: NOW, ahead: 12 });
    expect(report.created.map((p) => [p.name, p.movedRows])).toEqual([
      ['audit_log_2027_03', 0],
      ['audit_log_2027_04', 0],
      ['audit_log_2027_05', 0],
      ['audit_log_2027_06', 0],
      ['audit_log_2027_07', 3],
      ['audit_log_2027_08', 1],
      ['audit_log_2027_09', 0],
      ['audit_log_2027_10', 0],
      ['audit_log_2027_11', 0],
    ]);
    expect(report.summary).toContain('moved 4 rows from the default partition');

    expect(await count(c, `SELECT count(*) AS n FROM audit_log`)).toBe(6);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log_default`)).toBe(2);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log_2027_07`)).toBe(3);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log WHERE payload = 'eight months ahead'`)).toBe(1);
    const where = await c.query<{ part: string }>(
      `SELECT tableoid::regclass::text AS part FROM audit_log WHERE payload = 'eight months ahead'`,
    );
    expect(where.rows).toEqual([{ part: 'audit_log_2027_07' }]);

    // The default partition is attached again, as the default.
    expect((await partitions(c)).find((p) => p.name === 'public.audit_log_default')?.bound).toBe('DEFAULT');
    // New rows route normally afterwards.
    await c.query(`INSERT INTO audit_log (created_at, payload) VALUES ('2027-07-20 00:00:00+00', 'later')`);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log_2027_07`)).toBe(4);

    const d = await describePartitions(c, 'audit_log');
    expect(d.defaultRows).toBe(2);
    // The hint tells the two apart: a row dated ahead waits for --ahead, a row dated in the past never moves.
    const described = await describePartitions(c, 'audit_log', 'month', NOW);
    expect(described.summary).toBe(
      'audit_log: 13 partitions, 2026-11..2027-11; 2 rows in audit_log_default (1 row dated after the last partition: ' +
        'is --ahead too small?; 1 row dated before 2026-11, which upkeep never moves: create a partition for it by hand, or delete it)',
    );
  });

  it("the default partition's columns are read once per run, not once per month created", async () => {
    const c = await freshDb();
    await c.query(
      `INSERT INTO audit_log (created_at, payload) VALUES ('2027-02-10 08:00:00+00', 'moved'), ('2027-05-10 08:00:00+00', 'moved')`,
    );
    const query = vi.spyOn(c, 'query');
    const report = await maintainPartitions(c, { now: NOW, ahead: 8 });
    expect(report.created).toHaveLength(9);
    expect(report.created.reduce((sum, p) => sum + p.movedRows, 0)).toBe(2);
    const columnReads = query.mock.calls.filter(
      ([text]) => typeof text === 'string' && text.includes('pg_catalog.pg_attribute') && text.includes('attgenerated'),
    );
    expect(columnReads).toHaveLength(1);
  });

  it('a hand-made partition covering a month (any name, or several months) is respected, not duplicated', async () => {
    const c = await freshDb();
    await c.query(
      `CREATE TABLE audit_dec_special PARTITION OF audit_log FOR VALUES FROM ('2026-12-01 00:00:00+00') TO ('2027-01-01 00:00:00+00')`,
    );
    // Written in another zone: the same instants.
    await c.query(`CREATE TABLE audit_q1 PARTITION OF audit_log FOR VALUES FROM ('2027-01-01 10:00:00+10') TO ('2027-03-31 14:00:00-10')`);
    const report = await maintainPartitions(c, { now: NOW });
    expect(report.created.map((p) => p.name)).toEqual(['audit_log_2026_11']);
    expect(report.alreadyCovered.map((m) => [formatPeriod(m.period), m.by])).toEqual([
      ['2026-12', 'audit_dec_special'],
      ['2027-01', 'audit_q1'],
      ['2027-02', 'audit_q1'],
    ]);
    expect(report.conflicts).toEqual([]);
    const names = (await partitions(c)).map((p) => p.name);
    expect(names).toEqual(['public.audit_dec_special', 'public.audit_log_2026_11', 'public.audit_log_default', 'public.audit_q1']);
  });

  it('a partition overlapping half a month: conflict reported, the other months created, no error', async () => {
    const c = await freshDb();
    await c.query(`CREATE TABLE audit_odd PARTITION OF audit_log FOR VALUES FROM ('2026-12-15 00:00:00+00') TO ('2027-01-15 00:00:00+00')`);
    const events: PartitionEvent[] = [];
    const report = await maintainPartitions(c, { now: NOW, onEvent: (e) => events.push(e) });
    expect(report.created.map((p) => p.name)).toEqual(['audit_log_2026_11', 'audit_log_2027_02']);
    expect(report.conflicts.map((x) => [formatPeriod(x.period), x.overlapping])).toEqual([
      ['2026-12', ['audit_odd']],
      ['2027-01', ['audit_odd']],
    ]);
    expect(report.conflicts[0]?.message).toBe(
      'month 2026-12 [2026-12-01T00:00:00Z, 2027-01-01T00:00:00Z) is only partly covered by ' +
        'audit_odd [2026-12-15T00:00:00Z, 2027-01-15T00:00:00Z); audit_log_2026_12 not created (resolve the overlap by hand)',
    );
    expect(events.filter((e) => e.type === 'period-conflict')).toHaveLength(2);
    expect(report.summary).toContain('2 months skipped');
    expect((await partitions(c)).map((p) => p.name)).toEqual([
      'public.audit_log_2026_11',
      'public.audit_log_2027_02',
      'public.audit_log_default',
      'public.audit_odd',
    ]);
  });

  it('a stray table with a partition name is a conflict, not a failed CREATE', async () => {
    const c = await freshDb();
    await c.query(`CREATE TABLE audit_log_2026_12 (x int)`);
    const report = await maintainPartitions(c, { now: NOW });
    expect(report.created.map((p) => p.name)).toEqual(['audit_log_2026_11', 'audit_log_2027_01', 'audit_log_2027_02']);
    expect(report.conflicts[0]?.message).toContain('a relation named audit_log_2026_12 already exists');
  });

  it('retain drops only partitions whose whole month ended before (current month - retain)', async () => {
    const c = await freshDb();
    // Jan 2026 .. Feb 2027
    await maintainPartitions(c, { now: new Date('2026-01-20T00:00:00Z'), ahead: 13 });
    await c.query(
      `INSERT INTO audit_log (created_at, payload) VALUES ('2026-07-31 23:59:59+00', 'old'), ('2026-08-01 00:00:00+00', 'kept')`,
    );

    const noRetain = await maintainPartitions(c, { now: NOW });
    expect(noRetain.dropped).toEqual([]);
    expect(noRetain.changed).toBe(false);

    const dry = await maintainPartitions(c, { now: NOW, retain: 3, dryRun: true });
    expect(dry.dropped.map((d) => d.name)).toHaveLength(7);
    expect((await partitions(c)).length).toBe(15);

    const report = await maintainPartitions(c, { now: NOW, retain: 3 });
    expect(report.retentionCutoff?.toISOString()).toBe('2026-08-01T00:00:00.000Z');
    expect(report.dropped.map((d) => d.name)).toEqual([
      'audit_log_2026_01',
      'audit_log_2026_02',
      'audit_log_2026_03',
      'audit_log_2026_04',
      'audit_log_2026_05',
      'audit_log_2026_06',
      'audit_log_2026_07',
    ]);
    expect(report.changed).toBe(true);
    expect((await partitions(c)).map((p) => p.name)).toEqual([
      'public.audit_log_2026_08',
      'public.audit_log_2026_09',
      'public.audit_log_2026_10',
      'public.audit_log_2026_11',
      'public.audit_log_2026_12',
      'public.audit_log_2027_01',
      'public.audit_log_2027_02',
      'public.audit_log_default',
    ]);
    expect(await count(c, `SELECT count(*) AS n FROM pg_class WHERE relname = 'audit_log_2026_07'`)).toBe(0);
    const rows = await c.query<{ payload: string }>(`SELECT payload FROM audit_log ORDER BY created_at`);
    expect(rows.rows).toEqual([{ payload: 'kept' }]);

    const again = await maintainPartitions(c, { now: NOW, retain: 3 });
    expect(again.changed).toBe(false);
    expect(again.dropped).toEqual([]);
  });

  it('a retention drop that PostgreSQL refuses (a view depends on it) fails the run after everything else was done', async () => {
    const c = await freshDb();
    await maintainPartitions(c, { now: new Date('2026-06-10T00:00:00Z'), ahead: 0 });
    await maintainPartitions(c, { now: new Date('2026-07-10T00:00:00Z'), ahead: 0 });
    await c.query(`CREATE VIEW june AS SELECT * FROM audit_log_2026_06`);
    const events: PartitionEvent[] = [];
    const failure = await maintainPartitions(c, { now: NOW, retain: 3, onEvent: (e) => events.push(e) }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PartitionSqlError);
    expect((failure as PartitionSqlError).exitCode).toBe(1);
    expect(String((failure as Error).message)).toMatch(
      /audit_log_2026_06: cannot drop table audit_log_2026_06 because other objects depend on it.*2BP01/,
    );
    expect(events.filter((e) => e.type === 'partition-dropped').map((e) => e.message)).toEqual([
      expect.stringMatching(/^detached and dropped audit_log_2026_07 /),
    ]);
    expect(events.filter((e) => e.type === 'drop-failed')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'partition-created')).toHaveLength(4);
    const names = (await partitions(c)).map((p) => p.name);
    expect(names).toContain('public.audit_log_2026_06'); // still attached
    expect(names).not.toContain('public.audit_log_2026_07');
    expect(names).toContain('public.audit_log_2026_11');
  });

  it('dryRun reports the plan and changes nothing', async () => {
    const c = await freshDb(`
      CREATE TABLE audit_log (id uuid DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL DEFAULT now(),
        payload text, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
      CREATE TABLE audit_log_2026_01 PARTITION OF audit_log FOR VALUES FROM ('2026-01-01 00:00:00+00') TO ('2026-02-01 00:00:00+00');`);
    const before = await partitions(c);
    const events: PartitionEvent[] = [];
    const report = await maintainPartitions(c, { now: NOW, retain: 2, dryRun: true, onEvent: (e) => events.push(e) });
    expect(report.dryRun).toBe(true);
    expect(report.changed).toBe(false);
    expect(report.created.map((p) => p.name)).toEqual(['audit_log_2026_11', 'audit_log_2026_12', 'audit_log_2027_01', 'audit_log_2027_02']);
    expect(report.dropped.map((d) => d.name)).toEqual(['audit_log_2026_01']);
    expect(report.defaultPartition).toEqual({ name: 'audit_log_default', created: true });
    expect(report.summary.startsWith('audit_log (dry run): would create 4 partitions')).toBe(true);
    expect(events.find((e) => e.type === 'partition-dropped')?.message).toMatch(/^would detach and drop audit_log_2026_01/);
    expect(await partitions(c)).toEqual(before);
  });

  it('a missing default partition is created', async () => {
    const c = await freshDb(`
      CREATE TABLE audit_log (id uuid DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL DEFAULT now(),
        payload text, PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);`);
    const report = await maintainPartitions(c, { now: NOW, ahead: 0 });
    expect(report.defaultPartition).toEqual({ name: 'audit_log_default', created: true });
    expect(await partitions(c)).toEqual([
      { name: 'public.audit_log_2026_11', bound: monthBound('2026-11-01', '2026-12-01') },
      { name: 'public.audit_log_default', bound: 'DEFAULT' },
    ]);
    expect((await maintainPartitions(c, { now: NOW, ahead: 0 })).changed).toBe(false);
  });

  it('schema-qualified and quoted table names', async () => {
    const c = await freshDb(`
      CREATE SCHEMA app;
      CREATE TABLE app.audit_log (id bigint GENERATED ALWAYS AS IDENTITY, created_at timestamptz NOT NULL,
        PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at);
      CREATE TABLE app.audit_log_default PARTITION OF app.audit_log DEFAULT;
      CREATE SCHEMA "Odd Schema";
      CREATE TABLE "Odd Schema"."Audit ""Log""" (ts timestamptz NOT NULL) PARTITION BY RANGE (ts);`);
    await c.query(`INSERT INTO app.audit_log (created_at) VALUES ('2027-01-05 00:00:00+00')`);

    expect((await maintainPartitions(c, { table: 'audit_log', now: NOW })).tableExists).toBe(false); // not on search_path
    const report = await maintainPartitions(c, { table: 'app.audit_log', now: NOW });
    expect(report.schema).toBe('app');
    expect(report.relation).toBe('audit_log');
    expect(report.created.find((p) => p.name === 'audit_log_2027_01')?.movedRows).toBe(1);
    expect((await partitions(c, 'app.audit_log')).map((p) => p.name)).toEqual([
      'app.audit_log_2026_11',
      'app.audit_log_2026_12',
      'app.audit_log_2027_01',
      'app.audit_log_2027_02',
      'app.audit_log_default',
    ]);
    expect(await count(c, `SELECT count(*) AS n FROM app.audit_log_2027_01`)).toBe(1);
    expect(await count(c, `SELECT count(*) AS n FROM app.audit_log_default`)).toBe(0);

    const odd = await maintainPartitions(c, { table: '"Odd Schema"."Audit ""Log"""', now: NOW, ahead: 1 });
    expect(odd.partitionKey).toBe('ts');
    expect(odd.created.map((p) => p.name)).toEqual(['Audit "Log"_2026_11', 'Audit "Log"_2026_12']);
    expect(odd.defaultPartition).toEqual({ name: 'Audit "Log"_default', created: true });
    expect((await partitions(c, '"Odd Schema"."Audit ""Log"""')).map((p) => p.name)).toEqual([
      '"Odd Schema"."Audit ""Log""_2026_11"',
      '"Odd Schema"."Audit ""Log""_2026_12"',
      '"Odd Schema"."Audit ""Log""_default"',
    ]);
  });

  it('missing table: tableExists false, no throw; plain table: a clear error', async () => {
    const c = await freshDb(`CREATE TABLE plain (created_at timestamptz)`);
    const events: PartitionEvent[] = [];
    const report = await maintainPartitions(c, { now: NOW, onEvent: (e) => events.push(e) });
    expect(report.tableExists).toBe(false);
    expect(report.summary).toBe('audit_log does not exist; no partitions ensured');
    expect(events.map((e) => e.type)).toEqual(['table-missing']);
    expect((await describePartitions(c)).exists).toBe(false);

    await expect(maintainPartitions(c, { table: 'plain', now: NOW, unmanaged: 'fail' })).rejects.toThrow(PartitionSetupError);
    await expect(maintainPartitions(c, { table: 'plain', now: NOW, unmanaged: 'fail' })).rejects.toThrow(/not a partitioned table/);
    expect(await describePartitions(c, 'plain')).toMatchObject({ exists: true, partitioned: false });
    // The connection is usable afterwards (no transaction left open).
    expect((await c.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
  });

  it('a non-timestamp or multi-column key is refused with the key in the message', async () => {
    const c = await freshDb(`CREATE TABLE by_id (id int) PARTITION BY RANGE (id)`);
    await expect(maintainPartitions(c, { table: 'by_id', now: NOW, unmanaged: 'fail' })).rejects.toThrow(/partitioned by RANGE \(id\)/);
  });

  it('two concurrent runs without the caller lock both succeed and create each partition once', async () => {
    const c = await freshDb();
    await c.query(
      `INSERT INTO audit_log (created_at) SELECT '2027-01-01 00:00:00+00'::timestamptz + n * interval '1 minute' FROM generate_series(1, 500) n`,
    );
    const db = databases[0] ?? '';
    const others = await Promise.all([connect(db), connect(db), connect(db)]);
    const reports = await Promise.all([c, ...others].map((cl) => maintainPartitions(cl, { now: NOW })));
    const created = reports.flatMap((r) => r.created.map((p) => p.name)).sort();
    expect(created).toEqual(['audit_log_2026_11', 'audit_log_2026_12', 'audit_log_2027_01', 'audit_log_2027_02']);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log_2027_01`)).toBe(500);
    expect(await count(c, `SELECT count(*) AS n FROM audit_log_default`)).toBe(0);
  });
});
