#!/usr/bin/env node
// In-process timings of the pure functions whose speed users feel on big projects: the status
// table and the SQL splitter. The tests show these are linear by counting the work (no test
// times anything); this reports the times, and checks the budgets the tests used to assert.
//
//   npm run build && node bench/functions.mjs [--runs K]
//
// Needs no database. Exit 1 when a case's median is over its budget.

import { parseArgs } from 'node:util';
import { renderAsciiTable } from '../dist/cli/table.js';
import { splitSqlStatements } from '../dist/migrations/split.js';
import { fmtMs, stats, textTable } from './lib.mjs';

const { values: flags } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(flags.runs);
if (!Number.isInteger(runs) || runs < 1) {
  process.stderr.write(`--runs must be a whole number of at least 1, got ${flags.runs}\n`);
  process.exit(2);
}

const plain = { head: (s) => s, border: (s) => s };
const HEAD = ['Version', 'Name', 'State', 'Applied at', 'Duration'];
const statusRows = Array.from({ length: 10_000 }, (_, i) => [String(i), `step_${i}`, 'applied', '2026-11-23 10:58:03Z', '1 ms']);
const twentyMegabytes = "INSERT INTO t VALUES (1, 'a;b', $$c;d$$); -- ;\n".repeat(200_000);
const oneLine = "SELECT 'a;b', $$c;d$$; ".repeat(80_000);

/** Each case: what it does, the work, a check that the work was done, and a budget in ms (or none). */
const cases = [
  {
    name: 'status table, 10,000 rows',
    run: () => renderAsciiTable(HEAD, statusRows, plain),
    check: (out) => out?.split('\n').length === 2 * 10_000 + 3,
    budgetMs: 1000,
  },
  {
    name: 'split 20 MB, 200,000 statements, one a line',
    run: () => splitSqlStatements(twentyMegabytes),
    check: (out) => out.length === 200_000 && out[199_999].line === 200_000,
  },
  {
    // Every statement's line is counted with indexOf('\n') from the previous statement, which
    // on a text with no newline scans to the end each time: quadratic (see the report in
    // bench/README.md).
    name: 'split 1.8 MB, 80,000 statements on one line',
    run: () => splitSqlStatements(oneLine),
    check: (out) => out.length === 80_000,
  },
];

const rows = [];
let overBudget = 0;
for (const c of cases) {
  if (!c.check(c.run())) throw new Error(`${c.name}: wrong result`);
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    c.run();
    samples.push(performance.now() - started);
  }
  const s = stats(samples);
  const verdict = c.budgetMs === undefined ? '' : s.median <= c.budgetMs ? `within ${fmtMs(c.budgetMs)}` : `OVER ${fmtMs(c.budgetMs)}`;
  if (c.budgetMs !== undefined && s.median > c.budgetMs) overBudget++;
  rows.push([c.name, fmtMs(s.median), fmtMs(s.min), fmtMs(s.max), verdict]);
}
process.stdout.write(`${textTable(['case', 'median', 'min', 'max', 'budget'], rows, ['l', 'r', 'r', 'r', 'l'])}\n`);
process.stdout.write(`${runs} runs each after a warm-up, Node ${process.version}\n`);
process.exitCode = overBudget > 0 ? 1 : 0;
