// Which tables partition upkeep may touch, seen through the CLI the way a user runs it: only the
// registered ones. A project's own audit_log — monthly or not — is never touched unless it is
// registered; registered with an interval its partitions do not have, `up` leaves it alone (one
// line, exit 0) and `partitions` refuses it (exit 2); `--partition-table` of a table that is not
// registered is exit 2; `up --no-partitions` and AETURNIS_PARTITIONS=off skip the step; a month
// whose name a plain table holds is a gap that `partitions` fails on, `status` shows and `up`
// only warns about. "Now" is the real clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot, runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempProject, type TempProject } from '../support/project.js';

const SHIPPED = `${repoRoot}/migrations`;

let databases: TestDatabase[];
let project: TempProject;

beforeEach(() => {
  databases = [];
  project = tempProject();
});
afterEach(async () => {
  await Promise.all(databases.map((db) => db.drop()));
  project.remove();
});

async function freshDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

const cli = (db: TestDatabase, args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> =>
  runCli(args, { cwd: project.dir, databaseUrl: db.url, env });

const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

/** The UTC month `offset` months from now: `2026-11` and `audit_log_2026_11`. */
function month(offset: number): { label: string; name: string } {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
  const label = `${start.getUTCFullYear()}-${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
  return { label, name: `audit_log_${label.replace('-', '_')}` };
}

/** Relations named like this tool's partitions: `audit_log_YYYY_MM` and `audit_log_default`. */
const ourNames = (db: TestDatabase) =>
  db
    .query<{ relname: string }>(`SELECT relname FROM pg_class WHERE relname ~ '^audit_log_([0-9]{4}_[0-9]{2}|default)$' ORDER BY relname`)
    .then((rows) => rows.map((r) => r.relname));

/** Creates `count` partitions of audit_log, `step` long, from `first` (SQL expressions, UTC), named `<prefix><start>`. */
const partitionSeries = (prefix: string, format: string, first: string, step: string, count: number) => `
DO $$
DECLARE start timestamptz;
BEGIN
  FOR i IN 0..${count - 1} LOOP
    start := (${first}) + i * interval '${step}';
    EXECUTE format('CREATE TABLE %I PARTITION OF audit_log FOR VALUES FROM (%L) TO (%L)',
      '${prefix}' || to_char(start AT TIME ZONE 'UTC', '${format}'), start, start + interval '${step}');
  END LOOP;
END $$;`;

const RANGE_PARENT = `CREATE TABLE audit_log (id bigint, created_at timestamptz NOT NULL) PARTITION BY RANGE (created_at);`;
const TODAY = `date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

/** audit_log tables of other tools and of users, each with the reason `up` must give. */
const FOREIGN_LAYOUTS: { layout: string; sql: string; why: RegExp; ourNamesAfter: string[] }[] = [
  {
    layout: 'plain table',
    sql: `CREATE TABLE audit_log (id bigint, created_at timestamptz);`,
    why: /is not a partitioned table/,
    ourNamesAfter: [],
  },
  {
    layout: 'pg_partman daily',
    sql: `${RANGE_PARENT}\n${partitionSeries('audit_log_p', 'YYYYMMDD', `${TODAY} - interval '4 days'`, '1 day', 9)}
CREATE TABLE audit_log_default PARTITION OF audit_log DEFAULT;`,
    why: /its partitions are daily \(9 of 9, e\.g\. audit_log_p\d{8} \[.*\)\), not UTC calendar months/,
    ourNamesAfter: ['audit_log_default'],
  },
  {
    layout: 'weekly',
    sql: `${RANGE_PARENT}\n${partitionSeries('audit_log_w', 'IYYY_IW', `date_trunc('week', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`, '7 days', 5)}`,
    why: /its partitions are weekly \(5 of 5/,
    ourNamesAfter: [],
  },
  {
    layout: 'yearly',
    sql: `${RANGE_PARENT}\n${partitionSeries('audit_log_y', 'YYYY', `date_trunc('year', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`, '1 year', 2)}`,
    why: /its partitions are yearly \(2 of 2/,
    ourNamesAfter: [],
  },
  {
    layout: 'list',
    sql: `CREATE TABLE audit_log (id bigint, kind text) PARTITION BY LIST (kind);`,
    why: /partitioned by LIST \(kind\); upkeep needs RANGE/,
    ourNamesAfter: [],
  },
  {
    layout: 'hash',
    sql: `CREATE TABLE audit_log (id bigint, created_at timestamptz) PARTITION BY HASH (id);`,
    why: /partitioned by HASH \(id\)/,
    ourNamesAfter: [],
  },
  {
    layout: 'range on a bigint',
    sql: `CREATE TABLE audit_log (id bigint, created_at timestamptz) PARTITION BY RANGE (id);`,
    why: /partitioned by RANGE \(id\)/,
    ourNamesAfter: [],
  },
];

const migrationOf = (sql: string) => `-- someone else's audit_log\n-- UP\n${sql}\n-- DOWN\nDROP TABLE audit_log;\n`;

describe('an audit_log the project owns', () => {
  it('is never touched while it is not registered, whatever its layout', async () => {
    for (const { layout, sql } of FOREIGN_LAYOUTS) {
      const db = await freshDatabase();
      project.write('0001_their_audit_log.sql', migrationOf(sql));
      const before = await (async () => {
        await db.query(sql);
        const names = await ourNames(db);
        await db.query('DROP TABLE audit_log');
        return names;
      })();
      const up = await cli(db, ['--dir', project.migrationsDir, 'up']);
      expect({ layout, code: up.code, stderr: up.stderr }).toEqual({ layout, code: 0, stderr: '' });
      const out = lines(up.stdout);
      expect(out, layout).toEqual([
        expect.stringMatching(/^Applied 0001_their_audit_log\.sql \([\d.]+ m?s\)$/),
        expect.stringMatching(/^Applied 1 migration in \d/),
      ]);
      expect(await ourNames(db), layout).toEqual(before);
      const run = await cli(db, ['partitions']);
      expect({ layout, code: run.code, out: lines(run.stdout) }).toEqual({
        layout,
        code: 0,
        out: ['No table is registered for partition upkeep; nothing to do (partitions register TABLE adds one)'],
      });
      expect(await ourNames(db), layout).toEqual(before);
    }
  });

  it("a project's own monthly audit_log keeps creating its own months: its next migration does not collide with upkeep", async () => {
    const db = await freshDatabase();
    const [current, next] = [month(0), month(1)];
    const bound = (offset: number) => `'${month(offset).label}-01 00:00:00+00'`;
    project.write(
      '0001_audit_log.sql',
      migrationOf(`${RANGE_PARENT}
CREATE TABLE ${current.name} PARTITION OF audit_log FOR VALUES FROM (${bound(0)}) TO (${bound(1)});`),
    );
    expect((await cli(db, ['--dir', project.migrationsDir, 'up'])).code).toBe(0);
    expect(await ourNames(db)).toEqual([current.name]);
    project.write(
      '0002_next_month.sql',
      `-- UP\nCREATE TABLE ${next.name} PARTITION OF audit_log FOR VALUES FROM (${bound(1)}) TO (${bound(2)});\n-- DOWN\nDROP TABLE ${next.name};\n`,
    );
    const second = await cli(db, ['--dir', project.migrationsDir, 'up']);
    expect({ code: second.code, stderr: second.stderr }).toEqual({ code: 0, stderr: '' });
    expect(await ourNames(db)).toEqual([current.name, next.name]);
  });
});

describe('a registered table whose partitions are of another interval', () => {
  it('up leaves it alone with one line saying why (exit 0); partitions refuses it (exit 2) and creates nothing', async () => {
    for (const { layout, sql, why, ourNamesAfter } of FOREIGN_LAYOUTS.filter((l) => /daily|weekly|yearly/.test(l.layout))) {
      const db = await freshDatabase();
      project.write('0001_their_audit_log.sql', migrationOf(sql));
      expect((await cli(db, ['--dir', project.migrationsDir, 'up'])).code, layout).toBe(0);
      const register = await cli(db, ['partitions', 'register', 'audit_log']);
      expect(register.code, layout).toBe(0);
      project.write('0002_later.sql', '-- UP\nCREATE TABLE later (id int);\n-- DOWN\nDROP TABLE later;\n');
      const up = await cli(db, ['--dir', project.migrationsDir, 'up']);
      expect({ layout, code: up.code, stderr: up.stderr }).toEqual({ layout, code: 0, stderr: '' });
      const alone = lines(up.stdout).filter((line) => line.startsWith('audit_log'));
      expect(alone, layout).toEqual([expect.stringMatching(/^audit_log left alone: /)]);
      expect(alone[0], layout).toMatch(why);

      const run = await cli(db, ['partitions']);
      expect({ layout, code: run.code, stdout: run.stdout }).toEqual({ layout, code: 2, stdout: '' });
      const err = lines(run.stderr);
      expect(err, layout).toHaveLength(1);
      expect(err[0], layout).toMatch(/^error: audit_log: its partitions are/);
      expect(err[0], layout).toMatch(why);
      expect(err[0], layout).toMatch(/registered as monthly \(register it again with --interval (day|week|year), or unregister it\)/);
      expect(await ourNames(db), layout).toEqual(ourNamesAfter);
    }
  });
});

describe('partitions --partition-table', () => {
  it('a table that is not registered (or does not exist) is exit 2 with one line naming it and the registered ones', async () => {
    const db = await freshDatabase();
    await db.query(RANGE_PARENT);
    for (const table of ['audit_logs', 'audit_log']) {
      const run = await cli(db, ['partitions', '--partition-table', table]);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(lines(run.stderr)).toEqual([
        `error: --partition-table ${table}: not registered for partition upkeep (no table is registered); register it with: aeturnis-db partitions register ${table}`,
      ]);
    }
    expect(await ourNames(db)).toEqual([]);
  });
});

describe('up --no-partitions and AETURNIS_PARTITIONS=off', () => {
  it('skip the partition step; a value other than on/off is exit 2 naming the variable', async () => {
    const db = await freshDatabase();
    const skipped = await cli(db, ['--dir', SHIPPED, 'up', '--no-partitions']);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toBe('');
    const out = lines(skipped.stdout);
    expect(out.filter((l) => l.startsWith('Applied 0'))).toHaveLength(6);
    expect(out.filter((l) => l.includes('partition'))).toEqual([]);
    expect(await ourNames(db)).toEqual(['audit_log_default']); // created by migration 0004 itself

    const off = await cli(db, ['--dir', SHIPPED, 'up'], { AETURNIS_PARTITIONS: 'off' });
    expect(off.code).toBe(0);
    expect(lines(off.stdout)).toEqual(['Nothing to migrate: the database is up to date']);
    expect(await ourNames(db)).toEqual(['audit_log_default']);

    const bad = await cli(db, ['--dir', SHIPPED, 'up'], { AETURNIS_PARTITIONS: 'sometimes' });
    expect(bad.code).toBe(2);
    expect(lines(bad.stderr)).toEqual([expect.stringMatching(/^error: AETURNIS_PARTITIONS must be "on" or "off" \(got "sometimes"\)$/)]);

    // The step itself is what was skipped: without the switch it runs.
    const on = await cli(db, ['--dir', SHIPPED, 'up']);
    expect(on.code).toBe(0);
    expect(await ourNames(db)).toEqual([...[0, 1, 2, 3].map((i) => month(i).name), 'audit_log_default'].sort());
  });
});

describe('a month whose name a plain table holds', () => {
  it('up warns and exits 0, status shows the gap, partitions creates the rest and exits 2 naming the table and the month', async () => {
    const db = await freshDatabase();
    const taken = month(2);
    await db.query(`CREATE TABLE ${taken.name} (note text)`);

    const up = await cli(db, ['--dir', SHIPPED, 'up']);
    expect(up.code).toBe(0);
    expect(lines(up.stderr)).toEqual([
      `warning: month ${taken.label} not created: a relation named ${taken.name} already exists and is not a partition of audit_log`,
    ]);
    expect(await ourNames(db)).toEqual([month(0).name, month(1).name, taken.name, month(3).name, 'audit_log_default'].sort());

    const status = await cli(db, ['--dir', SHIPPED, 'status']);
    expect(status.code).toBe(0);
    expect(lines(status.stdout)).toContain(
      `audit_log (monthly, ahead 3): 3 partitions, ${month(0).label}..${month(1).label}, ${month(3).label} (${taken.label} missing)`,
    );

    const run = await cli(db, ['--dir', SHIPPED, 'partitions', '--ahead', '5']);
    expect(run.code).toBe(2);
    expect(lines(run.stdout).filter((l) => l.startsWith('created '))).toEqual([
      expect.stringMatching(new RegExp(`^created ${month(4).name} `)),
      expect.stringMatching(new RegExp(`^created ${month(5).name} `)),
    ]);
    const err = lines(run.stderr);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      new RegExp(`^error: audit_log: month ${taken.label} not created: a relation named ${taken.name} already exists`),
    );
    // What could be created was committed.
    expect(await ourNames(db)).toEqual(
      [0, 1, 2, 3, 4, 5]
        .map((i) => month(i).name)
        .concat('audit_log_default')
        .sort(),
    );
    // The plain table is untouched and still not a partition.
    expect(await db.query(`SELECT relispartition FROM pg_class WHERE relname = $1`, [taken.name])).toEqual([{ relispartition: false }]);
  });
});
