#!/usr/bin/env node
// What the audit trail (migration 0006) costs a write: single-row UPDATEs of `users` by primary
// key on one connection, each its own transaction (what an application pays per request), with
// the audit_trail trigger disabled, enabled, and enabled with actor / IP / user agent set, in the
// same run, rounds interleaved. See bench/README.md, "The audit trail's cost".
//
//   npm run build && node bench/audit-trigger.mjs [--runs K] [--updates N]
//   node bench/run.mjs --only audit-trigger --out bench/results/audit-trigger.json   # the same, in run.mjs's table
//
// A fresh database on BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
// gets the shipped migrations (aeturnis-db up) and 1,000 users; it is dropped afterwards.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { cleanEnv, runProcess, Server, stats, textTable } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USERS = 1000;

/** The measured cases: the trigger and the settings during a round of updates. */
const CASES = [
  { id: 'off', label: 'trigger disabled', enabled: false },
  { id: 'on', label: 'trigger enabled, no settings', enabled: true },
  { id: 'on-settings', label: 'trigger enabled, actor + IP + user agent set', enabled: true, settings: true },
];

/** Applies the shipped migrations to `url` with the built CLI, as a user would. */
async function migrate(url) {
  const cwd = mkdtempSync(join(tmpdir(), 'aeturnis-audit-bench-'));
  try {
    await runProcess(
      process.execPath,
      [join(ROOT, 'bin', 'aeturnis-db.js'), 'up', '--dir', join(ROOT, 'migrations'), '--database-url', url],
      {
        cwd,
        env: cleanEnv(),
      },
    );
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
}

let stamp = Date.UTC(2020, 0, 1);
/** A new last_login every time, in every round and case: an UPDATE that changes nothing writes no audit row. */
function nextStamp() {
  stamp += 1000;
  return new Date(stamp);
}

/** How the rows are updated: `rows` updates in all, wall time in ms. */
const SCENARIOS = [
  {
    id: 'single',
    label: 'UPDATE users by id, one row, own transaction',
    async run(client, ids, rows) {
      const started = process.hrtime.bigint();
      for (let i = 0; i < rows; i++) {
        await client.query({
          name: 'audit-bench-update',
          text: 'UPDATE users SET last_login = $2 WHERE id = $1',
          values: [ids[i % ids.length], nextStamp()],
        });
      }
      return Number(process.hrtime.bigint() - started) / 1e6;
    },
  },
  {
    // No round trip or commit per row: what the trigger adds to the server's work per row.
    id: 'bulk',
    label: `UPDATE users, ${USERS} rows in one statement`,
    async run(client, ids, rows) {
      const started = process.hrtime.bigint();
      for (let done = 0; done < rows; done += ids.length) {
        const batch = ids.slice(0, Math.min(ids.length, rows - done));
        await client.query({
          name: 'audit-bench-bulk',
          text: 'UPDATE users SET last_login = $1 WHERE id = ANY ($2)',
          values: [nextStamp(), batch],
        });
      }
      return Number(process.hrtime.bigint() - started) / 1e6;
    },
  },
];

async function setUp(client, c, actor) {
  await client.query(`ALTER TABLE users ${c.enabled ? 'ENABLE' : 'DISABLE'} TRIGGER audit_trail`);
  await client.query(
    `SELECT set_config('aeturnis.actor_id', $1, false), set_config('aeturnis.ip_address', $2, false), set_config('aeturnis.user_agent', $3, false)`,
    c.settings ? [actor, '203.0.113.7', 'Mozilla/5.0 (X11; Linux x86_64) AeturnisClient/1.0'] : ['', '', ''],
  );
}

function summarise(scenario, c, rows, offMedian) {
  const s = stats(c.samples);
  const round1 = (x) => Math.round(x * 10) / 10;
  return {
    id: `audit-trigger-${scenario.id}-${c.id}`,
    label: `${scenario.label}, ${c.label}`,
    scenario: scenario.label,
    trigger: c.label,
    n: rows,
    samplesMs: c.samples.map(round1),
    medianMs: round1(s.median),
    minMs: round1(s.min),
    maxMs: round1(s.max),
    opsPerS: Math.round((rows / s.median) * 1000),
    usPerUpdate: round1((s.median / rows) * 1000),
    ratio: Math.round((s.median / offMedian) * 100) / 100,
  };
}

/**
 * Measures every scenario with every case, round-robin (`runs` rounds after one warm-up round;
 * the case that goes first rotates), on one connection. Returns one result per scenario and
 * case: { id, label, scenario, trigger, n, samplesMs, medianMs, minMs, maxMs, opsPerS, usPerUpdate, ratio }.
 */
export async function benchAuditTrigger(server, { runs = 5, updates = 5000, log = () => {} } = {}) {
  const db = await server.createDatabase();
  const client = new pg.Client({ connectionString: db.url, application_name: 'aeturnis-bench' });
  try {
    await migrate(db.url);
    await client.connect();
    const { rows } = await client.query(
      `INSERT INTO users (email, username, password_hash)
       SELECT 'bench' || i || '@example.com', 'bench_' || i, '$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA'
         FROM generate_series(1, ${USERS}) AS i RETURNING id`,
    );
    const ids = rows.map((r) => r.id);
    const results = [];
    for (const scenario of SCENARIOS) {
      const samples = CASES.map(() => []);
      for (let round = -1; round < runs; round++) {
        for (let k = 0; k < CASES.length; k++) {
          const index = (k + round + 1) % CASES.length;
          await setUp(client, CASES[index], ids[0]);
          const ms = await scenario.run(client, ids, updates);
          if (round >= 0) samples[index].push(ms);
        }
        log(`  audit trigger, ${scenario.id}: ${round < 0 ? 'warm-up' : `round ${round + 1}/${runs}`} done`);
      }
      const off = stats(samples[0]).median;
      for (const [i, c] of CASES.entries()) results.push(summarise(scenario, { ...c, samples: samples[i] }, updates, off));
    }
    const { rows: written } = await client.query(`SELECT count(*)::int AS n FROM audit_log WHERE event_type = 'users.update'`);
    const expected = (runs + 1) * updates * SCENARIOS.length * CASES.filter((c) => c.enabled).length;
    if (written[0].n !== expected) throw new Error(`sanity check failed: ${written[0].n} users.update audit rows, expected ${expected}`);
    return results;
  } finally {
    await client.end().catch(() => {});
    await db.drop();
  }
}

/** The results as a plain-text table: ops/s, µs per updated row and the ratio to the disabled trigger. */
export function renderAuditTrigger(results) {
  const head = ['statement', 'audit trail', 'rows', 'median', 'rows/s', 'µs per row', 'vs disabled'];
  const rows = results.map((r) => [
    r.scenario,
    r.trigger,
    r.n,
    `${(r.medianMs / 1000).toFixed(2)} s`,
    r.opsPerS,
    r.usPerUpdate.toFixed(1),
    `${r.ratio.toFixed(2)}x`,
  ]);
  return textTable(head, rows, ['l', 'l', 'r', 'r', 'r', 'r', 'r']);
}

async function main() {
  const { values: flags } = parseArgs({
    options: { runs: { type: 'string', default: '5' }, updates: { type: 'string', default: '5000' } },
  });
  const runs = Number(flags.runs);
  const updates = Number(flags.updates);
  if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(updates) || updates < 1) {
    process.stderr.write('--runs and --updates must be whole numbers of at least 1\n');
    process.exit(2);
  }
  const server = new Server(process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres');
  // A name of its own: a run.mjs started meanwhile drops every aeturnis_bench_* database it finds.
  server.prefix = `aeturnis_auditbench_${process.pid}_`;
  await server.connect();
  try {
    const log = (message) => process.stderr.write(`${message}\n`);
    log(`audit trigger: ${updates} updates per round, ${runs} rounds (+1 warm-up), PostgreSQL ${server.version}`);
    const results = await benchAuditTrigger(server, { runs, updates, log });
    process.stdout.write(`${renderAuditTrigger(results)}\n`);
  } finally {
    await server.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error) => {
    process.stderr.write(`bench failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}
