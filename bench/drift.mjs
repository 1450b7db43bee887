// The drift scenario (bench/run.mjs --only drift), two ratios measured in one run:
//   drift on a 300-migration history vs `up` of the same history into an empty database
//   (the scratch build is an `up` of its own; target ≤ 2x), and
//   `drift --targets` on N databases sharing one history vs `status --targets` on them
//   (the expected schema is built once; target ≤ 3x).
// Whole processes, timed from spawn to exit; databases created and migrated untimed.

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corpusMigrations, writeCorpus } from './corpus.mjs';
import { fmtMs, runProcess, stats, textTable } from './lib.mjs';

/**
 * Runs both parts. `options`: { runs, migrations (the history of the first part, 300),
 * fleetSize (N), fleetMigrations (the fleet's history), work (a scratch directory), cli, node,
 * env, log }. Returns { results, report }.
 */
export async function benchDrift(server, options) {
  const { log } = options;
  const results = [];
  log(`drift: ${options.migrations} migrations, drift vs up into an empty database, ${options.runs} runs`);
  results.push(...(await singleDatabase(server, options)));
  log(`drift: fleet of ${options.fleetSize} databases sharing ${options.fleetMigrations} migrations, drift --targets vs status --targets`);
  results.push(...(await fleet(server, options)));
  return { results, report: render(results) };
}

async function singleDatabase(server, options) {
  const { dirs } = writeCorpus(join(options.work, 'drift-single'), corpusMigrations(options.migrations));
  const run = (url, command) =>
    runProcess(
      options.node,
      [options.cli, command, '--database-url', url, '--dir', dirs.aeturnis, ...(command === 'up' ? ['--no-partitions'] : [])],
      {
        env: options.env,
      },
    );
  const up = [];
  const drift = [];
  for (let i = 0; i < options.runs; i++) {
    const db = await server.createDatabase();
    try {
      up.push((await run(db.url, 'up')).ms);
      const result = await run(db.url, 'drift');
      if (!result.stdout.includes('No drift')) throw new Error(`drift found drift on a freshly migrated database:\n${result.stdout}`);
      drift.push(result.ms);
    } finally {
      await db.drop();
    }
  }
  return [
    {
      id: 'drift-up',
      group: 'drift',
      label: `up, ${options.migrations} migrations into an empty database`,
      n: options.migrations,
      ...summary(up),
    },
    {
      id: 'drift-single',
      group: 'drift',
      label: `drift, ${options.migrations} applied migrations`,
      n: options.migrations,
      ref: 'drift-up',
      ...summary(drift),
    },
  ];
}

async function fleet(server, options) {
  const root = join(options.work, 'drift-fleet');
  const { dirs } = writeCorpus(root, corpusMigrations(options.fleetMigrations));
  const databases = [];
  try {
    for (let i = 0; i < options.fleetSize; i++) databases.push(await server.createDatabase());
    writeFileSync(join(root, 'targets.txt'), databases.map((db, i) => `t${i + 1}=${db.url}`).join('\n'));
    const fleetRun = (command, extra = []) =>
      runProcess(options.node, [options.cli, command, '--targets', 'targets.txt', '--dir', dirs.aeturnis, ...extra], {
        cwd: root,
        env: options.env,
      });
    await fleetRun('up', ['--no-partitions', '--concurrency', '8']);
    const status = [];
    const drift = [];
    const fleetRuns = Math.min(options.runs, 3);
    for (let i = 0; i < fleetRuns; i++) {
      status.push((await fleetRun('status')).ms);
      const result = await fleetRun('drift');
      const builds = (result.stdout + result.stderr).match(/Built the expected schema/g)?.length ?? 0;
      if (builds !== 1) throw new Error(`fleet drift built the expected schema ${builds} times, not once`);
      drift.push(result.ms);
    }
    const n = options.fleetSize;
    return [
      { id: 'drift-fleet-status', group: 'drift', label: `status --targets, ${n} databases`, n, ...summary(status) },
      {
        id: 'drift-fleet',
        group: 'drift',
        label: `drift --targets, ${n} databases, one history (built once)`,
        n,
        ref: 'drift-fleet-status',
        ...summary(drift),
      },
    ];
  } finally {
    for (const db of databases) await db.drop();
  }
}

function summary(samplesMs) {
  const s = stats(samplesMs);
  return { medianMs: s.median, minMs: s.min, maxMs: s.max, samplesMs, runs: samplesMs.length };
}

function render(results) {
  const byId = new Map(results.map((r) => [r.id, r]));
  const rows = results.map((r) => {
    const ref = r.ref ? byId.get(r.ref) : undefined;
    return [r.label, fmtMs(r.medianMs), fmtMs(r.minMs), fmtMs(r.maxMs), ref ? `${(r.medianMs / ref.medianMs).toFixed(2)}x` : '—'];
  });
  return textTable(['drift', 'median', 'min', 'max', 'ratio'], rows, ['l', 'r', 'r', 'r', 'r']);
}
