#!/usr/bin/env node
// aeturnis-db benchmarks: whole processes, side by side with psql and the peers, on fresh
// databases of one PostgreSQL server. See bench/README.md.
//
//   npm run bench                    # aeturnis-db and the psql baselines
//   npm run bench -- --peers         # + dbmate, node-pg-migrate, postgrator-cli (installed from npm)
//   npm run bench -- --quick         # small N, 3 runs: for development (writes bench/results/quick.json)
//
// Options: --runs K (default 7), --sizes 50,300, --only up,down,startup,embedded,partitions,big,many,
// partition-load (min(K, 3) runs, 1 with --quick; ~35 s each) (and audit-trigger, only when named:
// UPDATE cost of the audit trail, bench/audit-trigger.mjs; and drift, only when named: drift vs up,
// fleet drift vs fleet status, bench/drift.mjs, --drift-fleet N, default 200), --big-mb 20, --many 10000,
// --markdown (also print the table as Markdown), --out FILE,
// --compare PATH (another build's bin/aeturnis-db.js, measured alongside: before/after a change),
// --skip ID,... (leave out cases whose id contains one of these, e.g. psql-files).
// Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres); the role
// must be allowed to CREATE DATABASE. Every measured run gets a database of its own.

import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import {
  AUDIT_LOG_DDL,
  corpusMigrations,
  lastTableOf,
  partitionsSql,
  writeBigMigration,
  writeCorpus,
  writeManyMigrations,
} from './corpus.mjs';
import { benchAuditTrigger, renderAuditTrigger } from './audit-trigger.mjs';
import { benchDrift } from './drift.mjs';
import { cleanEnv, fmtMs, haveGnuTime, markdownTable, runProcess, Server, stats, textTable } from './lib.mjs';
import { ensurePeers } from './peers.mjs';
import { benchPartitionLoad, LOAD, partitionLoadTable, partitionLoadTargets } from './partition-load.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WORK = join(ROOT, 'bench', '.work');
const CLI = join(ROOT, 'bin', 'aeturnis-db.js');
const BARE_PG = join(ROOT, 'bench', 'bare-pg.mjs');
const NODE = process.execPath;

const { values: flags } = parseArgs({
  options: {
    peers: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    sizes: { type: 'string' },
    only: { type: 'string' },
    'big-mb': { type: 'string' },
    many: { type: 'string' },
    markdown: { type: 'boolean', default: false },
    out: { type: 'string' },
    compare: { type: 'string' },
    skip: { type: 'string' },
    'drift-fleet': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (flags.help) {
  const usage = readFileSync(fileURLToPath(import.meta.url), 'utf8')
    .split('\n')
    .slice(1, 16)
    .map((l) => l.replace(/^\/\/ ?/, ''))
    .join('\n');
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const quick = flags.quick;
const RUNS = Number(flags.runs ?? (quick ? 3 : 7));
const SIZES = (flags.sizes ?? (quick ? '20' : '50,300')).split(',').map(Number);
const BIG_MB = Number(flags['big-mb'] ?? (quick ? 2 : 20));
const MANY = Number(flags.many ?? (quick ? 1000 : 10000));
const ONLY = new Set((flags.only ?? 'up,startup,embedded,down,partitions,big,many,partition-load').split(','));
const OUT = flags.out ?? (quick ? join(ROOT, 'bench', 'results', 'quick.json') : join(ROOT, 'bench', 'results.json'));
const BIG_PSQL_RUNS = Math.min(RUNS, 3);
const PARTITION_LOAD_RUNS = Math.min(RUNS, quick ? 1 : 3);
const COMPARE = flags.compare ? resolve(flags.compare) : undefined;
const SKIP = (flags.skip ?? '').split(',').filter(Boolean);
const PARTITIONS_AHEAD = 24;
const BASE_URL = process.env.BENCH_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const PSQL = process.env.BENCH_PSQL || (existsSync('/usr/bin/psql') ? '/usr/bin/psql' : 'psql');

const log = (message) => process.stderr.write(`${message}\n`);
const env = cleanEnv();
const CWD = join(WORK, 'cwd'); // an empty working directory: no .env, no ./migrations
mkdirSync(CWD, { recursive: true });

for (const n of SIZES) if (!Number.isInteger(n) || n < 5) throw new Error(`--sizes: ${n} is not an integer >= 5`);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive integer');
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run npm run build (npm run bench does)');

// ------------------------------------------------------------------------------------------
// Tools

const aeturnis = (args, { cli = CLI, ...options } = {}) => runProcess(NODE, [cli, ...args], { cwd: CWD, env, ...options });

/**
 * With --compare PATH (another build's bin/aeturnis-db.js, e.g. before a change), every
 * aeturnis-db case is measured a second time with that build, in the same rounds.
 */
function withCompared(cases) {
  if (!COMPARE) return cases;
  const out = [];
  for (const c of cases) {
    out.push(c);
    if (c.tool === 'aeturnis-db')
      out.push({ ...c, id: `${c.id}-compared`, label: `${c.label} [compared build]`, cli: COMPARE, compared: true });
  }
  return out;
}
const psql = (url, args, options = {}) =>
  runProcess(PSQL, ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...args], { cwd: CWD, env, ...options });

function dbmateUrl(url) {
  const u = new URL(url);
  if (!u.searchParams.has('sslmode')) u.searchParams.set('sslmode', 'disable');
  return u.toString();
}

function postgratorConnectionArgs(url) {
  const u = new URL(url);
  const args = [
    '-r',
    'pg',
    '-h',
    u.hostname || '127.0.0.1',
    '-o',
    u.port || '5432',
    '-d',
    decodeURIComponent(u.pathname.slice(1)),
    '-u',
    decodeURIComponent(u.username || 'postgres'),
  ];
  if (u.password) args.push('-p', decodeURIComponent(u.password));
  return args;
}

// ------------------------------------------------------------------------------------------
// Measuring

const results = [];
const notes = [];
/** The audit trigger's own table (ops/s, µs per update), printed after the main one. */
let auditReport;
/** The drift scenario's own table (two ratios), printed after the main one. */
let driftReport;
let partitionLoad; // the partition-load scenario's own results (latencies per phase, not one time per run)

/**
 * Measures a group of cases round-robin (round 1 of every case, then round 2, ...), so that a
 * noisy stretch of the machine hits every tool alike. The first round is a warm-up (page cache,
 * server caches) and is not recorded. Each case: { id, group, tool, label, n, runs?, setup?,
 * run(ctx) -> {ms, peakRssKb}, check?(ctx), teardown?(ctx), ref? }.
 */
async function measure(groupName, allCases) {
  const cases = allCases.filter((c) => !SKIP.some((token) => c.id.includes(token)));
  for (const c of cases) {
    c.samples = [];
    c.rss = [];
  }
  const started = Date.now();
  for (let round = -1; round < RUNS; round++) {
    for (const c of cases) {
      if (round >= (c.runs ?? RUNS)) continue;
      const ctx = c.setup ? await c.setup() : {};
      try {
        const r = await c.run(ctx, c.cli);
        if (c.check) {
          try {
            await c.check(ctx, r);
          } catch (error) {
            // A compared (older) build may well fail a check: note it, keep measuring.
            if (!c.compared) throw error;
            const note = `${c.label}: ${String(error.message).split('\n')[0].slice(0, 160)}`;
            if (!notes.includes(note)) notes.push(note);
          }
        }
        if (round >= 0) {
          c.samples.push(r.ms);
          if (r.peakRssKb) c.rss.push(r.peakRssKb);
        }
      } finally {
        if (c.teardown) await c.teardown(ctx);
      }
    }
    log(`  ${groupName}: ${round < 0 ? 'warm-up' : `round ${round + 1}/${RUNS}`} done (${((Date.now() - started) / 1000).toFixed(0)} s)`);
  }
  for (const c of cases) {
    const s = stats(c.samples);
    results.push({
      id: c.id,
      ...(c.compared ? { compared: true } : {}),
      group: c.group,
      tool: c.tool,
      label: c.label,
      n: c.n ?? null,
      ref: c.ref ?? null,
      runs: s.n,
      medianMs: round1(s.median),
      minMs: round1(s.min),
      maxMs: round1(s.max),
      perMigrationMs: c.n ? round2(s.median / c.n) : null,
      samplesMs: c.samples.map(round1),
      ...(c.rss.length
        ? {
            peakRssMb: {
              median: round1(stats(c.rss).median / 1024),
              max: round1(stats(c.rss).max / 1024),
              samples: c.rss.map((kb) => round1(kb / 1024)),
            },
          }
        : {}),
    });
  }
}

const round1 = (x) => Math.round(x * 10) / 10;
const round2 = (x) => Math.round(x * 100) / 100;
const byId = (id) => results.find((r) => r.id === id);

async function expectTable(server, db, table, present = true) {
  const rows = await server.query(db.name, 'SELECT to_regclass($1) IS NOT NULL AS present', [table]);
  if (rows[0].present !== present)
    throw new Error(`sanity check failed: table ${table} ${present ? 'missing' : 'still present'} in ${db.name}`);
}

async function expectJournal(server, db, count, table = 'schema_migrations') {
  const rows = await server.query(db.name, `SELECT count(*)::int AS n FROM ${table}`);
  if (rows[0].n !== count) throw new Error(`sanity check failed: ${table} has ${rows[0].n} rows, expected ${count}`);
}

// ------------------------------------------------------------------------------------------

async function main() {
  const gnuTime = haveGnuTime();
  if (!gnuTime && ONLY.has('big')) {
    log('note: /usr/bin/time (GNU time) not found: peak RSS is not measured');
  }
  const server = new Server(BASE_URL);
  await server.connect();
  await server.dropOrphans();
  const peers = flags.peers ? ensurePeers(WORK, log) : undefined;
  const psqlVersion = spawnSync(PSQL, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const aeturnisVersion = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;
  const loadBefore = os.loadavg();
  const startedAt = new Date();
  log(
    `aeturnis-db ${aeturnisVersion} bench: ${RUNS} runs (+1 warm-up), N = ${SIZES.join(', ')}, PostgreSQL ${server.version}, ${psqlVersion}${peers ? `, peers: dbmate ${peers.dbmate.version}, node-pg-migrate ${peers.npm.version}, postgrator-cli ${peers.postgrator.version}` : ''}`,
  );

  const corpora = new Map();
  for (const n of SIZES) corpora.set(n, writeCorpus(join(WORK, `corpus-${n}`), corpusMigrations(n)));

  try {
    if (ONLY.has('up')) for (const n of SIZES) await benchUp(server, n, corpora.get(n), peers);
    if (ONLY.has('startup')) await benchStartup(server, corpora, peers);
    if (ONLY.has('embedded')) await benchEmbedded();
    if (ONLY.has('down')) for (const n of SIZES) await benchDown(server, n, corpora.get(n));
    if (ONLY.has('partitions')) await benchPartitions(server);
    if (ONLY.has('big')) await benchBig(server, gnuTime);
    if (ONLY.has('many')) await benchMany(server);
    if (ONLY.has('audit-trigger')) await benchAudit(server);
    if (ONLY.has('drift')) await benchDriftScenario(server);
    if (ONLY.has('partition-load')) await benchPartitionUpkeep(server);
  } finally {
    await server.dropOrphans().catch(() => {});
    await server.close();
  }

  const machine = {
    date: startedAt.toISOString(),
    durationS: Math.round((Date.now() - startedAt.getTime()) / 1000),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cpus: os.cpus().length,
    memoryGb: round1(os.totalmem() / 2 ** 30),
    loadAverage: { before: loadBefore.map(round2), after: os.loadavg().map(round2) },
    node: process.version,
    postgres: server.version,
    postgresSettings: server.settings,
    psql: psqlVersion,
    aeturnisDb: aeturnisVersion,
    peers: peers
      ? {
          dbmate: peers.dbmate.version,
          'node-pg-migrate': peers.npm.version,
          'postgrator-cli': peers.postgrator.version,
          postgrator: peers.postgrator.core,
          pg: peers.pg,
        }
      : null,
    database: new URL(BASE_URL).host,
  };
  const table = renderTable();
  const targets = checkTargets();
  const slopes = upSlopes();
  process.stdout.write(`${results.length ? `\n${table.text}\n` : ''}\n${renderTargets(targets)}\n`);
  if (slopes.length) process.stdout.write(`\n${renderSlopes(slopes)}\n`);
  if (auditReport) process.stdout.write(`\nThe audit trail's cost per UPDATE (medians, same connection, same run):\n${auditReport}\n`);
  if (driftReport) process.stdout.write(`\nDrift (whole processes, same run; ratio to the line above it):\n${driftReport}\n`);
  if (partitionLoad) process.stdout.write(`\n${partitionLoadSummary()}\n`);
  if (notes.length) process.stdout.write(`\n${notes.map((n) => `note: ${n}`).join('\n')}\n`);
  process.stdout.write(
    `\n${machine.cpus} × ${machine.cpu}, ${machine.memoryGb} GB, ${machine.platform}; Node ${machine.node}; PostgreSQL ${machine.postgres} on ${machine.database}; load average ${machine.loadAverage.before[0]} → ${machine.loadAverage.after[0]}${results.length ? `; ${RUNS} runs each (+1 warm-up)` : ''}\n`,
  );
  if (flags.markdown && results.length) process.stdout.write(`\n${table.markdown}\n`);
  if (flags.markdown && partitionLoad) process.stdout.write(`\n${partitionLoadTable(partitionLoad).markdown}\n`);
  mkdirSync(join(OUT, '..'), { recursive: true });
  writeFileSync(
    OUT,
    `${JSON.stringify(
      {
        machine,
        config: {
          runs: RUNS,
          warmup: 1,
          sizes: SIZES,
          bigMb: BIG_MB,
          manyFiles: MANY,
          partitionsAhead: PARTITIONS_AHEAD,
          partitionLoadRuns: PARTITION_LOAD_RUNS,
          quick,
        },
        results,
        upSlopes: slopes,
        ...(partitionLoad ? { partitionLoad } : {}),
        targets,
        notes,
        table: table.markdown,
      },
      null,
      2,
    )}\n`,
  );
  log(`\nwrote ${relative(process.cwd(), OUT) || OUT}`);
  // A build under test that lost or duplicated rows fails the run, as the other sanity checks do.
  if (partitionLoad?.runs.some((r) => !r.compared && !r.check.ok)) process.exitCode = 1;
}

// ------------------------------------------------------------------------------------------
// up of all N, against the psql baselines and the peers

async function benchUp(server, n, corpus, peers) {
  log(`up of ${n} migrations`);
  const fresh = async () => ({ db: await server.createDatabase() });
  const drop = async (ctx) => ctx.db?.drop();
  const last = lastTableOf(n);
  const cases = [
    {
      id: `up-${n}-aeturnis`,
      group: 'up',
      tool: 'aeturnis-db',
      label: 'aeturnis-db up',
      n,
      ref: `up-${n}-psql-txn`,
      setup: fresh,
      teardown: drop,
      run: (ctx, cli) => aeturnis(['up', '--database-url', ctx.db.url, '--dir', corpus.dirs.aeturnis], { cli }),
      check: async (ctx) => {
        await expectTable(server, ctx.db, last);
        await expectJournal(server, ctx.db, n);
      },
    },
    {
      id: `up-${n}-psql-files`,
      group: 'up',
      tool: 'psql',
      label: 'psql -1 -f, one process per file',
      n,
      ref: `up-${n}-psql-txn`,
      setup: fresh,
      teardown: drop,
      run: async (ctx) => {
        const started = process.hrtime.bigint();
        for (const file of corpus.psqlUpFiles) await psql(ctx.db.url, ['-1', '-f', file]);
        return { ms: Number(process.hrtime.bigint() - started) / 1e6 };
      },
      check: (ctx) => expectTable(server, ctx.db, last),
    },
    {
      id: `up-${n}-psql-txn`,
      group: 'up',
      tool: 'psql',
      label: 'psql, one connection, BEGIN/COMMIT per file (the limit)',
      n,
      ref: `up-${n}-psql-txn`,
      setup: fresh,
      teardown: drop,
      run: (ctx) => psql(ctx.db.url, ['-f', corpus.scripts.perTxnUp]),
      check: (ctx) => expectTable(server, ctx.db, last),
    },
    {
      id: `up-${n}-node-pg`,
      group: 'up',
      tool: 'node',
      label: 'node + pg, a bare loop: BEGIN+file, COMMIT (the Node floor)',
      n,
      ref: `up-${n}-psql-txn`,
      setup: fresh,
      teardown: drop,
      run: (ctx) => runProcess(NODE, [BARE_PG, ctx.db.url, corpus.dirs.psql], { cwd: CWD, env }),
      check: (ctx) => expectTable(server, ctx.db, last),
    },
    {
      id: `up-${n}-psql-one`,
      group: 'up',
      tool: 'psql',
      label: 'psql -1, all files in one transaction (the floor)',
      n,
      ref: `up-${n}-psql-txn`,
      setup: fresh,
      teardown: drop,
      run: (ctx) => psql(ctx.db.url, ['-1', '-f', corpus.scripts.allUp]),
      check: (ctx) => expectTable(server, ctx.db, last),
    },
  ];
  if (peers) {
    cases.push(
      {
        id: `up-${n}-dbmate`,
        group: 'up',
        tool: 'dbmate',
        label: `dbmate ${peers.dbmate.version} up (the Go binary itself)`,
        n,
        ref: `up-${n}-psql-txn`,
        peer: true,
        setup: fresh,
        teardown: drop,
        run: (ctx) =>
          runProcess(peers.dbmate.bin, ['--url', dbmateUrl(ctx.db.url), '--migrations-dir', corpus.dirs.dbmate, '--no-dump-schema', 'up'], {
            cwd: CWD,
            env,
          }),
        check: (ctx) => expectTable(server, ctx.db, last),
      },
      {
        id: `up-${n}-dbmate-npm`,
        group: 'up',
        tool: 'dbmate',
        label: `dbmate ${peers.dbmate.version} up, via its npm package (node_modules/.bin/dbmate)`,
        n,
        ref: `up-${n}-psql-txn`,
        peer: true,
        setup: fresh,
        teardown: drop,
        run: (ctx) =>
          runProcess(
            NODE,
            [peers.dbmate.shim, '--url', dbmateUrl(ctx.db.url), '--migrations-dir', corpus.dirs.dbmate, '--no-dump-schema', 'up'],
            { cwd: CWD, env },
          ),
        check: (ctx) => expectTable(server, ctx.db, last),
      },
      {
        id: `up-${n}-npm`,
        group: 'up',
        tool: 'node-pg-migrate',
        label: `node-pg-migrate ${peers.npm.version} up (default: one transaction)`,
        n,
        ref: `up-${n}-psql-txn`,
        peer: true,
        setup: fresh,
        teardown: drop,
        run: (ctx) =>
          runProcess(NODE, [peers.npm.script, 'up', '-m', corpus.dirs.npm], { cwd: CWD, env: { ...env, DATABASE_URL: ctx.db.url } }),
        check: (ctx) => expectTable(server, ctx.db, last),
      },
      {
        id: `up-${n}-npm-each`,
        group: 'up',
        tool: 'node-pg-migrate',
        label: `node-pg-migrate ${peers.npm.version} up --no-single-transaction`,
        n,
        ref: `up-${n}-psql-txn`,
        peer: true,
        setup: fresh,
        teardown: drop,
        run: (ctx) =>
          runProcess(NODE, [peers.npm.script, 'up', '--no-single-transaction', '-m', corpus.dirs.npm], {
            cwd: CWD,
            env: { ...env, DATABASE_URL: ctx.db.url },
          }),
        check: (ctx) => expectTable(server, ctx.db, last),
      },
      {
        id: `up-${n}-postgrator`,
        group: 'up',
        tool: 'postgrator-cli',
        label: `postgrator-cli ${peers.postgrator.version} migrate`,
        n,
        ref: `up-${n}-psql-txn`,
        peer: true,
        setup: fresh,
        teardown: drop,
        run: (ctx) =>
          runProcess(
            NODE,
            [peers.postgrator.script, '--no-config', ...postgratorConnectionArgs(ctx.db.url), '-m', `${corpus.dirs.postgrator}/*`, 'max'],
            { cwd: CWD, env },
          ),
        check: (ctx) => expectTable(server, ctx.db, last),
      },
    );
  }
  await measure(`up ${n}`, withCompared(cases));
  for (const c of cases) if (c.peer && byId(c.id)) byId(c.id).peer = true; // a case left out by --skip has no result
}

// ------------------------------------------------------------------------------------------
// Start-up: node -e 0, --help, status with nothing pending (and dbmate status)

async function benchStartup(server, corpora, peers) {
  log('start-up: node -e 0, --help, status with nothing pending');
  const dbs = [];
  const cases = [
    {
      id: 'node-floor',
      group: 'startup',
      tool: 'node',
      label: "node -e 0 (Node's own floor)",
      run: () => runProcess(NODE, ['-e', '0'], { cwd: CWD, env }),
    },
    { id: 'help', group: 'startup', tool: 'aeturnis-db', label: 'aeturnis-db --help', run: (_ctx, cli) => aeturnis(['--help'], { cli }) },
    // The layers of start-up, for "where the time goes": what loading commander and pg cost alone.
    {
      id: 'node-commander',
      group: 'startup',
      tool: 'node',
      label: "node: import('commander') only",
      run: () => runProcess(NODE, ['--input-type=module', '-e', "await import('commander')"], { cwd: CWD, env }),
    },
    {
      id: 'node-pg',
      group: 'startup',
      tool: 'node',
      label: "node: import('pg') only (navigator defined, as the CLI does)",
      run: () =>
        runProcess(
          NODE,
          [
            '--input-type=module',
            '-e',
            "Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Node.js' }, configurable: true }); await import('pg')",
          ],
          { cwd: CWD, env },
        ),
    },
    {
      id: 'version',
      group: 'startup',
      tool: 'aeturnis-db',
      label: 'aeturnis-db --version',
      run: (_ctx, cli) => aeturnis(['--version'], { cli }),
    },
  ];
  try {
    for (const [n, corpus] of corpora) {
      const db = await server.createDatabase();
      dbs.push(db);
      await aeturnis(['up', '--database-url', db.url, '--dir', corpus.dirs.aeturnis]);
      cases.push({
        id: `status-${n}-aeturnis`,
        group: 'status',
        tool: 'aeturnis-db',
        label: 'aeturnis-db status (nothing pending)',
        n,
        ref: peers ? `status-${n}-dbmate` : null,
        run: (_ctx, cli) => aeturnis(['status', '--database-url', db.url, '--dir', corpus.dirs.aeturnis], { cli }),
        check: (_ctx, r) => {
          if (!r.stdout.includes(`${n} applied, 0 pending`)) throw new Error(`status output unexpected: ${r.stdout.slice(-200)}`);
        },
      });
      // What the first run of a command pays (or every run where no cache can be written).
      cases.push({
        id: `status-${n}-aeturnis-no-cache`,
        group: 'status',
        tool: 'aeturnis-db',
        label: 'aeturnis-db status (nothing pending), AETURNIS_COMPILE_CACHE=off',
        n,
        run: (_ctx, cli) =>
          aeturnis(['status', '--database-url', db.url, '--dir', corpus.dirs.aeturnis], {
            cli,
            env: { ...env, AETURNIS_COMPILE_CACHE: 'off' },
          }),
      });
      if (peers) {
        const dbm = await server.createDatabase();
        dbs.push(dbm);
        await runProcess(
          peers.dbmate.bin,
          ['--url', dbmateUrl(dbm.url), '--migrations-dir', corpus.dirs.dbmate, '--no-dump-schema', 'up'],
          { cwd: CWD, env },
        );
        cases.push({
          id: `status-${n}-dbmate`,
          group: 'status',
          tool: 'dbmate',
          label: `dbmate ${peers.dbmate.version} status (the Go binary itself)`,
          n,
          peer: true,
          run: () =>
            runProcess(peers.dbmate.bin, ['--url', dbmateUrl(dbm.url), '--migrations-dir', corpus.dirs.dbmate, 'status'], {
              cwd: CWD,
              env,
            }),
          check: (_ctx, r) => {
            if (!/Pending: 0/.test(r.stdout)) throw new Error(`dbmate status output unexpected: ${r.stdout.slice(-200)}`);
          },
        });
        cases.push({
          id: `status-${n}-dbmate-npm`,
          group: 'status',
          tool: 'dbmate',
          label: `dbmate ${peers.dbmate.version} status, via its npm package`,
          n,
          peer: true,
          run: () =>
            runProcess(NODE, [peers.dbmate.shim, '--url', dbmateUrl(dbm.url), '--migrations-dir', corpus.dirs.dbmate, 'status'], {
              cwd: CWD,
              env,
            }),
        });
      }
    }
    await measure('start-up', withCompared(cases));
    for (const c of cases) if (c.peer && byId(c.id)) byId(c.id).peer = true; // a case left out by --skip has no result
  } finally {
    for (const db of dbs) await db.drop();
  }
}

// ------------------------------------------------------------------------------------------
// The embedded database (no DATABASE_URL): first up in a fresh checkout, status on an existing one

async function benchEmbedded() {
  log('embedded database: first up in a fresh checkout, status on an existing database');
  // A checkout: the repository's own migrations and seeds, nothing else (no .env, no database).
  const checkout = (name) => {
    const dir = join(WORK, name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const sub of ['migrations', 'seeds']) cpSync(join(ROOT, sub), join(dir, sub), { recursive: true });
    return dir;
  };
  const shipped = readdirSqlCount(join(ROOT, 'migrations'));
  const existing = checkout('embedded-existing');
  await aeturnis(['up'], { cwd: existing });
  await measure(
    'embedded',
    withCompared([
      {
        id: 'embedded-first-up',
        group: 'embedded',
        tool: 'aeturnis-db',
        label: `aeturnis-db up, fresh checkout, embedded database created (${shipped} shipped migrations)`,
        setup: async () => ({ dir: checkout('embedded-fresh') }),
        run: (ctx, cli) => aeturnis(['up'], { cli, cwd: ctx.dir, rss: haveGnuTime() }),
        check: (_ctx, r) => {
          if (!/creating an embedded database/.test(r.stdout) || !/Applied \d+ migrations?/.test(r.stdout))
            throw new Error(`first up output unexpected: ${r.stdout.slice(-300)}`);
        },
      },
      {
        id: 'embedded-status',
        group: 'embedded',
        tool: 'aeturnis-db',
        label: 'aeturnis-db status, existing embedded database (nothing pending)',
        run: (_ctx, cli) => aeturnis(['status'], { cli, cwd: existing, rss: haveGnuTime() }),
        check: (_ctx, r) => {
          if (!r.stdout.includes(`${shipped} applied, 0 pending`))
            throw new Error(`embedded status output unexpected: ${r.stdout.slice(-300)}`);
        },
      },
    ]),
  );
}

function readdirSqlCount(dir) {
  return readdirSync(dir).filter((f) => f.endsWith('.sql')).length;
}

// ------------------------------------------------------------------------------------------
// down of all N

async function benchDown(server, n, corpus) {
  log(`down of ${n} migrations`);
  const last = lastTableOf(n);
  const cases = [
    {
      id: `down-${n}-aeturnis`,
      group: 'down',
      tool: 'aeturnis-db',
      label: 'aeturnis-db down --to 0',
      n,
      ref: `down-${n}-psql-txn`,
      setup: async () => {
        const db = await server.createDatabase();
        await aeturnis(['up', '--database-url', db.url, '--dir', corpus.dirs.aeturnis]);
        return { db };
      },
      teardown: (ctx) => ctx.db.drop(),
      run: (ctx, cli) => aeturnis(['down', '--to', '0', '--database-url', ctx.db.url, '--dir', corpus.dirs.aeturnis], { cli }),
      check: async (ctx) => {
        await expectTable(server, ctx.db, last, false);
        await expectJournal(server, ctx.db, 0);
      },
    },
    {
      id: `down-${n}-psql-txn`,
      group: 'down',
      tool: 'psql',
      label: 'psql, one connection, BEGIN/COMMIT per file (the limit)',
      n,
      ref: `down-${n}-psql-txn`,
      setup: async () => {
        const db = await server.createDatabase();
        await psql(db.url, ['-1', '-f', corpus.scripts.allUp]);
        return { db };
      },
      teardown: (ctx) => ctx.db.drop(),
      run: (ctx) => psql(ctx.db.url, ['-f', corpus.scripts.perTxnDown]),
      check: (ctx) => expectTable(server, ctx.db, last, false),
    },
  ];
  await measure(`down ${n}`, withCompared(cases));
}

// ------------------------------------------------------------------------------------------
// partitions --ahead 24 on an empty audit_log

async function benchPartitions(server) {
  log(`partitions --ahead ${PARTITIONS_AHEAD} on an empty audit_log`);
  const sqlFile = join(WORK, 'partitions.sql');
  writeFileSync(sqlFile, partitionsSql(PARTITIONS_AHEAD));
  const fresh = async () => {
    const db = await server.createDatabase();
    await server.query(db.name, AUDIT_LOG_DDL);
    // Upkeep manages registered tables only (untimed; a build before the registry ignores it).
    await aeturnis(['partitions', 'register', 'audit_log', '--database-url', db.url]); // throws on a non-zero exit
    return { db };
  };
  const expectPartitions = async (ctx) => {
    const rows = await server.query(ctx.db.name, `SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit_log'::regclass`);
    if (rows[0].n !== PARTITIONS_AHEAD + 2)
      throw new Error(`sanity check failed: audit_log has ${rows[0].n} partitions, expected ${PARTITIONS_AHEAD + 2}`);
  };
  await measure(
    'partitions',
    withCompared([
      {
        id: 'partitions-aeturnis',
        group: 'partitions',
        tool: 'aeturnis-db',
        label: `aeturnis-db partitions --ahead ${PARTITIONS_AHEAD}`,
        ref: 'partitions-psql',
        setup: fresh,
        teardown: (ctx) => ctx.db.drop(),
        check: expectPartitions,
        run: (ctx, cli) => aeturnis(['partitions', '--ahead', String(PARTITIONS_AHEAD), '--database-url', ctx.db.url], { cli }),
      },
      {
        id: 'partitions-psql',
        group: 'partitions',
        tool: 'psql',
        label: `psql -1: the same ${PARTITIONS_AHEAD + 1} CREATE TABLE ... PARTITION OF`,
        ref: 'partitions-psql',
        setup: fresh,
        teardown: (ctx) => ctx.db.drop(),
        check: expectPartitions,
        run: (ctx) => psql(ctx.db.url, ['-1', '-f', sqlFile]),
      },
    ]),
  );
}

// ------------------------------------------------------------------------------------------
// partitions --ahead 9 moving 200,000 rows out of the default partition under load (issue 23)

async function benchPartitionUpkeep(server) {
  log(
    `partition upkeep under load: ${LOAD.preloadRows} rows in audit_log_default, ${LOAD.writers} writers × ${LOAD.writerRate}/s, ${LOAD.readers} readers × ${LOAD.readerRate}/s, partitions --ahead ${LOAD.ahead} (${PARTITION_LOAD_RUNS} runs)`,
  );
  const builds = [{ label: 'this build', cli: CLI, compared: false }];
  if (COMPARE) builds.push({ label: 'compared build', cli: COMPARE, compared: true });
  partitionLoad = await benchPartitionLoad({
    server,
    aeturnis,
    migrationsDir: join(ROOT, 'migrations'),
    builds,
    runs: PARTITION_LOAD_RUNS,
    log,
  });
}

function partitionLoadSummary() {
  const lines = [
    `partitions --ahead ${LOAD.ahead} under load (latency from send to result; p50/p99 the median of runs, max the worst run):`,
    partitionLoadTable(partitionLoad).text,
  ];
  for (const r of partitionLoad.runs) {
    if (r.maintenance.exitCode !== 0)
      lines.push(`note: ${r.build}, run ${r.round}: partitions exited ${r.maintenance.exitCode}: ${r.maintenance.stderr.split('\n')[0]}`);
    for (const problem of r.check.problems) lines.push(`note: ${r.build}, run ${r.round}: ${problem}`);
    for (const [phase, p] of Object.entries(r.phases))
      for (const kind of ['writer', 'reader'])
        if (p[kind].errors)
          lines.push(`note: ${r.build}, run ${r.round}, ${phase}: ${p[kind].errors} ${kind} errors, first: ${p[kind].firstError}`);
  }
  const last = partitionLoad.runs[partitionLoad.runs.length - 1];
  lines.push(`partitions after the last run (${last.build}): ${last.check.partitions.join(', ')}`);
  return lines.join('\n');
}

// ------------------------------------------------------------------------------------------
// one big migration: wall time and peak RSS

async function benchBig(server, gnuTime) {
  const big = writeBigMigration(join(WORK, `big-${BIG_MB}mb`), BIG_MB);
  log(`up of one ${(big.bytes / 2 ** 20).toFixed(1)} MB migration (${big.statements} statements)`);
  const fresh = async () => ({ db: await server.createDatabase() });
  const expectRows = async (ctx) => {
    const rows = await server.query(ctx.db.name, 'SELECT count(*)::int AS n FROM big_import');
    if (rows[0].n !== big.statements - 1) throw new Error(`sanity check failed: big_import has ${rows[0].n} rows`);
  };
  await measure(
    'big migration',
    withCompared([
      {
        id: 'big-aeturnis',
        group: 'big',
        tool: 'aeturnis-db',
        label: `aeturnis-db up, one ${BIG_MB} MB migration`,
        ref: 'big-psql',
        setup: fresh,
        teardown: (ctx) => ctx.db.drop(),
        check: expectRows,
        run: (ctx, cli) => aeturnis(['up', '--database-url', ctx.db.url, '--dir', big.aeturnisDir], { rss: gnuTime, cli }),
      },
      {
        id: 'big-psql',
        group: 'big',
        tool: 'psql',
        label: `psql -1 -f, the same ${BIG_MB} MB (statement by statement)`,
        ref: 'big-psql',
        runs: BIG_PSQL_RUNS,
        setup: fresh,
        teardown: (ctx) => ctx.db.drop(),
        check: expectRows,
        run: (ctx) => psql(ctx.db.url, ['-1', '-f', big.psqlFile], { rss: gnuTime }),
      },
    ]),
  );
  byId('big-aeturnis').bytes = big.bytes;
  if (BIG_PSQL_RUNS < RUNS) notes.push(`psql on the ${BIG_MB} MB file is a reference only: ${BIG_PSQL_RUNS} runs`);
}

// ------------------------------------------------------------------------------------------
// status with MANY files, half of them applied

async function benchMany(server) {
  const dir = writeManyMigrations(join(WORK, `many-${MANY}`), MANY);
  const applied = Math.floor(MANY / 2);
  log(`status with ${MANY} migration files (${applied} applied): applying ${applied} first ...`);
  const db = await server.createDatabase();
  try {
    await aeturnis(['up', '--to', String(applied), '--database-url', db.url, '--dir', dir]);
    await expectJournal(server, db, applied);
    await measure(
      `status, ${MANY} files`,
      withCompared([
        {
          id: 'many-status',
          group: 'many',
          tool: 'aeturnis-db',
          label: `aeturnis-db status, ${MANY} files (${applied} applied)`,
          n: MANY,
          run: (_ctx, cli) => aeturnis(['status', '--database-url', db.url, '--dir', dir], { cli }),
          check: (_ctx, r) => {
            if (!r.stdout.includes(`${applied} applied, ${MANY - applied} pending`))
              throw new Error(`status output unexpected: ${r.stdout.slice(-200)}`);
          },
        },
        {
          id: 'many-status-json',
          group: 'many',
          tool: 'aeturnis-db',
          label: `aeturnis-db status --json, ${MANY} files (${applied} applied)`,
          n: MANY,
          run: (_ctx, cli) => aeturnis(['status', '--json', '--database-url', db.url, '--dir', dir], { cli }),
        },
      ]),
    );
  } finally {
    await db.drop();
  }
}

// ------------------------------------------------------------------------------------------
// The audit trail's cost per UPDATE (bench/audit-trigger.mjs): in-process, one connection

async function benchAudit(server) {
  const updates = quick ? 1000 : 5000;
  log(`audit trigger: ${updates} rows of users updated per round (one by one, then in bulk), trigger disabled / enabled`);
  const audit = await benchAuditTrigger(server, { runs: RUNS, updates, log });
  for (const r of audit) results.push({ ...r, group: 'audit-trigger', tool: 'postgres', ref: null, runs: r.samplesMs.length });
  auditReport = renderAuditTrigger(audit);
}

// drift on the 300-migration corpus vs up, fleet drift vs fleet status (bench/drift.mjs)

async function benchDriftScenario(server) {
  const fleetSize = Number(flags['drift-fleet'] ?? (quick ? 10 : 200));
  const options = { runs: Math.min(RUNS, quick ? 1 : 3), migrations: quick ? 50 : 300, fleetSize, fleetMigrations: 20 };
  const { report } = await benchDrift(server, { ...options, work: WORK, cli: CLI, node: NODE, env, log });
  driftReport = report;
}

// ------------------------------------------------------------------------------------------
// Reporting

function renderTable() {
  const head = ['benchmark', 'tool', 'N', 'median', 'min', 'max', 'per migration', 'vs psql limit'];
  const align = ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r'];
  const rows = [];
  const groupTitle = {
    up: 'up',
    startup: 'start-up',
    status: 'status',
    embedded: 'embedded',
    down: 'down',
    partitions: 'partitions',
    big: 'one big migration',
    many: 'many files',
    'audit-trigger': 'audit trigger',
  };
  for (const r of results) {
    const ref = r.ref && (r.group === 'up' || r.group === 'down') ? byId(r.ref) : undefined;
    const ratio = ref ? `${(r.medianMs / ref.medianMs).toFixed(2)}x` : '—';
    let label = r.label;
    if (r.peakRssMb) label += ` (peak RSS ${r.peakRssMb.median} MB, max ${r.peakRssMb.max} MB)`;
    if (r.runs !== RUNS) label += ` [${r.runs} runs]`;
    rows.push([
      groupTitle[r.group] ?? r.group,
      label,
      r.n ?? '',
      fmtMs(r.medianMs),
      fmtMs(r.minMs),
      fmtMs(r.maxMs),
      r.perMigrationMs !== null && (r.group === 'up' || r.group === 'down') ? `${r.perMigrationMs.toFixed(2)} ms` : '—',
      ratio,
    ]);
  }
  return { text: textTable(head, rows, align), markdown: markdownTable(head, rows, align) };
}

function checkTargets() {
  const targets = [];
  const add = (name, met, detail) => targets.push({ name, met, detail });
  const floor = byId('node-floor');
  /** A start-up target: at most `budget` ms over Node's own floor (`node -e 0`), same rounds. */
  const overFloor = (name, r, budget) => {
    if (!r || !floor) return;
    const over = r.medianMs - floor.medianMs;
    add(
      name,
      over <= budget,
      `node -e 0 + ${over.toFixed(0)} ms (${fmtMs(r.medianMs)} vs ${fmtMs(floor.medianMs)}, ${(r.medianMs / floor.medianMs).toFixed(2)}x)`,
    );
  };
  /** A target of absolute time: the median under `boundMs` (with peak RSS where it was measured). */
  const underMs = (name, r, boundMs) => {
    if (r) add(name, r.medianMs < boundMs, `${fmtMs(r.medianMs)}${rssNote(r)}`);
  };
  const ratioOf = (a, b) => `${(a.medianMs / b.medianMs).toFixed(2)}x (${fmtMs(a.medianMs)} vs ${fmtMs(b.medianMs)})`;

  overFloor('--help within node -e 0 + 20 ms', byId('help'), 20);
  overFloor('--version within node -e 0 + 20 ms', byId('version'), 20);
  for (const n of SIZES) {
    const st = byId(`status-${n}-aeturnis`);
    overFloor(`status (N=${n}, nothing pending) within node -e 0 + 50 ms`, st, 50);
    for (const [suffix, how] of [
      ['dbmate-npm', 'as installed from npm (node_modules/.bin/dbmate)'],
      ['dbmate', 'its Go binary run directly'],
    ]) {
      const dbm = byId(`status-${n}-${suffix}`);
      if (st && dbm)
        add(`status (N=${n}, nothing pending) within 2x dbmate status, ${how}`, st.medianMs / dbm.medianMs <= 2, ratioOf(st, dbm));
    }
  }

  const nUp = SIZES.includes(300) ? 300 : Math.max(...SIZES);
  const upA = byId(`up-${nUp}-aeturnis`);
  const upLimit = byId(`up-${nUp}-psql-txn`);
  if (upA && upLimit) {
    const bare = byId(`up-${nUp}-node-pg`);
    const bareNote = bare
      ? `; a bare node + pg loop (no CLI, no journal): ${(bare.medianMs / upLimit.medianMs).toFixed(2)}x the limit, aeturnis-db ${(upA.medianMs / bare.medianMs).toFixed(2)}x that`
      : '';
    add(
      `up of ${nUp} within 1.35x the psql per-transaction limit`,
      upA.medianMs / upLimit.medianMs <= 1.35,
      `${ratioOf(upA, upLimit)}${bareNote}`,
    );
  }
  const dbmateUp = byId(`up-${nUp}-dbmate`);
  if (upA && dbmateUp) add(`up of ${nUp} no slower than dbmate (its Go binary)`, upA.medianMs <= dbmateUp.medianMs, ratioOf(upA, dbmateUp));
  else if (upA) add(`up of ${nUp} no slower than dbmate (its Go binary)`, null, 'peers not measured (run with --peers)');
  const peerUps = results.filter((r) => r.group === 'up' && r.peer && r.n === nUp && r.id !== `up-${nUp}-dbmate`);
  if (upA && peerUps.length) {
    add(
      `up of ${nUp} faster than the Node peers`,
      peerUps.every((p) => p.medianMs > upA.medianMs),
      peerUps.map((p) => `${p.label.split(' (')[0]} ${(p.medianMs / upA.medianMs).toFixed(2)}x ours`).join(', '),
    );
  }

  underMs('embedded database: status on an existing ./.aeturnis/db under 1 s', byId('embedded-status'), 1000);
  underMs('embedded database: first up in a fresh checkout under 5 s', byId('embedded-first-up'), 5000);

  const big = byId('big-aeturnis');
  if (big?.peakRssMb) {
    add(
      `peak RSS of up on one ${BIG_MB} MB migration under 120 MB`,
      big.peakRssMb.max < 120,
      `${big.peakRssMb.max} MB at most (median ${big.peakRssMb.median} MB)`,
    );
  }
  underMs(`status with ${MANY} files under 1 s`, byId('many-status'), 1000);
  if (partitionLoad) targets.push(...partitionLoadTargets(partitionLoad));
  return targets;
}

function rssNote(r) {
  return r.peakRssMb ? `, peak RSS ${r.peakRssMb.median} MB` : '';
}

/**
 * Where `up`'s time goes: with two corpus sizes, each tool's median time is split into a fixed
 * cost (start-up, connecting, creating its journal: the intercept) and a cost per migration (the
 * slope between the two sizes), so start-up and per-migration work can be compared separately.
 */
function upSlopes() {
  if (SIZES.length < 2) return [];
  const small = Math.min(...SIZES);
  const big = Math.max(...SIZES);
  const rows = [];
  for (const r of results.filter((x) => x.group === 'up' && x.n === big)) {
    const suffix = r.id.slice(`up-${big}-`.length);
    const s = byId(`up-${small}-${suffix}`);
    if (!s || suffix === 'psql-files') continue;
    const slope = (r.medianMs - s.medianMs) / (big - small);
    rows.push({ id: suffix, label: r.label, perMigrationMs: round2(slope), fixedMs: round1(s.medianMs - slope * small) });
  }
  return rows;
}

function renderSlopes(rows) {
  if (!rows.length) return '';
  const sizes = `${Math.min(...SIZES)} → ${Math.max(...SIZES)}`;
  return `up, split into a fixed cost and a cost per migration (from the medians at N = ${sizes}):\n${textTable(
    ['tool', 'fixed (start-up, connect, journal)', 'per migration'],
    rows.map((r) => [r.label, fmtMs(r.fixedMs), `${r.perMigrationMs.toFixed(2)} ms`]),
    ['l', 'r', 'r'],
  )}`;
}

function renderTargets(targets) {
  const mark = (met) => (met === null ? '[n/a]   ' : met ? '[met]   ' : '[MISSED]');
  return ['Targets', ...targets.map((t) => `  ${mark(t.met)} ${t.name}: ${t.detail}`)].join('\n');
}

main().catch((error) => {
  log(`bench failed: ${error.stack ?? error}`);
  process.exit(1);
});
