#!/usr/bin/env node
// The fleet benchmark: `up` of K migrations on N databases of one server, in one run:
//   a shell loop of `aeturnis-db up`, one process per database (what users do without --targets),
//   a shell loop of psql, one process per database (BEGIN/COMMIT around each file: the floor),
//   `aeturnis-db up --targets FILE` at each --concurrency (one process for the whole fleet).
// Each case also runs again with nothing pending: that re-run divided by N is the fixed cost
// per target (start-up or not, connecting, reading the journal, the lock).
//
//   npm run bench:fleet                          # N = 50 and 200, K = 20, 3 runs (~15 min on a quiet 2-core machine)
//   npm run bench:fleet -- --quick               # N = 5 and 10, K = 5, 1 run: for development
//   node bench/fleet.mjs --sizes 50,200 --migrations 20 --runs 3 --concurrency 1,4,8 --markdown
//   node bench/fleet.mjs --skip shell-aeturnis,shell-psql         # the fleet cases only
//
// Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres), a role that
// may CREATE DATABASE; every measured run gets N fresh databases (created and dropped untimed).
// Peak RSS needs GNU time (/usr/bin/time). Writes bench/results/fleet.json (or --out FILE).

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { corpusMigrations, lastTableOf, writeCorpus } from './corpus.mjs';
import { cleanEnv, fmtMs, haveGnuTime, markdownTable, runProcess, Server, stats, textTable } from './lib.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work', 'fleet');
const CLI = join(ROOT, 'bin', 'aeturnis-db.js');
const NODE = process.execPath;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    migrations: { type: 'string' },
    runs: { type: 'string' },
    concurrency: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    out: { type: 'string' },
    skip: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write(
    `${readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(1, 17)
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n')}\n`,
  );
  process.exit(0);
}

const quick = flags.quick;
const SIZES = (flags.sizes ?? (quick ? '5,10' : '50,200')).split(',').map(Number);
const K = Number(flags.migrations ?? (quick ? 5 : 20));
const RUNS = Number(flags.runs ?? (quick ? 1 : 3));
const CONCURRENCY = (flags.concurrency ?? '1,4,8').split(',').map(Number);
const SKIP = (flags.skip ?? '').split(',').filter(Boolean);
const OUT = flags.out ?? join(ROOT, 'bench', 'results', 'fleet.json');
const BASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const PSQL = process.env.BENCH_PSQL || (existsSync('/usr/bin/psql') ? '/usr/bin/psql' : 'psql');
const RSS = haveGnuTime();
const env = cleanEnv();
const log = (message) => process.stderr.write(`${message}\n`);

/** The cases: how to migrate the N databases listed in urls.txt / targets.txt, and how to check. */
function cases(dirs, scripts) {
  const loop = (command) => ['sh', ['-c', `while IFS= read -r url; do ${command} || exit 1; done < urls.txt`]];
  const shellUp = loop(`"${NODE}" "${CLI}" up --database-url "$url" --dir "${dirs.aeturnis}" --no-partitions >/dev/null`);
  const psqlUp = loop(`"${PSQL}" -X -q -v ON_ERROR_STOP=1 -d "$url" -f "${scripts.perTxnUp}" >/dev/null`);
  const fleetUp = (c) => [
    NODE,
    [CLI, 'up', '--targets', 'targets.txt', '--concurrency', String(c), '--dir', dirs.aeturnis, '--no-partitions'],
  ];
  return [
    { id: 'shell-aeturnis', label: 'shell loop: aeturnis-db up per database', command: shellUp, journal: true },
    { id: 'shell-psql', label: 'shell loop: psql per database, BEGIN/COMMIT per file (no journal)', command: psqlUp, journal: false },
    ...CONCURRENCY.map((c) => ({
      id: `fleet-c${c}`,
      label: `aeturnis-db up --targets, --concurrency ${c}`,
      command: fleetUp(c),
      journal: true,
    })),
  ];
}

/** Databases of this benchmark are named aeturnis_fleetbench_<pid>_<k>. */
const PREFIX = 'aeturnis_fleetbench_';

/** Drops what an interrupted earlier run left behind (only runs whose process is gone: others may be measuring). */
async function dropLeftovers(server) {
  const { rows } = await server.admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'aeturnis\\_fleetbench\\_%'`);
  for (const { datname } of rows) {
    const pid = Number(datname.slice(PREFIX.length).split('_')[0]);
    if (pid !== process.pid && processAlive(pid)) continue;
    await server.admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
}

function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Every database has the K migrations: the journal rows, or (psql) the newest table. */
async function check(server, databases, kase) {
  for (const db of databases) {
    const sql = kase.journal
      ? 'SELECT count(*)::int AS n FROM schema_migrations'
      : `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = '${lastTableOf(K)}'`;
    const [{ n }] = await server.query(db.name, sql);
    if (n !== (kase.journal ? K : 1)) throw new Error(`${kase.id}: ${db.name} was not migrated (${n})`);
  }
}

async function measureOnce(server, kase, n, cwd) {
  const databases = [];
  for (let i = 0; i < n; i++) databases.push(await server.createDatabase());
  // Creating databases leaves dirty buffers: write them out now, not during the timed run.
  await server.admin.query('CHECKPOINT').catch(() => {});
  try {
    writeFileSync(join(cwd, 'urls.txt'), `${databases.map((db) => db.url).join('\n')}\n`);
    writeFileSync(join(cwd, 'targets.txt'), `${databases.map((db, i) => `tenant-${i + 1}=${db.url}`).join('\n')}\n`);
    const [file, args] = kase.command;
    const up = await runProcess(file, args, { cwd, env, rss: RSS });
    await check(server, databases, kase);
    // Again, nothing pending (psql has no journal: it would fail on existing tables).
    const again = kase.journal ? await runProcess(file, args, { cwd, env, rss: RSS }) : undefined;
    return { ms: up.ms, rssKb: up.peakRssKb, againMs: again?.ms, againRssKb: again?.peakRssKb };
  } finally {
    for (const db of databases) await db.drop();
  }
}

function summarize(samples) {
  const pick = (key) => samples.map((s) => s[key]).filter((v) => typeof v === 'number');
  const median = (key) => (pick(key).length > 0 ? stats(pick(key)).median : undefined);
  return { ms: median('ms'), rssKb: median('rssKb'), againMs: median('againMs'), againRssKb: median('againRssKb'), samples };
}

async function main() {
  mkdirSync(WORK, { recursive: true });
  const cwd = join(WORK, 'cwd');
  mkdirSync(cwd, { recursive: true });
  const { dirs, scripts } = writeCorpus(join(WORK, 'corpus'), corpusMigrations(K));
  const server = new Server(BASE_URL);
  server.prefix = `${PREFIX}${process.pid}_`;
  await server.connect();
  await dropLeftovers(server);
  const all = cases(dirs, scripts).filter((kase) => !SKIP.includes(kase.id));
  const results = {};
  const started = Date.now();
  try {
    for (const n of SIZES) {
      for (let run = 1; run <= RUNS; run++) {
        for (const kase of all) {
          // Rounds interleaved: a noisy stretch of a shared machine hits every case alike.
          log(`N=${n} run ${run}/${RUNS}: ${kase.id}`);
          const key = `${kase.id}@${n}`;
          results[key] ??= { id: kase.id, label: kase.label, n, raw: [] };
          results[key].raw.push(await measureOnce(server, kase, n, cwd));
        }
      }
    }
  } finally {
    await server.close();
  }
  for (const entry of Object.values(results)) Object.assign(entry, summarize(entry.raw));
  report(results, all, Date.now() - started, server, await summaryTiming());
}

/**
 * In process, no database: the summary table of a fleet of 5,000 targets (version arrows and a
 * failed target's em dash included), which cli-table3 would draw in quadratic time.
 */
async function summaryTiming() {
  const { summaryCells, renderSummary } = await import('../dist/cli/fleet/summary.js');
  const plain = { green: (t) => t, yellow: (t) => t, red: (t) => t, cyan: (t) => t, gray: (t) => t };
  const outcomes = Array.from({ length: 5000 }, (_, i) => ({
    target: `tenant-${i}`,
    source: `targets.txt:${i + 1}`,
    url: '',
    ms: 42,
    applied: ['0001_a.sql'],
    rolledBack: [],
    versions: { before: i, after: i + 1 },
    ...(i % 100 === 7
      ? {
          state: 'failed',
          exitCode: 4,
          error: 'could not connect: database "x" does not exist (SQLSTATE 3D000) — create the database first',
        }
      : { state: 'succeeded', exitCode: 0, result: { text: 'ok' } }),
  }));
  const started = performance.now();
  const { head, rows } = summaryCells(outcomes, { matrix: false, tracked: true, changed: 'Applied' }, plain);
  const lines = (await renderSummary(head, rows, plain)).split('\n').length;
  return { targets: outcomes.length, lines, ms: performance.now() - started };
}

/** The table, the per-target costs, and the targets the issue sets (c1 beats the loop, c8 a third of it, flat RSS). */
function report(results, all, elapsedMs, server, summary) {
  const [small, large] = [Math.min(...SIZES), Math.max(...SIZES)];
  const get = (id, n) => results[`${id}@${n}`];
  const kb = (v) => (v === undefined ? '—' : `${Math.round(v / 1024)} MB`);
  const head = ['case', 'N', 'wall', 'per target', 'fixed cost per target (re-run, nothing pending)', 'peak RSS', 'vs shell loop'];
  const rows = [];
  for (const n of SIZES) {
    const loop = get('shell-aeturnis', n)?.ms;
    for (const kase of all) {
      const r = get(kase.id, n);
      rows.push([
        kase.label,
        n,
        fmtMs(r.ms),
        fmtMs(r.ms / n),
        r.againMs === undefined ? '—' : fmtMs(r.againMs / n),
        kb(r.rssKb),
        loop ? `${(r.ms / loop).toFixed(2)}x` : '—',
      ]);
    }
  }
  const slopes = all.map((kase) => {
    const a = get(kase.id, small);
    const b = get(kase.id, large);
    return [kase.label, large > small ? fmtMs((b.ms - a.ms) / (large - small)) : '—', `${kb(a.rssKb)} -> ${kb(b.rssKb)}`];
  });
  const align = ['l', 'r', 'r', 'r', 'r', 'r', 'r'];
  log('');
  process.stdout.write(`${textTable(head, rows, align)}\n\n`);
  process.stdout.write(`${textTable(['case', `cost per added target (N=${small} -> ${large})`, 'peak RSS'], slopes, ['l', 'r', 'r'])}\n\n`);
  if (flags.markdown) process.stdout.write(`${markdownTable(head, rows, align)}\n\n`);

  const loop = get('shell-aeturnis', large);
  const verdicts = [];
  const c1 = get('fleet-c1', large);
  const c8 = get('fleet-c8', large);
  if (c1 && loop)
    verdicts.push(`fleet --concurrency 1 beats the shell loop: ${c1.ms < loop.ms ? 'yes' : 'NO'} (${fmtMs(c1.ms)} vs ${fmtMs(loop.ms)})`);
  if (c8 && loop)
    verdicts.push(
      `fleet --concurrency 8 within a third of the shell loop: ${c8.ms <= loop.ms / 3 ? 'yes' : 'NO'} (${(c8.ms / loop.ms).toFixed(2)}x)`,
    );
  for (const c of CONCURRENCY) {
    const a = get(`fleet-c${c}`, small)?.rssKb;
    const b = get(`fleet-c${c}`, large)?.rssKb;
    if (a && b)
      verdicts.push(`fleet --concurrency ${c} peak RSS N=${small} -> ${large}: ${kb(a)} -> ${kb(b)} (${b <= a * 1.15 ? 'flat' : 'GROWS'})`);
  }
  verdicts.push(`summary table of ${summary.targets} targets (in process): ${fmtMs(summary.ms)}`);
  process.stdout.write(`${verdicts.join('\n')}\n`);

  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(
    OUT,
    `${JSON.stringify(
      {
        when: new Date().toISOString(),
        elapsedMs,
        machine: {
          cpus: os.cpus().length,
          model: os.cpus()[0]?.model,
          memGb: Math.round(os.totalmem() / 2 ** 30),
          loadavg: os.loadavg(),
          node: process.version,
        },
        server: { version: server.version, settings: server.settings },
        sizes: SIZES,
        migrations: K,
        runs: RUNS,
        results,
        summaryTable: summary,
        verdicts,
      },
      null,
      2,
    )}\n`,
  );
  log(`wrote ${OUT} (${fmtMs(elapsedMs)})`);
}

main().catch((error) => {
  log(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
