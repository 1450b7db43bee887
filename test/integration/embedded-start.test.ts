/**
 * The embedded database's first start creates it in place, in one start of PGlite (no scratch
 * copy): a first run killed while it creates the database must leave nothing a later run could
 * take for a database.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { collect, runCli, startCli } from '../support/cli.js';
import { tableMigration, tempProject, type TempProject } from '../support/project.js';

const TIMEOUT = 150_000;
let project: TempProject | undefined;
afterEach(() => project?.remove());

/** Resolves once `condition` holds (polled every 10 ms). */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('embedded database: first start', () => {
  it(
    'a first run killed while it creates the database: the next run creates it anew and migrates',
    async () => {
      project = tempProject({ '0001_guilds.sql': tableMigration('guilds') });
      const dataDir = join(project.dir, '.aeturnis', 'db');
      const victim = startCli(['up'], { cwd: project.dir });
      const victimDone = collect(victim, 120_000);
      // Killed once the new database's files are being written (PG_VERSION is among the first).
      await until(() => existsSync(join(dataDir, 'PG_VERSION')) || existsSync(join(dataDir, '.aeturnis-creating', 'PG_VERSION')), 90_000);
      victim.kill('SIGKILL');
      expect((await victimDone).signal).toBe('SIGKILL');

      const next = await runCli(['up'], { cwd: project.dir, timeoutMs: 120_000 });
      expect(next.stderr).toBe('');
      expect(next.code).toBe(0);
      expect(next.stdout).toContain('No database configured: creating an embedded database in .aeturnis/db');
      expect(next.stdout).toContain('Applied 0001_guilds.sql');

      const status = await runCli(['status', '--json'], { cwd: project.dir, timeoutMs: 120_000 });
      expect(status.code).toBe(0);
      expect(status.stderr).toContain('using the embedded database in .aeturnis/db');
      expect((JSON.parse(status.stdout) as { state: string }[]).map((row) => row.state)).toEqual(['applied']);
      expect(existsSync(`${dataDir}.creating`)).toBe(false);
    },
    TIMEOUT,
  );
});
