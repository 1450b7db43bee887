// The partition registry, as a user meets it: `partitions register | unregister | list`, the
// `-- aeturnis:partitions` directive of a migration, and the lines `status` prints for the
// registered tables. The built CLI as its own process, a fresh database per test.
import { describe, expect, it } from 'vitest';
import { lines } from '../support/runner-safety.js';
import { oneError, useTestProject } from '../support/test-project.js';

const setup = useTestProject();
const { db, project, cli, versions } = setup;

/** The registry as stored, or null when its table does not exist. */
async function registry(table = 'public.schema_migrations_partitions'): Promise<Record<string, unknown>[] | null> {
  const [found] = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [table]);
  if (!found?.exists) return null;
  return db.query(
    `SELECT table_schema::text, table_name::text, partition_column::text, partition_interval, ahead, retain, retain_mode FROM ${table} ORDER BY 1, 2`,
  );
}

const row = (over: Record<string, unknown>): Record<string, unknown> => ({
  table_schema: 'public',
  partition_column: 'occurred_at',
  partition_interval: 'month',
  ahead: 3,
  retain: null,
  retain_mode: 'drop',
  ...over,
});

const EVENTS = 'CREATE TABLE events (id bigint, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at)';

describe('partitions register, unregister, list', () => {
  it('registers a table, replaces its settings saying what changed, lists it, unregisters it', async () => {
    await db.query(EVENTS);
    const empty = await cli(['partitions', 'list']);
    expect(empty.code).toBe(0);
    expect(lines(empty.stdout)).toEqual(['No table is registered for partition upkeep (partitions register TABLE adds one).']);
    expect(await registry()).toBeNull(); // reading never creates it

    const first = await cli(['partitions', 'register', 'events', '--interval', 'daily', '--ahead', '7', '--retain', '30']);
    expect(first.code, first.stderr).toBe(0);
    expect(lines(first.stdout)).toEqual(['Registered public.events for partition upkeep: daily, ahead 7, retain 30 (drop)']);
    expect(await registry()).toEqual([row({ table_name: 'events', partition_interval: 'day', ahead: 7, retain: 30 })]);

    const again = await cli(['partitions', 'register', 'public.events', '--interval', 'day', '--ahead', '7', '--retain', '30']);
    expect(lines(again.stdout)).toEqual([
      'public.events is already registered for partition upkeep: daily, ahead 7, retain 30 (drop) (nothing changed)',
    ]);
    // A second registration states the settings anew: what it leaves out takes its default.
    const changed = await cli(['partitions', 'register', 'EVENTS', '--interval', 'week', '--retain', '8', '--retain-mode', 'detach']);
    expect(changed.code).toBe(0);
    expect(lines(changed.stdout)).toEqual([
      'Updated public.events for partition upkeep: weekly, ahead 3, retain 8 (detach) (interval daily → weekly, ahead 7 → 3, retain 30 (drop) → 8 (detach))',
    ]);
    expect(await registry()).toEqual([row({ table_name: 'events', partition_interval: 'week', retain: 8, retain_mode: 'detach' })]);

    const listed = await cli(['partitions', 'list']);
    expect(lines(listed.stdout)).toEqual(['public.events by occurred_at: weekly, ahead 3, retain 8 (detach)']);
    const json = await cli(['partitions', 'list', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      {
        schema: 'public',
        table: 'events',
        column: 'occurred_at',
        interval: 'week',
        ahead: 3,
        retain: 8,
        retainMode: 'detach',
        exists: true,
      },
    ]);

    const removed = await cli(['partitions', 'unregister', 'events']);
    expect(removed.code).toBe(0);
    expect(lines(removed.stdout)).toEqual(['Unregistered public.events: partition upkeep leaves it alone now (its partitions stay)']);
    expect(await registry()).toBeNull(); // gone with its last row
    expect(await db.query(`SELECT to_regclass('events') IS NOT NULL AS kept`)).toEqual([{ kept: true }]);
  });

  it('keeps the registry next to the journal: --table app.history puts it in app.history_partitions', async () => {
    await db.query(`CREATE SCHEMA app; ${EVENTS.replace('events', 'app."Events"')}`);
    const run = await cli(['--table', 'app.history', 'partitions', 'register', 'app."Events"', '--column', 'Occurred_At']);
    expect(run.code, run.stderr).toBe(0);
    expect(lines(run.stdout)).toEqual(['Registered app."Events" for partition upkeep: monthly, ahead 3']);
    expect(await registry('app.history_partitions')).toEqual([row({ table_schema: 'app', table_name: 'Events' })]);
    expect(await registry()).toBeNull();
    const list = await cli(['--table', 'app.history', 'partitions', 'list']);
    expect(lines(list.stdout)).toEqual(['app."Events" by occurred_at: monthly, ahead 3']);
  });

  it('refuses a table upkeep cannot manage, with exit 2 and one line naming it, and registers nothing', async () => {
    await db.query(`${EVENTS}; CREATE TABLE plain (id int); CREATE TABLE kinds (kind text) PARTITION BY LIST (kind);
      CREATE TABLE named (name text) PARTITION BY RANGE (name)`);
    const refused: [string[], string][] = [
      [['nosuch'], 'error: nosuch: no such table (check the name, its schema and search_path)'],
      [
        ['plain'],
        'error: public.plain is not partitioned; partition upkeep needs PARTITION BY RANGE on one timestamptz, timestamp or date column',
      ],
      [
        ['kinds'],
        'error: public.kinds is partitioned by LIST (kind); partition upkeep needs PARTITION BY RANGE on one timestamptz, timestamp or date column',
      ],
      [
        ['named'],
        expect.stringMatching(/^error: public\.named is partitioned by RANGE \(name\); partition upkeep needs/) as unknown as string,
      ],
      [['events', '--column', 'created_at'], 'error: public.events is partitioned by RANGE (occurred_at), not by --column created_at'],
      [['events', '--interval', 'fortnight'], 'error: --interval must be day, week, month or year (got "fortnight")'],
      [['events', '--ahead', '121'], 'error: --ahead must be at most 120 months for --interval month (got 121)'],
      [['events', '--retain-mode', 'detach'], 'error: --retain-mode needs --retain M: without --retain no partition is ever removed'],
      [['events', '--dry-run'], 'error: partitions register has no --dry-run option'],
    ];
    for (const [args, message] of refused) {
      const run = await cli(['partitions', 'register', ...args]);
      expect(run.code, args.join(' ')).toBe(2);
      expect(oneError(run)).toEqual(message);
    }
    expect(await registry()).toBeNull();
  });

  it('refuses to unregister a table that is not registered, naming those that are', async () => {
    const none = await cli(['partitions', 'unregister', 'events']);
    expect(none.code).toBe(2);
    expect(oneError(none)).toBe('error: events is not registered for partition upkeep (no table is registered)');
    await db.query(EVENTS);
    expect((await cli(['partitions', 'register', 'events'])).code).toBe(0);
    const other = await cli(['partitions', 'unregister', 'audit_log']);
    expect(other.code).toBe(2);
    expect(oneError(other)).toBe('error: audit_log is not registered for partition upkeep (registered: events)');
  });

  it('unregisters a table that no longer exists; list and status say it is gone', async () => {
    project.write('0001_a.sql', '-- UP\nSELECT 1;\n-- DOWN\nSELECT 1;\n');
    await db.query(EVENTS);
    expect((await cli(['partitions', 'register', 'events'])).code).toBe(0);
    await db.query('DROP TABLE events');
    expect(lines((await cli(['partitions', 'list'])).stdout)).toEqual([
      'public.events by occurred_at: monthly, ahead 3 — the table does not exist',
    ]);
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    // Gone, so PostgreSQL cannot say whether search_path reaches it: named with its schema.
    expect(lines(status.stdout).at(-1)).toBe('public.events (monthly, ahead 3): registered, but the table does not exist');
    const run = await cli(['partitions', 'unregister', 'events']);
    expect(run.code, run.stderr).toBe(0);
    expect(await registry()).toBeNull();
  });
});

describe('upkeep of the registered tables', () => {
  it('one run keeps tables of different intervals, each with its own settings; detach-mode retention keeps the old partition', async () => {
    const now = new Date();
    const day = (offset: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offset));
    const dayName = (offset: number) => `events_${day(offset).toISOString().slice(0, 10).replaceAll('-', '_')}`;
    const year = now.getUTCFullYear();
    await db.query(EVENTS);
    await db.query('CREATE TABLE metrics (at timestamp NOT NULL, value float8) PARTITION BY RANGE (at)');
    // Two old daily partitions with a row, to be detached and kept.
    for (const offset of [-5, -4]) {
      const [from, to] = [day(offset), day(offset + 1)].map((d) => d.toISOString());
      await db.query(`CREATE TABLE ${dayName(offset)} PARTITION OF events FOR VALUES FROM ('${from}') TO ('${to}')`);
    }
    await db.query(`INSERT INTO events VALUES (1, $1)`, [day(-5).toISOString()]);
    expect(
      (await cli(['partitions', 'register', 'events', '--interval', 'day', '--ahead', '2', '--retain', '3', '--retain-mode', 'detach']))
        .code,
    ).toBe(0);
    expect((await cli(['partitions', 'register', 'metrics', '--interval', 'year', '--ahead', '1'])).code).toBe(0);

    const run = await cli(['partitions']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const out = lines(run.stdout);
    expect(out.filter((line) => line.startsWith('created '))).toEqual([
      ...[0, 1, 2].map((offset) => expect.stringMatching(new RegExp(`^created ${dayName(offset)} `))),
      'created default partition events_default',
      expect.stringMatching(new RegExp(`^created metrics_${year} `)),
      expect.stringMatching(new RegExp(`^created metrics_${year + 1} `)),
      'created default partition metrics_default',
    ]);
    expect(out).toContain(
      `detached ${dayName(-5)} [${day(-5).toISOString().replace('.000Z', 'Z')}, ${day(-4).toISOString().replace('.000Z', 'Z')}) of events, kept as a plain table`,
    );
    // Kept as a plain table with its row; no longer a partition.
    expect(await db.query(`SELECT id::int AS id FROM ${dayName(-5)}`)).toEqual([{ id: 1 }]);
    expect(await db.query(`SELECT relispartition FROM pg_class WHERE relname = $1`, [dayName(-5)])).toEqual([{ relispartition: false }]);
    expect(await db.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'events'::regclass`)).toEqual([{ n: 4 }]); // 3 days and the default

    const again = await cli(['partitions']);
    expect(lines(again.stdout)).toEqual([
      expect.stringMatching(/^events: partitions for \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d already exist; nothing to do$/),
      `metrics: partitions for ${year}..${year + 1} already exist; nothing to do`,
    ]);
  });

  it('an --ahead one registered table cannot take is exit 2 before any table is touched', async () => {
    await db.query('CREATE TABLE a_daily (at timestamptz NOT NULL) PARTITION BY RANGE (at)');
    await db.query('CREATE TABLE b_monthly (at timestamptz NOT NULL) PARTITION BY RANGE (at)');
    expect((await cli(['partitions', 'register', 'a_daily', '--interval', 'day'])).code).toBe(0);
    expect((await cli(['partitions', 'register', 'b_monthly'])).code).toBe(0);
    const run = await cli(['partitions', '--ahead', '200']);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^error: b_monthly: --ahead must be at most 120 for month partitions \(got 200\)/),
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'a_daily'::regclass`)).toEqual([{ n: 0 }]);
  });

  it('a removal PostgreSQL refuses (a view depends on the partition) is exit 1 after everything else was done', async () => {
    await db.query('CREATE TABLE metrics (at timestamptz NOT NULL) PARTITION BY RANGE (at)');
    const old = new Date().getUTCFullYear() - 3;
    await db.query(
      `CREATE TABLE metrics_${old} PARTITION OF metrics FOR VALUES FROM ('${old}-01-01 00:00:00+00') TO ('${old + 1}-01-01 00:00:00+00')`,
    );
    await db.query(`CREATE VIEW old_metrics AS SELECT * FROM metrics_${old}`);
    expect((await cli(['partitions', 'register', 'metrics', '--interval', 'year', '--ahead', '0', '--retain', '1'])).code).toBe(0);
    const run = await cli(['partitions']);
    expect(run.code).toBe(1);
    expect(lines(run.stdout).filter((line) => line.startsWith('created '))).toHaveLength(2); // this year and the default
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(`^warning: could not remove metrics_${old}: cannot drop table metrics_${old} because other objects depend on it`),
      ),
      expect.stringMatching(
        new RegExp(
          `^error: metrics: dropping old partitions failed: metrics_${old}: cannot drop table .*\\(SQLSTATE 2BP01\\); the other partitions were created and removed as planned$`,
        ),
      ),
    ]);
    expect(await db.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhrelid = 'metrics_${old}'::regclass`)).toEqual([{ n: 1 }]);
  });
});

describe('-- aeturnis:partitions in a migration', () => {
  const eventsMigration = (directive: string): string => `${directive}\n-- UP\n${EVENTS};\n-- DOWN\nDROP TABLE events;\n`;

  it('registers the table its UP creates, with its journal row, and its DOWN removes it', async () => {
    project.write('0001_events.sql', eventsMigration('-- aeturnis:partitions events --interval day --ahead 14 --retain 90'));
    project.write('0002_more.sql', '-- UP\nCREATE TABLE more (id int);\n-- DOWN\nDROP TABLE more;\n');
    const up = await cli(['up', '--no-partitions']);
    expect(up.code, up.stderr).toBe(0);
    expect(await registry()).toEqual([row({ table_name: 'events', partition_interval: 'day', ahead: 14, retain: 90 })]);
    expect(await versions()).toEqual([1, 2]);

    expect((await cli(['down'])).code).toBe(0);
    expect(await registry()).toHaveLength(1); // 0002 registers nothing: nothing removed
    const down = await cli(['down']);
    expect(down.code, down.stderr).toBe(0);
    expect(await versions()).toEqual([]);
    expect(await registry()).toBeNull(); // the DOWN dropped the table first: the unqualified name still found its registration
    expect(lines((await cli(['partitions', 'list'])).stdout)).toEqual([
      'No table is registered for partition upkeep (partitions register TABLE adds one).',
    ]);
  });

  it('proves with verify that the DOWN leaves the schema as the UP found it', async () => {
    project.write('0001_events.sql', eventsMigration('-- aeturnis:partitions public.events --ahead 6'));
    const run = await cli(['verify']);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(lines(run.stdout).at(-1)).toBe('Verified 1 migration: every DOWN undoes its UP and UP runs again');
    expect((await cli(['up', '--no-partitions'])).code).toBe(0);
    expect(await registry()).toEqual([row({ table_name: 'events', ahead: 6 })]);
  });

  it('registers in a no-transaction migration with its journal write', async () => {
    project.write(
      '0001_events.sql',
      `-- aeturnis:no-transaction\n-- aeturnis:partitions events --interval year --ahead 2\n-- UP\n${EVENTS.replace('CREATE TABLE', 'CREATE TABLE IF NOT EXISTS')};\nCREATE TABLE IF NOT EXISTS plain (id int);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS plain_id ON plain (id);\n-- DOWN\nDROP TABLE IF EXISTS events;\nDROP TABLE IF EXISTS plain;\n`,
    );
    const up = await cli(['up', '--no-partitions']);
    expect(up.code, up.stderr).toBe(0);
    expect(await registry()).toEqual([row({ table_name: 'events', partition_interval: 'year', ahead: 2 })]);
    expect((await cli(['down'])).code).toBe(0);
    expect(await registry()).toBeNull();
  });

  it('fails the migration when its table cannot be managed: rolled back, no journal row, no table, exit 1 naming the file', async () => {
    project.write('0001_ok.sql', '-- UP\nCREATE TABLE ok (id int);\n-- DOWN\nDROP TABLE ok;\n');
    project.write(
      '0002_kinds.sql',
      '-- aeturnis:partitions kinds\n-- UP\nCREATE TABLE kinds (kind text) PARTITION BY LIST (kind);\n-- DOWN\nDROP TABLE kinds;\n',
    );
    const run = await cli(['up', '--no-partitions']);
    expect(run.code).toBe(1);
    expect(oneError(run)).toMatch(
      /^error: 0002_kinds\.sql: .*-- aeturnis:partitions kinds \(line 1\): public\.kinds is partitioned by LIST \(kind\); partition upkeep needs PARTITION BY RANGE .*\(SQLSTATE 42809\).* nothing of it was applied$/,
    );
    expect(await versions()).toEqual([1]);
    expect(await db.query(`SELECT to_regclass('kinds') IS NULL AS gone`)).toEqual([{ gone: true }]);
    expect(await registry()).toBeNull();
  });

  it('refuses a directive with a bad flag before anything touches the database (exit 2, file and line)', async () => {
    project.write('0001_events.sql', eventsMigration('-- aeturnis:partitions events --interval hourly'));
    const run = await cli(['up']);
    expect(run.code).toBe(2);
    expect(oneError(run)).toBe(
      'error: 0001_events.sql: line 1: "-- aeturnis:partitions": --interval must be day, week, month or year (got "hourly")',
    );
    expect(await db.query(`SELECT to_regclass('schema_migrations') IS NULL AS none`)).toEqual([{ none: true }]);
  });
});

describe('status', () => {
  it('prints one line per registered table after the table; --json stays the array of migration rows', async () => {
    project.write('0001_events.sql', `-- aeturnis:partitions events --ahead 2\n-- UP\n${EVENTS};\n-- DOWN\nDROP TABLE events;\n`);
    expect((await cli(['up', '--no-partitions'])).code).toBe(0);
    await db.query(`CREATE TABLE logs (at date) PARTITION BY RANGE (at);
      CREATE TABLE logs_2020 PARTITION OF logs FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
      CREATE TABLE logs_2021 PARTITION OF logs FOR VALUES FROM ('2021-01-01') TO ('2022-01-01')`);
    expect((await cli(['partitions', 'register', 'logs', '--interval', 'year', '--retain', '5'])).code).toBe(0);

    const status = await cli(['status']);
    expect(status.code, status.stderr).toBe(0);
    const out = lines(status.stdout);
    const table = out.findIndex((line) => line.startsWith('└'));
    expect(out.slice(table + 1)).toEqual([
      '1 applied, 0 pending',
      'events (monthly, ahead 2): 0 partitions; no default partition',
      expect.stringMatching(/^logs \(yearly, ahead 3, retain 5 \(drop\)\): /),
    ]);

    const json = await cli(['status', '--json']);
    expect(json.code).toBe(0);
    const rows = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(rows.map((r) => [r.version, r.state])).toEqual([[1, 'applied']]);
  });

  it('prints no partition line when nothing is registered, not even for an audit_log', async () => {
    project.write(
      '0001_a.sql',
      '-- UP\nCREATE TABLE audit_log (created_at timestamptz) PARTITION BY RANGE (created_at);\n-- DOWN\nDROP TABLE audit_log;\n',
    );
    expect((await cli(['up', '--no-partitions'])).code).toBe(0);
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(lines(status.stdout).at(-1)).toBe('1 applied, 0 pending');
    expect(await registry()).toBeNull();
  });
});
