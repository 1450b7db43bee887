// Helpers for the benchmarks: whole-process timing, peak RSS, fresh databases, statistics.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Environment for measured processes: nothing that could point a tool elsewhere. */
export function cleanEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(PG|AETURNIS_|DATABASE_URL$|DBMATE_|NODE_OPTIONS$|FORCE_COLOR$|NODE_ENV$)/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', ...extra };
}

/**
 * Runs a command as a whole process and measures its wall time (spawn to exit, stdout and
 * stderr drained). Output goes to pipes, as in CI. Rejects when the exit code is not 0.
 * With `rss: true`, runs it under /usr/bin/time -f %M and also returns peak RSS in KB.
 */
export function runProcess(command, args, { cwd, env, rss = false, allowFail = false } = {}) {
  let file = command;
  let argv = args;
  let rssFile;
  if (rss) {
    rssFile = `/tmp/aeturnis-bench-rss-${process.pid}-${randomBytes(4).toString('hex')}`;
    file = '/usr/bin/time';
    argv = ['-f', '%M', '-o', rssFile, command, ...args];
  }
  return new Promise((resolve, reject) => {
    const out = [];
    const err = [];
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => out.push(chunk));
    child.stderr.on('data', (chunk) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const stdout = Buffer.concat(out).toString();
      const stderr = Buffer.concat(err).toString();
      let peakRssKb;
      if (rssFile) {
        try {
          peakRssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        } catch {
          peakRssKb = undefined;
        }
        rmSync(rssFile, { force: true });
      }
      if ((code !== 0 || signal) && !allowFail) {
        const tail = (stderr || stdout).trim().split('\n').slice(-5).join('\n');
        reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${tail}`));
        return;
      }
      resolve({ ms, code, stdout, stderr, peakRssKb });
    });
  });
}

/** True when /usr/bin/time exists and understands -f %M (GNU time). */
export function haveGnuTime() {
  if (!existsSync('/usr/bin/time')) return false;
  const r = spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' });
  return r.status === 0 && /^\d+\s*$/m.test(r.stderr);
}

/** Median, min, max of a list of numbers. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  return { median, min: sorted[0], max: sorted[n - 1], n };
}

/** The server: an admin connection to create and drop the databases measured on. */
export class Server {
  constructor(url) {
    this.url = url;
    this.admin = new pg.Client({ connectionString: url, application_name: 'aeturnis-bench' });
    this.prefix = `aeturnis_bench_${process.pid}_`;
    this.counter = 0;
  }

  async connect() {
    await this.admin.connect();
    const { rows } = await this.admin.query('SHOW server_version');
    this.version = rows[0].server_version;
    const settings = await this.admin.query(
      `SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'shared_buffers', 'wal_level', 'max_connections')`,
    );
    this.settings = Object.fromEntries(settings.rows.map((r) => [r.name, r.setting]));
  }

  /** URL of a database on the same server. */
  urlFor(database) {
    const url = new URL(this.url);
    url.pathname = `/${database}`;
    return url.toString();
  }

  /** Creates an empty database; returns { name, url, drop() }. */
  async createDatabase() {
    const name = `${this.prefix}${++this.counter}`;
    await this.admin.query(`CREATE DATABASE "${name}"`);
    return {
      name,
      url: this.urlFor(name),
      drop: () => this.admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
    };
  }

  /** Runs SQL in a database (a short-lived connection). */
  async query(database, sql, params) {
    const client = new pg.Client({ connectionString: this.urlFor(database), application_name: 'aeturnis-bench' });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  /** Drops databases a crashed earlier run left behind. */
  async dropLeftovers() {
    const { rows } = await this.admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'aeturnis\\_bench\\_%'`);
    for (const { datname } of rows) await this.admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }

  /**
   * Drops what crashed earlier runs left behind, but not the databases of a run still going on
   * this machine (named after its pid): a second benchmark started meanwhile must not drop them.
   */
  async dropOrphans() {
    const { rows } = await this.admin.query(`SELECT datname FROM pg_database WHERE datname LIKE 'aeturnis\\_bench\\_%'`);
    for (const { datname } of rows) {
      const pid = Number(datname.split('_')[2]);
      if (pid !== process.pid && processAlive(pid)) continue;
      await this.admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  }

  async close() {
    await this.admin.end();
  }
}

/** True when a process of that pid exists on this machine (EPERM: it exists, as another user's). */
export function processAlive(pid) {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Formats milliseconds for the table. */
export function fmtMs(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '—';
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  return `${ms.toFixed(0)} ms`;
}

/** Left/right-aligned plain-text table (no colours, so it pastes into Markdown too). */
export function textTable(head, rows, align) {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (align[i] === 'r' ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i]))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** Markdown table. */
export function markdownTable(head, rows, align) {
  const sep = align.map((a) => (a === 'r' ? '---:' : '---'));
  return [head, sep, ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

/** Resolves after `ms` milliseconds. */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The value at quantile q (0..1) of numbers sorted ascending (the nearest rank; NaN when empty). */
export function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** Count, p50, p99 and maximum of latencies in milliseconds (NaN when there are none). */
export function latencySummary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.length ? sorted[sorted.length - 1] : Number.NaN,
  };
}
