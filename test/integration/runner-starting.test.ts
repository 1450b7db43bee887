import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, startCli } from '../support/cli.js';
import { tempProject, tableMigration, type TempProject } from '../support/project.js';
import { startStandbyServer, type StandbyServer } from '../support/server.js';

// A real server that answers 57P03 ("not accepting connections", the state of a server that is
// starting up or recovering) until it is promoted: the init-container case, where the database
// comes up at the same time as the migrator.
let standby: StandbyServer;
let project: TempProject;

beforeAll(async () => {
  standby = await startStandbyServer();
  project = tempProject({ '0001_a.sql': tableMigration('a') });
}, 120_000);
afterAll(async () => {
  await standby?.stop();
  project?.remove();
});

describe('a server that is not accepting connections yet (SQLSTATE 57P03)', () => {
  it('is retried with a progress line per attempt, then exit 4 when --wait runs out', async () => {
    const result = await runCli(['status', '--wait', '2'], { cwd: project.dir, databaseUrl: standby.url });
    expect(result.code).toBe(4);
    const retries = result.stderr.match(/^warning: database not reachable \(.*not accepting connections.*\); retry \d+ in/gm) ?? [];
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(result.stderr).toMatch(
      /^error: could not connect: .*not accepting connections.* \(gave up after 2s, \d+ attempts; raise --wait to wait longer\)$/m,
    );
  });

  it('is waited for: once the server accepts connections, up migrates and exits 0', async () => {
    const child = startCli(['up', '--wait', '60'], { cwd: project.dir, databaseUrl: standby.url });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const done = collect(child, 90_000);
    const deadline = Date.now() + 30_000;
    while (!/retry 2 in/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toMatch(/retry 2 in/);
    await standby.promote();
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Applied 0001_a\.sql/);
  }, 120_000);
});
