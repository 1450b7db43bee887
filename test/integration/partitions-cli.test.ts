// `aeturnis-db partitions`, the partition step of `up` and the partition line of `status`, run
// the way a user runs them: the built CLI as its own process, against a fresh database per test,
// with the repository's own migrations (migrations/). "Now" is the real clock: every expected
// month is computed here from new Date() in UTC, independently of src/partitions/periods.ts.
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { collect, repoRoot, startCli, type CliResult } from '../support/cli.js';
import { tableMigration } from '../support/project.js';
import { useTestProject, type CliEnv } from '../support/test-project.js';

const SHIPPED = `${repoRoot}/migrations`;

const setup = useTestProject();
const { db, project } = setup;

/** Registers audit_log for partition upkeep (status describes registered tables only); `status` then names it so. */
const AUDIT_LOG = 'audit_log (monthly, ahead 3)';
const registerAuditLog = async (): Promise<void> => {
  expect((await cli(['partitions', 'register', 'audit_log'])).code).toBe(0);
};

/** Runs the CLI against this test's database with the shipped migrations (unless --dir is given). */
const cli = (args: string[], env: CliEnv = {}): Promise<CliResult> =>
  setup.cli(args.includes('--dir') ? args : ['--dir', SHIPPED, ...args], env);

/** The UTC calendar month `offset` months from now, with everything a test expects of it. */
interface M {
  /** `2026-11` */
  label: string;
  /** `audit_log_2026_11` */
  name: string;
  start: Date;
  end: Date;
  /** `FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')` as printed in a UTC session. */
  bound: string;
  /** `[2026-11-01T00:00:00Z, 2026-12-01T00:00:00Z)` as the CLI prints it. */
  range: string;
}

function month(offset: number, table = 'audit_log'): M {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset + 1, 1));
  const ym = (d: Date) => [String(d.getUTCFullYear()), String(d.getUTCMonth() + 1).padStart(2, '0')];
  const [y, m] = ym(start);
  const [ey, em] = ym(end);
  return {
    label: `${y}-${m}`,
    name: `${table}_${y}_${m}`,
    start,
    end,
    bound: `FOR VALUES FROM ('${y}-${m}-01 00:00:00+00') TO ('${ey}-${em}-01 00:00:00+00')`,
    range: `[${iso(start)}, ${iso(end)})`,
  };
}

/** One query on the test database in a UTC session (bounds then print as `... 00:00:00+00`). */
async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    await client.query(`SET TimeZone = 'UTC'`);
    await client.query(`SET DateStyle = 'ISO, YMD'`);
    return (await client.query<T>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** Partitions of `table` from the catalog, by name, with their bounds. */
const partitions = (table = 'audit_log') =>
  sql<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = to_regclass($1) ORDER BY c.relname`,
    [table],
  );

/** Where each audit_log row sits: id -> partition name. */
async function rowPlaces(): Promise<Map<string, string>> {
  const rows = await sql<{ id: string; part: string }>(`SELECT id::text AS id, tableoid::regclass::text AS part FROM audit_log`);
  return new Map(rows.map((r) => [r.id, r.part]));
}

/** Inserts one audit_log row per timestamp (through the parent) and returns their ids. */
async function insertRows(at: Date[]): Promise<string[]> {
  const rows = await sql<{ id: string }>(
    `INSERT INTO audit_log (event_type, created_at) SELECT 'test.event', t FROM unnest($1::timestamptz[]) AS t RETURNING id::text AS id`,
    [at.map((d) => d.toISOString())],
  );
  return rows.map((r) => r.id);
}

const iso = (d: Date) => d.toISOString().replace('.000Z', 'Z');
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
const days = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

describe('up with the shipped migrations', () => {
  it('creates the current month + 3 ahead and the default, with UTC bounds whatever TZ and the session time zone say', async () => {
    // The machine and the database sessions live far from UTC; the partitions must not care.
    await sql(`ALTER DATABASE ${db.name} SET timezone TO 'Pacific/Kiritimati'`);
    const up = await cli(['up'], { TZ: 'America/Los_Angeles' });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    const expected = [0, 1, 2, 3].map((i) => month(i));
    const out = lines(up.stdout);
    expect(out.filter((l) => l.startsWith('Applied 0')).length).toBe(6);
    expect(out.filter((l) => l.startsWith('created '))).toEqual(expected.map((m) => `created ${m.name} ${m.range}`));
    expect(out).toContain(`audit_log: created 4 partitions (${expected.map((m) => m.name).join(', ')})`);
    expect(out.at(-1)).toMatch(/^Applied 6 migrations in \d/);

    expect(await partitions()).toEqual(
      [...expected.map((m) => ({ name: m.name, bound: m.bound })), { name: 'audit_log_default', bound: 'DEFAULT' }].sort((a, b) =>
        a.name.localeCompare(b.name),
      ),
    );

    // A row written now lands in the current month's partition, not in the default.
    const [id] = await insertRows([new Date()]);
    expect((await rowPlaces()).get(id ?? '')).toBe(expected[0]?.name);

    await registerAuditLog();
    const status = await cli(['status'], { TZ: 'Pacific/Kiritimati' });
    expect(status.code).toBe(0);
    expect(lines(status.stdout)).toContain(`${AUDIT_LOG}: 4 partitions, ${expected[0]?.label}..${expected[3]?.label}`);
    expect(status.stdout).not.toContain('audit_log_default');
  });

  it('a second up and a second partitions run change nothing and say so', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const before = await partitions();
    const span = `${month(0).label}..${month(3).label}`;

    const up = await cli(['up']);
    expect(up.code).toBe(0);
    expect(lines(up.stdout)).toEqual([
      'Nothing to migrate: the database is up to date',
      `audit_log: partitions for ${span} already exist; nothing to do`,
    ]);

    const again = await cli(['partitions']);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    expect(lines(again.stdout)).toEqual([`audit_log: partitions for ${span} already exist; nothing to do`]);
    expect(await partitions()).toEqual(before);
  });

  it('with no table registered up says nothing of partitions; a registered table that is gone gets one line', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const up = await cli(['--dir', project.migrationsDir, 'up']);
    expect(up.code).toBe(0);
    expect(up.stderr).toBe('');
    expect(lines(up.stdout)).toEqual([
      expect.stringMatching(/^Applied 0001_a\.sql \([\d.]+ m?s\)$/),
      expect.stringMatching(/^Applied 1 migration in \d/),
    ]);

    await db.query('CREATE TABLE events (at timestamptz NOT NULL) PARTITION BY RANGE (at)');
    expect((await cli(['partitions', 'register', 'events', '--interval', 'day'])).code).toBe(0);
    await db.query('DROP TABLE events');
    const again = await cli(['--dir', project.migrationsDir, 'up']);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual([
      'Nothing to migrate: the database is up to date',
      'public.events does not exist; no partitions ensured',
    ]);

    const status = await cli(['--dir', project.migrationsDir, 'status']);
    expect(status.code).toBe(0);
    expect(lines(status.stdout)).toContain('public.events (daily, ahead 3): registered, but the table does not exist');
  });
});

describe('partitions', () => {
  it('a run killed while it moves rows leaves that month undone and every row in place once; the next run finishes it', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const [m4, m5] = [month(4), month(5)];
    // Enough rows in month +5 that moving them takes a while; a few in month +4, which moves first.
    await sql(
      `INSERT INTO audit_log (event_type, created_at)
       SELECT 'backlog', $1::timestamptz + (n % 2000) * interval '1 minute' FROM generate_series(1, 120000) n`,
      [m5.start.toISOString()],
    );
    await insertRows([days(m4.start, 1), days(m4.start, 2)]);
    const hash = `SELECT count(*)::int AS n, md5(string_agg(id::text || created_at::text, ',' ORDER BY id)) AS h FROM audit_log`;
    const [before] = await sql<{ n: number; h: string }>(hash);

    const run = startCli(['--dir', SHIPPED, 'partitions', '--ahead', '5'], { cwd: project.dir, databaseUrl: db.url });
    const done = collect(run);
    // Kill it while its move of month +5 runs: a move statement is visible in pg_stat_activity and month +4
    // (whose two rows move the same way, first) is already committed, so the move seen is month +5's.
    for (let tries = 0; ; tries++) {
      const moving = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE datname = current_database() AND state = 'active' AND query LIKE 'WITH moved AS%'
            AND to_regclass($1) IS NOT NULL`,
        [m4.name],
      );
      if (moving[0]?.n) break;
      if (tries > 400) throw new Error('the move never started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    run.kill('SIGKILL');
    expect((await done).signal).toBe('SIGKILL');
    // The server notices the client is gone within a second (client_connection_check_interval) and rolls the move back.
    for (let tries = 0; ; tries++) {
      const busy = await sql<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'aeturnis-db%'`,
      );
      if (!busy[0]?.n) break;
      if (tries > 100) throw new Error('the killed run is still in the database');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const names = (await partitions()).map((p) => p.name);
    expect(names).toContain(m4.name); // committed before the kill
    expect(names).not.toContain(m5.name); // the month being moved: all or nothing
    expect(await sql(hash)).toEqual([before]);
    expect(await sql(`SELECT count(*)::int AS n FROM ONLY audit_log_default`)).toEqual([{ n: 120000 }]);

    const again = await cli(['partitions', '--ahead', '5']);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toContain(`created ${m5.name} ${m5.range}, moved 120000 rows from the default partition`);
    expect(await sql(hash)).toEqual([before]);
    expect(await sql(`SELECT count(*)::int AS n FROM ONLY audit_log_default`)).toEqual([{ n: 0 }]);
  });

  it('a row 8 months ahead waits in the default (status warns), --dry-run changes nothing, --ahead 12 moves it', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const m8 = month(8);
    const m20 = month(20);
    // Two rows of month +8 (first and last microsecond of it), one of month +20 (beyond --ahead 12).
    const ids = await insertRows([m8.start, new Date(m8.end.getTime() - 1), days(m20.start, 3)]);
    const before = await rowPlaces();
    expect([...before.values()]).toEqual(['audit_log_default', 'audit_log_default', 'audit_log_default']);

    const status = await cli(['status']);
    expect(lines(status.stdout)).toContain(
      `${AUDIT_LOG}: 4 partitions, ${month(0).label}..${month(3).label}; 3 rows in audit_log_default (3 rows dated after the last partition: is --ahead too small?)`,
    );

    const catalog = await partitions();
    const dry = await cli(['partitions', '--ahead', '12', '--dry-run']);
    expect(dry.code).toBe(0);
    const dryOut = lines(dry.stdout);
    expect(dryOut.filter((l) => l.startsWith('would create '))).toHaveLength(9); // months +4..+12
    expect(dryOut).toContain(`would create ${m8.name} ${m8.range}, would move 2 rows from the default partition`);
    expect(dryOut.at(-1)).toMatch(/^audit_log \(dry run\): would create 9 partitions .*, moving 2 rows from the default partition$/);
    expect(await partitions()).toEqual(catalog);
    expect(await rowPlaces()).toEqual(before);

    const run = await cli(['partitions', '--ahead', '12']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const out = lines(run.stdout);
    const created = [4, 5, 6, 7, 8, 9, 10, 11, 12].map((i) => month(i));
    expect(out.filter((l) => l.startsWith('created '))).toEqual(
      created.map((m) => `created ${m.name} ${m.range}${m.name === m8.name ? ', moved 2 rows from the default partition' : ''}`),
    );
    expect(out.at(-1)).toBe(
      `audit_log: created 9 partitions (${created[0]?.name} .. ${created[8]?.name}), moved 2 rows from the default partition`,
    );

    // Every row is still there exactly once, the two of month +8 in its partition, with their ids.
    const after = await rowPlaces();
    expect(after.size).toBe(3);
    expect(ids.map((id) => after.get(id))).toEqual([m8.name, m8.name, 'audit_log_default']);
    expect(await sql(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM audit_log`)).toEqual([{ n: 3, d: 3 }]);
    expect(await sql(`SELECT count(*)::int AS n FROM ONLY audit_log_default`)).toEqual([{ n: 1 }]);
    // The default partition is attached again as the default.
    expect((await partitions()).find((p) => p.name === 'audit_log_default')?.bound).toBe('DEFAULT');

    const again = await cli(['partitions', '--ahead', '12']);
    expect(lines(again.stdout)).toEqual([`audit_log: partitions for ${month(0).label}..${month(12).label} already exist; nothing to do`]);

    const status2 = await cli(['status']);
    expect(lines(status2.stdout)).toContain(
      `${AUDIT_LOG}: 13 partitions, ${month(0).label}..${month(12).label}; 1 row in audit_log_default (1 row dated after the last partition: is --ahead too small?)`,
    );
    // A row dated before the current month never moves: status says so, not "--ahead too small".
    await insertRows([days(month(-3).start, 2)]);
    const status3 = await cli(['status']);
    expect(lines(status3.stdout)).toContain(
      `${AUDIT_LOG}: 13 partitions, ${month(0).label}..${month(12).label}; 2 rows in audit_log_default (1 row dated after the last partition: ` +
        `is --ahead too small?; 1 row dated before ${month(0).label}, which upkeep never moves: create a partition for it by hand, or delete it)`,
    );
  });

  it('respects a hand-made partition (any name, several months) and never attempts an overlapping range', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const [m4, m5, m6, m7, m8] = [4, 5, 6, 7, 8].map((i) => month(i)) as [M, M, M, M, M];
    // Months +4 and +5 in one partition with a name of its own; month +7 only from its 11th day.
    await sql(
      `CREATE TABLE audit_log_handmade PARTITION OF audit_log FOR VALUES FROM ('${m4.start.toISOString()}') TO ('${m6.start.toISOString()}')`,
    );
    const partialFrom = days(m7.start, 10);
    await sql(
      `CREATE TABLE audit_log_partial PARTITION OF audit_log FOR VALUES FROM ('${partialFrom.toISOString()}') TO ('${m8.start.toISOString()}')`,
    );

    const run = await cli(['partitions', '--ahead', '8']);
    expect(run.code).toBe(0);
    expect(lines(run.stdout).filter((l) => l.startsWith('created '))).toEqual([
      `created ${m6.name} ${m6.range}`,
      `created ${m8.name} ${m8.range}`,
    ]);
    // The overlap is reported (one line naming the month and the partition), never attempted.
    const warnings = lines(run.stderr);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^warning: month ${m7.label} .*only partly covered by audit_log_partial`));
    expect(run.stderr).not.toContain('error');

    const names = (await partitions()).map((p) => p.name);
    expect(names).not.toContain(m4.name);
    expect(names).not.toContain(m5.name);
    expect(names).not.toContain(m7.name);
    expect(names).toEqual(
      [...[0, 1, 2, 3].map((i) => month(i).name), m6.name, m8.name, 'audit_log_default', 'audit_log_handmade', 'audit_log_partial'].sort(),
    );

    // A second run creates nothing; the overlap is still pointed out.
    const again = await cli(['partitions', '--ahead', '8']);
    expect(again.code).toBe(0);
    expect(lines(again.stdout).filter((l) => l.startsWith('created '))).toEqual([]);
    expect(again.stdout).toContain('nothing to do');
    expect(again.stderr).toContain(`month ${m7.label}`);

    await registerAuditLog();
    const status = await cli(['status']);
    expect(lines(status.stdout)).toContain(`${AUDIT_LOG}: 8 partitions, ${month(0).label}..${m8.label}`);
  });

  it('--retain M detaches and drops only partitions whose month ended before (current month - M), printing each; never the default', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const old = [-13, -5, -4, -3, -1].map((i) => month(i));
    for (const m of old) {
      await sql(`CREATE TABLE ${m.name} PARTITION OF audit_log FOR VALUES FROM ('${m.start.toISOString()}') TO ('${m.end.toISOString()}')`);
    }
    // An archive partition with a name of its own spanning months -10..-8 (ends at the start of -7).
    await sql(
      `CREATE TABLE audit_log_archive PARTITION OF audit_log FOR VALUES FROM ('${month(-10).start.toISOString()}') TO ('${month(-7).start.toISOString()}')`,
    );
    // One row in every old partition, and an ancient one that sits in the default partition.
    await insertRows([...old.map((m) => days(m.start, 1)), days(month(-9).start, 2), days(month(-30).start, 4)]);
    const catalog = await partitions();

    const noRetain = await cli(['partitions']);
    expect(noRetain.code).toBe(0);
    expect(noRetain.stdout).toContain('nothing to do');
    expect(await partitions()).toEqual(catalog);

    // retain 3: keep month -3 and later; drop what ended at or before the start of month -3.
    const gone = [
      { name: month(-13).name, range: month(-13).range },
      { name: 'audit_log_archive', range: `[${iso(month(-10).start)}, ${iso(month(-7).start)})` },
      { name: month(-5).name, range: month(-5).range },
      { name: month(-4).name, range: month(-4).range },
    ];
    const dry = await cli(['partitions', '--retain', '3', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(lines(dry.stdout).filter((l) => l.startsWith('would detach and drop '))).toEqual(
      gone.map((g) => `would detach and drop ${g.name} ${g.range} of audit_log`),
    );
    expect(await partitions()).toEqual(catalog);

    const run = await cli(['partitions', '--retain', '3']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const out = lines(run.stdout);
    expect(out.filter((l) => l.startsWith('detached and dropped '))).toEqual(
      gone.map((g) => `detached and dropped ${g.name} ${g.range} of audit_log`),
    );
    expect(out.at(-1)).toBe(`audit_log: dropped 4 old partitions (${gone.map((g) => g.name).join(', ')})`);

    const names = (await partitions()).map((p) => p.name);
    expect(names).toEqual([month(-3).name, month(-1).name, ...[0, 1, 2, 3].map((i) => month(i).name), 'audit_log_default'].sort());
    // No table of the dropped ones is left behind (detached, then dropped).
    expect(await sql(`SELECT relname FROM pg_class WHERE relname = ANY($1)`, [gone.map((g) => g.name)])).toEqual([]);
    // The default partition and its row are untouched; kept partitions keep their rows.
    const places = [...(await rowPlaces()).values()].sort();
    expect(places).toEqual(['audit_log_default', month(-1).name, month(-3).name].sort());

    const again = await cli(['partitions', '--retain', '3']);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual([`audit_log: partitions for ${month(0).label}..${month(3).label} already exist; nothing to do`]);
  });

  it('two runs started at once both succeed, each partition is created once and no row is lost or duplicated', async () => {
    expect((await cli(['up'])).code).toBe(0);
    const stamps: Date[] = [];
    for (let i = 0; i < 300; i++) stamps.push(new Date(month(5).start.getTime() + i * 4 * 3_600_000)); // months +5..+6
    const ids = await insertRows(stamps);

    const args = ['--dir', SHIPPED, 'partitions', '--ahead', '10'];
    const [a, b] = await Promise.all([
      collect(startCli(args, { cwd: project.dir, databaseUrl: db.url })),
      collect(startCli(args, { cwd: project.dir, databaseUrl: db.url })),
    ]);
    for (const r of [a, b]) {
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/error|warning/i);
    }
    const created = [...lines(a.stdout), ...lines(b.stdout)]
      .filter((l) => l.startsWith('created '))
      .map((l) => l.split(' ')[1])
      .sort();
    expect(created).toEqual([4, 5, 6, 7, 8, 9, 10].map((i) => month(i).name).sort());
    // One of them did the work; the other found it done.
    expect([a, b].filter((r) => r.stdout.includes('nothing to do'))).toHaveLength(1);

    const places = await rowPlaces();
    expect(places.size).toBe(300);
    expect(await sql(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS d FROM audit_log`)).toEqual([{ n: 300, d: 300 }]);
    const now = new Date();
    const byMonth = (at: Date) => month((at.getUTCFullYear() - now.getUTCFullYear()) * 12 + at.getUTCMonth() - now.getUTCMonth()).name;
    for (const [i, id] of ids.entries()) expect(places.get(id)).toBe(byMonth(stamps[i] as Date));
    expect(await sql(`SELECT count(*)::int AS n FROM ONLY audit_log_default`)).toEqual([{ n: 0 }]);
  });

  it('--partition-table serves another registered table', async () => {
    await sql(`CREATE TABLE events (id bigint, occurred_at timestamptz NOT NULL) PARTITION BY RANGE (occurred_at)`);
    expect((await cli(['partitions', 'register', 'events', '--ahead', '1'])).code).toBe(0);
    const run = await cli(['partitions', '--partition-table', 'events']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const [m0, m1] = [month(0, 'events'), month(1, 'events')];
    expect(lines(run.stdout)).toEqual([
      `created ${m0.name} ${m0.range}`,
      `created ${m1.name} ${m1.range}`,
      'created default partition events_default',
      `events: created 2 partitions (${m0.name}, ${m1.name}); created default partition events_default`,
    ]);
    expect(await partitions('events')).toEqual([
      { name: m0.name, bound: m0.bound },
      { name: m1.name, bound: m1.bound },
      { name: 'events_default', bound: 'DEFAULT' },
    ]);
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(lines(status.stdout)).toContain(`events (monthly, ahead 1): 2 partitions, ${m0.label}..${m1.label}`);
  });

  it('a table partitioned some other way cannot be registered and does not break status', async () => {
    await sql(`CREATE TABLE audit_log (id int, kind text) PARTITION BY LIST (kind)`);
    const register = await cli(['partitions', 'register', 'audit_log']);
    expect(register.code).toBe(2);
    expect(lines(register.stderr)).toEqual([expect.stringMatching(/^error: public\.audit_log is partitioned by LIST \(kind\)/)]);
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(lines(status.stdout).at(-1)).toBe('0 applied, 6 pending (aeturnis-db up applies them)');
  });

  it('bad --ahead, --retain and --interval values exit 2 with one line naming the flag, before touching the database', async () => {
    const cases: [string[], string][] = [
      [['partitions', '--ahead', '-1'], '--ahead'],
      [['partitions', '--ahead', 'soon'], '--ahead'],
      [['partitions', '--ahead', '1.5'], '--ahead'],
      [['partitions', '--ahead', '3661'], '--ahead'],
      [['partitions', '--retain', '-3'], '--retain'],
      [['partitions', '--retain', 'forever'], '--retain'],
      [['partitions', '--retain'], '--retain'],
      [['partitions', '--interval', 'week'], '--interval'],
      [['up', '--ahead', 'x'], '--ahead'],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach((r, i) => {
      const [args, flag] = cases[i] as [string[], string];
      expect({ args, code: r.code }).toEqual({ args, code: 2 });
      expect(r.stdout).toBe('');
      const err = lines(r.stderr);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^error: /);
      expect(err[0]).toContain(flag);
    });
    expect(await sql(`SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace`)).toEqual([]);
  });

  it('up --ahead too large for a table its own migrations register is exit 2 before any migration runs', async () => {
    const tooFar = await cli(['up', '--ahead', '150']);
    expect(tooFar.code).toBe(2);
    expect(lines(tooFar.stderr)).toEqual(['error: audit_log: --ahead must be at most 120 for month partitions (got 150)']);
    expect(tooFar.stdout).toBe('');
    expect(await sql(`SELECT to_regclass('users') AS users, to_regclass('audit_log') AS audit`)).toEqual([{ users: null, audit: null }]);
    // Once audit_log is registered, the same check reads the registry.
    expect((await cli(['up', '--to', '6'])).code).toBe(0);
    expect((await cli(['up', '--ahead', '121'])).code).toBe(2);
    expect((await cli(['up', '--ahead', '120'])).code).toBe(0);
  });
});
