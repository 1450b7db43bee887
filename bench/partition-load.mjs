// Partition upkeep under load (issue 23): `aeturnis-db partitions --ahead 9` moving 200,000 rows
// out of audit_log_default into six new monthly partitions while an application writes to the
// current month and reads the next one. Measures what the application's queries wait, beside a
// baseline of the same load without maintenance, in one run; then checks that every row is still
// there exactly once. Run by `node bench/run.mjs --only partition-load` (and by the full
// `npm run bench`); `--compare PATH` runs it for another build too. See bench/README.md,
// "Partition upkeep under load (issue 23)".

import pg from 'pg';
import { fmtMs, latencySummary, markdownTable, sleep, stats, textTable } from './lib.mjs';

export const LOAD = {
  preloadRows: 200_000,
  users: 1000,
  /** The preloaded rows are dated in months first..last ahead of the current one (none exists yet). */
  firstMonth: 4,
  lastMonth: 9,
  ahead: 9,
  writers: 4,
  writerRate: 200, // inserts a second, each writer
  readers: 2,
  readerRate: 40, // queries a second, each reader
  warmupMs: 1000, // load before the baseline window, not recorded (connections, catalog caches)
  minBaselineMs: 6000,
  afterMs: 1000, // the maintenance window goes on this long after the command exits
};

const EVENTS = [
  'user.login',
  'user.logout',
  'user.password_changed',
  'user.email_changed',
  'session.created',
  'session.revoked',
  'role.granted',
  'role.revoked',
];
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Safari/605.1.15',
  'aeturnis-client/2.3.1',
];
const sqlArray = (values) => `ARRAY[${values.map((v) => `'${v}'`).join(', ')}]`;

const PRELOAD_USERS = `INSERT INTO users (email, username, password_hash)
  SELECT 'player' || g || '@example.com', 'player' || g, '$argon2id$v=19$m=65536,t=3,p=4$' || md5(g::text)
  FROM generate_series(1, ${LOAD.users}) g`;

// Dated in order over the months (a log is appended in time order); a user on four rows of five.
const PRELOAD_AUDIT = `INSERT INTO audit_log (actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent, created_at)
  SELECT CASE WHEN g % 5 = 0 THEN NULL ELSE u.ids[1 + g % cardinality(u.ids)] END,
         (${sqlArray(EVENTS)})[1 + g % 8],
         CASE WHEN g % 8 IN (4, 5) THEN 'session' ELSE 'user' END,
         md5(g::text)::uuid::text,
         jsonb_build_object('before', jsonb_build_object('status', 'active'),
                            'after', jsonb_build_object('status', (ARRAY['active', 'suspended', 'banned'])[1 + g % 3], 'attempt', g % 7)),
         ('10.' || (g >> 16) % 256 || '.' || (g >> 8) % 256 || '.' || g % 256)::inet,
         (${sqlArray(AGENTS)})[1 + g % 3],
         $1::timestamptz + ($2::timestamptz - $1::timestamptz) * ((g - 1 + random()) / ${LOAD.preloadRows})
  FROM generate_series(1, ${LOAD.preloadRows}) g, (SELECT array_agg(id ORDER BY username) AS ids FROM users) u`;

const ROWS_HASH = `SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids, md5(string_agg(a::text, E'\\n' ORDER BY id)) AS hash
  FROM audit_log a WHERE created_at >= $1 AND created_at < $2`;

const INSERT = `INSERT INTO audit_log (actor_id, event_type, resource_type, resource_id, changes, ip_address, user_agent)
  VALUES ($1, $2, 'user', $3, $4, $5, $6)`;

const READ = 'SELECT count(*) AS n FROM audit_log WHERE created_at >= $1 AND created_at < $2';

/** The first instant of the UTC month `k` months after the one of `now`. */
const monthStart = (now, k) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + k, 1));
const partitionOf = (date) => `audit_log_${date.getUTCFullYear()}_${String(date.getUTCMonth() + 1).padStart(2, '0')}`;

async function connect(url, name) {
  const client = new pg.Client({ connectionString: url, application_name: name });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** Users and the 200,000 future rows, then VACUUM ANALYZE and CHECKPOINT so that neither runs during the load. */
async function preload(url, now) {
  const client = await connect(url, 'bench-preload');
  try {
    const started = performance.now();
    await client.query('SELECT setseed(0.23)');
    await client.query(PRELOAD_USERS);
    await client.query(PRELOAD_AUDIT, [monthStart(now, LOAD.firstMonth), monthStart(now, LOAD.lastMonth + 1)]);
    await client.query('VACUUM ANALYZE');
    await client.query('CHECKPOINT').catch(() => {});
    const { rows: users } = await client.query('SELECT id FROM users ORDER BY username');
    const before = await preloadedRows(client, now);
    // The shipped audit trail (migration 0006) has logged the users' inserts in the current month.
    const { rows: trail } = await client.query('SELECT count(*)::int AS n FROM audit_log WHERE created_at >= $1 AND created_at < $2', [
      monthStart(now, 0),
      monthStart(now, 1),
    ]);
    return { userIds: users.map((u) => u.id), before, trailRows: trail[0].n, preloadMs: performance.now() - started };
  } finally {
    await client.end();
  }
}

const preloadedRows = async (client, now) =>
  (await client.query(ROWS_HASH, [monthStart(now, LOAD.firstMonth), monthStart(now, LOAD.lastMonth + 1)])).rows[0];

/**
 * One connection running `op` `rate` times a second on a fixed schedule, one query at a time (as
 * an application's pooled connection does). A query late on its schedule (the one before it
 * stalled) is sent at once; its latency counts from sending, its lateness from when it was due.
 */
async function paced(client, { rate, offsetMs, start, control, op, samples }) {
  const period = 1000 / rate;
  for (let k = 0; ; k++) {
    const due = start + offsetMs + k * period;
    if (due >= control.stopAt) return;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    let error = null;
    try {
      await op(client, k);
    } catch (e) {
      error = String(e?.message ?? e);
    }
    samples.push({ due, sent, done: performance.now(), error });
  }
}

/** The application: writers inserting into the current month, readers counting the next month's rows. */
async function startLoad(url, now, userIds) {
  const writers = await Promise.all(Array.from({ length: LOAD.writers }, (_, i) => connect(url, `bench-writer-${i + 1}`)));
  const readers = await Promise.all(Array.from({ length: LOAD.readers }, (_, i) => connect(url, `bench-reader-${i + 1}`)));
  const samples = { writer: [], reader: [] };
  const control = { stopAt: Number.POSITIVE_INFINITY };
  const start = performance.now();
  const write = (client, k) => {
    const n = k * LOAD.writers;
    const changes = JSON.stringify({ before: { last_login: null }, after: { last_login: new Date().toISOString(), attempt: n % 7 } });
    return client.query(INSERT, [
      userIds[n % userIds.length],
      EVENTS[n % 4],
      userIds[(n + 1) % userIds.length],
      changes,
      '192.0.2.10',
      AGENTS[n % 3],
    ]);
  };
  const range = [monthStart(now, 1), monthStart(now, 2)];
  const read = (client) => client.query(READ, range);
  const loops = [
    ...writers.map((client, i) =>
      paced(client, {
        rate: LOAD.writerRate,
        offsetMs: (i * 1000) / LOAD.writerRate / LOAD.writers,
        start,
        control,
        op: write,
        samples: samples.writer,
      }),
    ),
    ...readers.map((client, i) =>
      paced(client, {
        rate: LOAD.readerRate,
        offsetMs: (i * 1000) / LOAD.readerRate / LOAD.readers,
        start,
        control,
        op: read,
        samples: samples.reader,
      }),
    ),
  ];
  return {
    start,
    samples,
    async stop() {
      control.stopAt = performance.now();
      await Promise.all(loops);
      await Promise.all([...writers, ...readers].map((client) => client.end().catch(() => {})));
    },
  };
}

/**
 * The queries due in [from, to): latency from send to result (what one query waited), lateness
 * from when it was due to its result (what waited queued behind a stalled query on its
 * connection too), errors.
 */
function phaseOf(samples, from, to) {
  const due = samples.filter((s) => s.due >= from && s.due < to);
  const latency = latencySummary(due.map((s) => s.done - s.sent));
  const late = latencySummary(due.map((s) => s.done - s.due));
  const failed = due.filter((s) => s.error);
  return {
    ops: due.length,
    errors: failed.length,
    firstError: failed[0]?.error ?? null,
    p50Ms: round2(latency.p50),
    p99Ms: round2(latency.p99),
    maxMs: round2(latency.max),
    lateP50Ms: round2(late.p50),
    lateP99Ms: round2(late.p99),
    lateMaxMs: round2(late.max),
  };
}

/** Per second since the load started: queries due and the longest latency (send to result) of each kind. */
function timeline(samples, start) {
  const seconds = [];
  for (const [kind, list] of Object.entries(samples)) {
    for (const s of list) {
      const t = Math.floor((s.due - start) / 1000);
      seconds[t] ??= { t, writer: { ops: 0, maxMs: 0 }, reader: { ops: 0, maxMs: 0 } };
      seconds[t][kind].ops++;
      seconds[t][kind].maxMs = round2(Math.max(seconds[t][kind].maxMs, s.done - s.sent));
    }
  }
  return seconds.filter(Boolean);
}

const round2 = (x) => Math.round(x * 100) / 100;

/** After the load: the preloaded rows, every write, the partitions and what is left in the default partition. */
async function verify(url, now, setup, writesOk) {
  const client = await connect(url, 'bench-verify');
  try {
    const after = await preloadedRows(client, now);
    const { rows: totals } = await client.query(
      `SELECT count(*)::int AS total, count(*) FILTER (WHERE created_at >= $1 AND created_at < $2)::int AS current,
              (SELECT count(*)::int FROM audit_log_default) AS in_default FROM audit_log`,
      [monthStart(now, 0), monthStart(now, 1)],
    );
    const { rows: parts } = await client.query(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_log'::regclass ORDER BY 1`,
    );
    const partitions = parts.map((p) => p.name);
    const wanted = [];
    for (let k = LOAD.firstMonth; k <= LOAD.lastMonth; k++) wanted.push(partitionOf(monthStart(now, k)));
    const { total, current, in_default: inDefault } = totals[0];
    const problems = [];
    if (after.n !== setup.before.n || after.ids !== after.n || after.hash !== setup.before.hash)
      problems.push(
        `preloaded rows: ${after.n} (${after.ids} distinct ids, md5 ${after.hash}), expected ${setup.before.n} (md5 ${setup.before.hash})`,
      );
    const trail = setup.trailRows;
    if (total !== setup.before.n + trail + writesOk)
      problems.push(`audit_log has ${total} rows, expected ${setup.before.n} + ${trail} (audit trail) + ${writesOk} writes`);
    if (current !== trail + writesOk)
      problems.push(`the current month has ${current} rows, expected ${trail} (audit trail) + the ${writesOk} writes`);
    const missing = wanted.filter((name) => !partitions.includes(name));
    if (missing.length) problems.push(`partitions missing: ${missing.join(', ')}`);
    if (inDefault !== 0) problems.push(`${inDefault} rows left in audit_log_default`);
    return {
      ok: problems.length === 0,
      problems,
      preloaded: after,
      total,
      currentMonthRows: current,
      inDefault,
      partitions,
      monthsWanted: wanted,
    };
  } finally {
    await client.end();
  }
}

/**
 * One run for one build: a fresh database migrated by that build, the preload, the load with a
 * baseline window of `baselineMs` and then `partitions --ahead 9` in a child process.
 */
async function runOnce({ server, aeturnis, migrationsDir, build, baselineMs }) {
  const db = await server.createDatabase();
  try {
    await aeturnis(['up', '--database-url', db.url, '--dir', migrationsDir], { cli: build.cli });
    const now = new Date();
    const setup = await preload(db.url, now);
    const load = await startLoad(db.url, now, setup.userIds);
    let maintenance;
    let windows;
    try {
      const baselineFrom = load.start + LOAD.warmupMs;
      await sleep(baselineFrom + baselineMs - performance.now());
      const startedAt = performance.now();
      const r = await aeturnis(['partitions', '--ahead', String(LOAD.ahead), '--database-url', db.url], {
        cli: build.cli,
        allowFail: true,
      });
      const endedAt = performance.now();
      maintenance = { ms: round2(endedAt - startedAt), exitCode: r.code, stdout: r.stdout.trim(), stderr: r.stderr.trim() };
      await sleep(LOAD.afterMs);
      windows = { baseline: [baselineFrom, startedAt], maintenance: [startedAt, endedAt + LOAD.afterMs] };
      maintenance.startedAtS = round2((startedAt - load.start) / 1000);
    } finally {
      await load.stop();
    }
    const phases = {};
    for (const [name, [from, to]] of Object.entries(windows)) {
      phases[name] = {
        durationMs: round2(to - from),
        writer: phaseOf(load.samples.writer, from, to),
        reader: phaseOf(load.samples.reader, from, to),
      };
    }
    const writesOk = load.samples.writer.filter((s) => !s.error).length;
    const check = await verify(db.url, now, setup, writesOk);
    const seconds = timeline(load.samples, load.start);
    return {
      build: build.label,
      compared: build.compared,
      preloadMs: round2(setup.preloadMs),
      preloaded: setup.before,
      writesOk,
      maintenance,
      phases,
      check,
      seconds,
    };
  } finally {
    await db.drop();
  }
}

/**
 * Every build, `runs` rounds, interleaved (round 1 of every build, then round 2, ...). The baseline
 * window lasts as long as the longest maintenance window measured so far in this process, and at
 * least `minBaselineMs`: the baseline runs first, so the first run's cannot know its own.
 */
export async function benchPartitionLoad({ server, aeturnis, migrationsDir, builds, runs, log }) {
  const results = [];
  let baselineMs = LOAD.minBaselineMs;
  for (let round = 0; round < runs; round++) {
    for (const build of builds) {
      const r = await runOnce({ server, aeturnis, migrationsDir, build, baselineMs });
      results.push({ round: round + 1, ...r });
      baselineMs = Math.max(baselineMs, Math.ceil(r.phases.maintenance.durationMs));
      const m = r.phases.maintenance;
      log(
        `  partition-load ${build.label}, run ${round + 1}/${runs}: partitions ${fmtMs(r.maintenance.ms)} (exit ${r.maintenance.exitCode}), longest wait writers ${fmtMs(m.writer.maxMs)}, readers ${fmtMs(m.reader.maxMs)}; rows ${r.check.ok ? 'intact' : 'NOT intact'}`,
      );
    }
  }
  return { config: LOAD, runs: results };
}

const fmtLatency = (ms) => (ms < 10 ? `${ms.toFixed(1)} ms` : fmtMs(ms));

/** One row per build and phase: p50 and p99 the median over runs, max the worst. */
export function partitionLoadTable(results) {
  const head = [
    'build',
    'phase',
    'runs',
    'writers p50',
    'p99',
    'max',
    'p99 from due',
    'readers p50',
    'p99',
    'max',
    'p99 from due',
    'writes/reads',
    'errors',
    '`partitions` took',
    'rows',
  ];
  const align = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'l'];
  const rows = [];
  for (const build of [...new Set(results.runs.map((r) => r.build))]) {
    const runs = results.runs.filter((r) => r.build === build);
    for (const phase of ['baseline', 'maintenance']) {
      const ps = runs.map((r) => r.phases[phase]);
      const med = (kind, key) => fmtLatency(stats(ps.map((p) => p[kind][key])).median);
      const worst = (kind) => fmtLatency(Math.max(...ps.map((p) => p[kind].maxMs)));
      const ops = `${stats(ps.map((p) => p.writer.ops)).median}/${stats(ps.map((p) => p.reader.ops)).median}`;
      const errors = ps.reduce((sum, p) => sum + p.writer.errors + p.reader.errors, 0);
      const took =
        phase === 'maintenance'
          ? `${fmtMs(stats(runs.map((r) => r.maintenance.ms)).median)} (exit ${[...new Set(runs.map((r) => r.maintenance.exitCode))].join(',')})`
          : '—';
      const intact = phase === 'maintenance' ? (runs.every((r) => r.check.ok) ? 'intact' : 'NOT intact') : '';
      rows.push([
        build,
        phase,
        runs.length,
        med('writer', 'p50Ms'),
        med('writer', 'p99Ms'),
        worst('writer'),
        med('writer', 'lateP99Ms'),
        med('reader', 'p50Ms'),
        med('reader', 'p99Ms'),
        worst('reader'),
        med('reader', 'lateP99Ms'),
        ops,
        errors,
        took,
        intact,
      ]);
    }
  }
  return { text: textTable(head, rows, align), markdown: markdownTable(head, rows, align) };
}

/** The issue's targets, per build: under 100 ms longest wait for writers and readers, every row intact. */
export function partitionLoadTargets(results) {
  const targets = [];
  for (const build of [...new Set(results.runs.map((r) => r.build))]) {
    const runs = results.runs.filter((r) => r.build === build);
    const m = runs.map((r) => r.phases.maintenance);
    const b = runs.map((r) => r.phases.baseline);
    for (const kind of ['writer', 'reader']) {
      const worst = Math.max(...m.map((p) => p[kind].maxMs));
      const base = Math.max(...b.map((p) => p[kind].maxMs));
      targets.push({
        name: `${build}: partitions --ahead ${LOAD.ahead} under load, longest ${kind} wait under 100 ms`,
        met: worst < 100,
        detail: `${fmtLatency(worst)} (baseline ${fmtLatency(base)}, ${runs.length} runs)`,
      });
    }
    const broken = runs.filter((r) => !r.check.ok);
    targets.push({
      name: `${build}: every preloaded row there once (same md5), every write there, months +${LOAD.firstMonth}..+${LOAD.lastMonth} created`,
      met: broken.length === 0,
      detail: broken.length
        ? broken.flatMap((r) => r.check.problems).join('; ')
        : `${runs[0].preloaded.n} rows, md5 ${runs[0].preloaded.hash.slice(0, 8)}…`,
    });
  }
  return targets;
}
