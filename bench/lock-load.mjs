#!/usr/bin/env node
// Lock retries under load (issue 15): a table with steady traffic, a long transaction holding a
// lock on it for N seconds, then `aeturnis-db up` of an `ALTER TABLE ... ADD COLUMN`. Measures
// the traffic's latency and failed queries while the migration runs, with lock retries off
// (`--no-lock-retries`: the ALTER waits in the lock queue, as every peer's does) and on (the
// default schedule), in one run, side by side. See bench/README.md, "Lock retries under load".
//
//   npm run bench:locks                      # N = 10 s (~35 s in all)
//   node bench/lock-load.mjs --hold 3 --json # what test/integration/lock-retries-load.test.ts runs
//
// Options: --hold SECONDS (N, default 10), --rate QUERIES_PER_SECOND (default 100), --clients K
// (traffic connections, default 4), --database-url URL (an existing database to work in; each
// scenario uses a schema of its own), --json (print the results as JSON, nothing else).
// Without --database-url: a fresh database on BENCH_DATABASE_URL (default
// postgres://postgres@127.0.0.1:5432/postgres), dropped afterwards. Needs `npm run build`.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cleanEnv, fmtMs, markdownTable, Server } from './lib.mjs';

const CLI = fileURLToPath(new URL('../bin/aeturnis-db.js', import.meta.url));

const { values: flags } = parseArgs({
  options: {
    hold: { type: 'string', default: '10' },
    rate: { type: 'string', default: '100' },
    clients: { type: 'string', default: '4' },
    'database-url': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

const SCENARIOS = [
  { id: 'off', label: 'retries off (`--no-lock-retries`, as every peer)', args: ['--no-lock-retries'] },
  { id: 'on', label: 'retries on (default schedule)', args: [] },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value at quantile q (0..1) of sorted numbers. */
function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

/**
 * Steady traffic on `table`: `rate` queries a second spread over `clients` connections, a
 * primary-key SELECT and an UPDATE in turn. A query's latency counts from when it was due,
 * not from when its connection got to it, so time spent queued behind a stalled query counts.
 */
async function startTraffic(url, table, { rate, clients }) {
  const connections = [];
  for (let i = 0; i < clients; i++) {
    const client = new pg.Client({ connectionString: url, application_name: 'bench-traffic' });
    client.on('error', () => {});
    await client.connect();
    connections.push({ client, queue: Promise.resolve() });
  }
  const samples = []; // { dueAt, latencyMs, failed }
  const periodMs = 1000 / rate;
  const started = performance.now();
  let sent = 0;
  let stopped = false;
  const pump = async () => {
    while (!stopped) {
      const dueAt = started + sent * periodMs;
      const wait = dueAt - performance.now();
      if (wait > 0) await sleep(wait);
      const n = sent++;
      const connection = connections[n % clients];
      const id = (n % 1000) + 1;
      const sql = n % 2 === 0 ? `SELECT name FROM ${table} WHERE id = $1` : `UPDATE ${table} SET visits = visits + 1 WHERE id = $1`;
      connection.queue = connection.queue.then(async () => {
        let failed = false;
        try {
          await connection.client.query(sql, [id]);
        } catch {
          failed = true;
        }
        samples.push({ dueAt, latencyMs: performance.now() - dueAt, failed });
      });
    }
  };
  const pumping = pump();
  return {
    samples,
    async stop() {
      stopped = true;
      await pumping;
      await Promise.all(connections.map((c) => c.queue));
      await Promise.all(connections.map((c) => c.client.end().catch(() => {})));
    },
  };
}

/** Runs the CLI; resolves with its exit code, output and when it ended. */
function runUp(url, dir, schema, extraArgs) {
  return new Promise((resolve, reject) => {
    const args = [CLI, 'up', '--dir', dir, '--table', `${schema}.schema_migrations`, '--no-partitions', ...extraArgs];
    const child = spawn(process.execPath, args, { env: cleanEnv({ DATABASE_URL: url }), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, endedAt: performance.now() }));
  });
}

/** One scenario in its own schema: traffic, the long transaction, `up`, and what the traffic saw. */
async function runScenario(url, scenario, options) {
  const schema = `lock_load_${scenario.id}`;
  const table = `${schema}.users`;
  const setup = new pg.Client({ connectionString: url, application_name: 'bench-setup' });
  await setup.connect();
  await setup.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE; CREATE SCHEMA ${schema};
    CREATE TABLE ${table} (id int PRIMARY KEY, name text NOT NULL, visits int NOT NULL DEFAULT 0);
    INSERT INTO ${table} (id, name) SELECT g, 'player ' || g FROM generate_series(1, 1000) g;`);
  await setup.end();
  const dir = mkdtempSync(join(tmpdir(), 'aeturnis-lock-load-'));
  mkdirSync(join(dir, 'migrations'));
  writeFileSync(
    join(dir, 'migrations', '0001_add_email.sql'),
    `-- UP\nALTER TABLE ${table} ADD COLUMN email text;\n-- DOWN\nALTER TABLE ${table} DROP COLUMN email;\n`,
  );

  const traffic = await startTraffic(url, table, options);
  const long = new pg.Client({ connectionString: url, application_name: 'nightly-report' });
  try {
    await sleep(1000);
    await long.connect();
    await long.query('BEGIN');
    await long.query(`SELECT count(*) FROM ${table}`);
    const lockTakenAt = performance.now();
    const releasing = sleep(options.holdMs).then(async () => {
      await long.query('COMMIT');
      return performance.now();
    });
    await sleep(500);
    const upStartedAt = performance.now();
    const up = await runUp(url, join(dir, 'migrations'), schema, scenario.args);
    const releasedAt = await releasing;
    await sleep(1000);
    await traffic.stop();
    return summarize(scenario, { up, upStartedAt, releasedAt, lockTakenAt, samples: traffic.samples });
  } finally {
    await traffic.stop();
    await long.end().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The traffic's latency while `up` ran, failures over the whole run, and when `up` ended. */
function summarize(scenario, run) {
  const during = run.samples.filter((s) => s.dueAt >= run.upStartedAt && s.dueAt <= run.up.endedAt);
  const latencies = during.map((s) => s.latencyMs).sort((a, b) => a - b);
  const retryLines = run.up.stdout.split('\n').filter((line) => line.includes('lock not available'));
  return {
    scenario: scenario.id,
    label: scenario.label,
    exitCode: run.up.code,
    queries: during.length,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    failed: run.samples.filter((s) => s.failed).length,
    upMs: run.up.endedAt - run.upStartedAt,
    upEndedAfterReleaseMs: run.up.endedAt - run.releasedAt,
    retries: retryLines.length,
    firstRetryLine: retryLines[0] ?? null,
    stderr: run.up.stderr.trim(),
  };
}

async function main() {
  const options = { holdMs: Number(flags.hold) * 1000, rate: Number(flags.rate), clients: Number(flags.clients) };
  let database;
  let server;
  if (!flags['database-url']) {
    server = new Server(process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
    await server.connect();
    database = await server.createDatabase();
  }
  const url = flags['database-url'] ?? database.url;
  try {
    const results = [];
    for (const scenario of SCENARIOS) results.push(await runScenario(url, scenario, options));
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ holdMs: options.holdMs, rate: options.rate, clients: options.clients, results }, null, 2)}\n`,
      );
      return;
    }
    console.log(
      `Long transaction holds its lock for ${flags.hold} s; traffic ${options.rate} queries/s on ${options.clients} connections.\n`,
    );
    const head = ['', 'traffic p50', 'p99', 'max', 'failed', 'queries', '`up` took', 'ended after the lock was free', 'retries'];
    const rows = results.map((r) => [
      r.label,
      fmtMs(r.p50Ms),
      fmtMs(r.p99Ms),
      fmtMs(r.maxMs),
      r.failed,
      r.queries,
      fmtMs(r.upMs),
      fmtMs(r.upEndedAfterReleaseMs),
      r.retries,
    ]);
    console.log(markdownTable(head, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r']));
    const line = results.find((r) => r.firstRetryLine)?.firstRetryLine;
    if (line) console.log(`\nFirst retry line:\n${line}`);
    for (const r of results) if (r.exitCode !== 0) console.log(`\n${r.label}: up exited with ${r.exitCode}: ${r.stderr}`);
  } finally {
    await database?.drop();
    await server?.close();
  }
}

await main();
