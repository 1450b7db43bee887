import { describe, expect, it } from 'vitest';
import type { TargetOutcome } from '../../src/api/fleet.js';
import { usageErrorOf } from '../support/usage-error.js';
import { fleetFlags } from '../../src/cli/fleet/index.js';
import { activityOf, liveFrame, LiveView, type LiveState, type Terminal } from '../../src/cli/fleet/run.js';
import Table from 'cli-table3';
import {
  doneLine,
  type FleetCommand,
  jsonLines,
  type Painter,
  type PrintedResult,
  printed,
  renderSummary,
  summaryCells,
} from '../../src/cli/fleet/summary.js';

const plain: Painter = { green: (t) => t, yellow: (t) => t, red: (t) => t, cyan: (t) => t, gray: (t) => t };

describe('fleet flags', () => {
  it('reads the source and the rollout', () => {
    expect(fleetFlags({ targets: 'targets.txt', concurrency: '8', canary: '2', failFast: true }, 'up')).toEqual({
      source: { file: 'targets.txt' },
      concurrency: 8,
      failFast: true,
      canary: 2,
      json: false,
    });
    expect(fleetFlags({}, 'up')).toBeUndefined();
  });
  it('refuses rollout flags without targets, both sources, --database-url with a file, commands without a fleet', () => {
    expect(usageErrorOf(() => fleetFlags({ concurrency: '4' }, 'up'))).toBe('--concurrency needs --targets FILE or --targets-query SQL');
    expect(usageErrorOf(() => fleetFlags({ targets: 'a', targetsQuery: 'SELECT 1' }, 'up'))).toBe(
      'give either --targets FILE or --targets-query SQL, not both',
    );
    expect(usageErrorOf(() => fleetFlags({ targets: 'a', databaseUrl: 'postgres://db/x' }, 'up'))).toMatch(
      /^--database-url is not used with --targets FILE/,
    );
    expect(usageErrorOf(() => fleetFlags({ targets: 'a' }, 'seed'))).toMatch(
      /^--targets works with up, down, status, validate, verify, partitions, adopt, baseline, drift; not with seed$/,
    );
    expect(usageErrorOf(() => fleetFlags({ targets: 'a', concurrency: '0' }, 'up'))).toBe('--concurrency must be at least 1 (got "0")');
    expect(usageErrorOf(() => fleetFlags({ targets: 'a', canary: 'two' }, 'up'))).toMatch(/^--canary must be a whole number/);
  });
});

const outcome = (over: Partial<TargetOutcome<PrintedResult>>): TargetOutcome<PrintedResult> => ({
  target: 'eu-1',
  source: 'targets.txt:1',
  url: 'postgres://app:*****@db1/app',
  state: 'succeeded',
  exitCode: 0,
  ms: 120,
  applied: [],
  rolledBack: [],
  ...over,
});

const upLike: FleetCommand<{ n: number }> = { run: async () => ({ n: 1 }), journal: 'track' };
const statusLike: FleetCommand<{ n: number }> = {
  run: async () => ({ n: 0 }),
  statusRow: (r) => ({ version: String(r.n), applied: r.n, pending: 2, problems: r.n > 3 ? ['0002_b.sql is modified'] : [] }),
};
const runLayout = { matrix: false, tracked: true, changed: 'Applied' };

describe('fleet summary', () => {
  it('a row per target: version before → after, count, time, result with the one-line error', () => {
    const outcomes = [
      outcome({
        result: printed(upLike, { n: 1 }, false),
        versions: { before: 2, after: 5 },
        applied: ['0003_a.sql', '0004_b.sql', '0005_c.sql'],
      }),
      outcome({
        target: 'eu-3',
        state: 'failed',
        exitCode: 1,
        error: '0002_b.sql:2:1: relation "t" already exists (SQLSTATE 42P07)',
        versions: { before: undefined, after: 1 },
        applied: ['0001_a.sql'],
      }),
      outcome({ target: 'eu-4', state: 'not-started', notStarted: 'fail-fast', ms: 0 }),
    ];
    const { head, rows } = summaryCells(outcomes, runLayout, plain);
    expect(head).toEqual(['Target', 'Version', 'Applied', 'Time', 'Result']);
    expect(rows).toEqual([
      ['eu-1', '2 → 5', '3', '120 ms', 'ok'],
      ['eu-3', 'none → 1', '1', '120 ms', 'failed (exit 1): 0002_b.sql:2:1: relation "t" already exists (SQLSTATE 42P07)'],
      ['eu-4', '', '', '', 'not started (--fail-fast)'],
    ]);
  });

  it('status: a matrix of version, applied, pending and problems; a failed target shows its error', () => {
    const { head, rows } = summaryCells(
      [
        outcome({ result: printed(statusLike, { n: 3 }, false) }),
        outcome({ target: 'eu-2', result: printed(statusLike, { n: 4 }, false) }),
        outcome({ target: 'eu-3', state: 'failed', exitCode: 4, error: 'could not connect' }),
      ],
      { matrix: true, tracked: false, changed: 'Applied' },
      plain,
    );
    expect(head).toEqual(['Target', 'Version', 'Applied', 'Pending', 'Problems']);
    expect(rows).toEqual([
      ['eu-1', '3', '3', '2', 'none'],
      ['eu-2', '4', '4', '2', '0002_b.sql is modified'],
      ['eu-3', '', '', '', 'failed (exit 4): could not connect'],
    ]);
  });

  it('draws the table exactly as cli-table3 does, with → and — (and ~ in a cell) too', async () => {
    const head = ['Target', 'Version', 'Result'];
    const rows = [
      ['tenant-1', '2 → 5', 'ok'],
      ['tenant-~2', 'none → 1', 'failed (exit 4): could not connect: database "x" does not exist — create the database first'],
      ['tenant-3', '', 'not started (--fail-fast)'],
    ];
    const table = new Table({ head, style: { head: [], border: [] } });
    for (const row of rows) table.push(row);
    expect(await renderSummary(head, rows, plain)).toBe(table.toString());
  });

  it("a target's last plain line", () => {
    expect(
      doneLine(
        outcome({ result: printed(upLike, { n: 1 }, false), versions: { before: 1, after: 2 }, applied: ['0002_b.sql'] }),
        'Applied',
      ),
    ).toBe('ok (1 → 2, 1 applied, 120 ms)');
  });

  it('--json: one object per line with target, state, exit code, error and result; no password', () => {
    const done = outcome({ result: printed(upLike, { n: 1 }, true), versions: { before: undefined, after: 1 }, applied: ['0001_a.sql'] });
    const text = jsonLines([done, outcome({ target: 'eu-2', state: 'failed', exitCode: 4, error: 'could not connect' })], true);
    const lines = text.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      target: 'eu-1',
      state: 'succeeded',
      exitCode: 0,
      versionBefore: null,
      versionAfter: 1,
      applied: ['0001_a.sql'],
      result: { n: 1 },
    });
    expect(lines[1]).toMatchObject({ target: 'eu-2', state: 'failed', exitCode: 4, error: 'could not connect', result: null });
    expect(text).not.toMatch(/app:[^*]/);
  });
});

describe('live view', () => {
  const state = (): LiveState => ({
    command: 'up',
    total: 50,
    done: 12,
    failed: 1,
    startedAt: 0,
    running: new Map([
      ['eu-13', { activity: 'applying 0002_b.sql', since: 2800 }],
      ['eu-14', { activity: 'waiting for the runner lock (held by pid 42)', since: 2000 }],
    ]),
  });

  it('a progress line with a spinner, then one line per running target', () => {
    expect(liveFrame(state(), 3200, 80, 10, 0)).toEqual([
      '⠋ up: 12 of 50 done, 1 failed, 2 running (3.2 s)',
      '  eu-13  applying 0002_b.sql (400 ms)',
      '  eu-14  waiting for the runner lock (held by pid 42) (1.2 s)',
    ]);
  });

  it('lines fit the terminal; too many targets are counted, not listed', () => {
    const frame = liveFrame(state(), 3200, 30, 2, 1);
    expect(frame.every((line) => [...line].length <= 30)).toBe(true);
    expect(frame).toHaveLength(2);
    expect(frame[1]).toBe('  ... and 2 more');
  });

  it("a target's activity follows its events", () => {
    expect(activityOf({ type: 'migration-start', direction: 'down', version: 3, fileName: '0003_c.sql' })).toBe('rolling back 0003_c.sql');
    expect(activityOf({ type: 'lock-wait', holder: 'pid 42', waitedMs: 1000 })).toBe('waiting for the runner lock (held by pid 42)');
    expect(activityOf({ type: 'migration-done', direction: 'up', version: 3, fileName: '0003_c.sql', executionMs: 4 })).toBeUndefined();
  });
});

describe('LiveView on a terminal', () => {
  it('redraws its frame in place, prints errors above it (password hidden) and leaves no frame behind', () => {
    let screen = '';
    const write = (text: string): boolean => {
      screen += text;
      return true;
    };
    const terminal = { write, columns: 60, rows: 20 } as unknown as Terminal;
    const state: LiveState = {
      command: 'up',
      total: 2,
      done: 0,
      failed: 0,
      startedAt: performance.now(),
      running: new Map([['eu-1', { activity: 'applying 0001_a.sql', since: performance.now() }]]),
    };
    const view = new LiveView(terminal, plain, state, terminal);
    view.start();
    expect(screen).toMatch(/^⠋ up: 0 of 2 done, 1 running \(\d+ ms\)\n {2}eu-1 {2}applying 0001_a\.sql \(\d+ ms\)\n$/);
    view.line('success', '[eu-1] Applied 0001_a.sql (4 ms)'); // shown by the frame, not printed
    view.line('error', '[eu-2] error: could not connect to postgres://app:hunter2@db2/app');
    view.stop();
    // frame (2 lines), cleared; error; frame again, cleared for good
    expect(screen.split('\x1b[2A\r\x1b[0J')).toHaveLength(3);
    expect(screen).toContain('[eu-2] error: could not connect to postgres://app:*****@db2/app\n');
    expect(screen).not.toContain('hunter2');
    expect(screen).not.toContain('Applied 0001_a.sql');
    expect(screen.endsWith('\x1b[2A\r\x1b[0J')).toBe(true);
  });
});
