/**
 * `up` reads its migration files while the connection is being made (start-up speed). What the
 * user sees must be as if the files were read first: a bad file is the one error reported, and
 * nothing touched the database — not a retried connection, not a newly created embedded one.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tableMigration, tempProject, type TempProject } from '../support/project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const BAD_FILE_ERROR = 'error: 0002_broken.sql: no "-- UP" marker: put a line "-- UP" before the SQL to apply\n';

describe('up: a bad migration file wins over the connection', () => {
  it('with an unreachable server: exit 2 naming the file, at once, without a retry', async () => {
    project = tempProject({ '0001_guilds.sql': tableMigration('guilds'), '0002_broken.sql': 'CREATE TABLE broken (id int);\n' });
    const started = Date.now();
    const result = await runCli(['up', '--wait', '20'], { cwd: project.dir, databaseUrl: 'postgres://postgres@127.0.0.1:9/none' });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(BAD_FILE_ERROR);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('with no database configured: exit 2 naming the file, and no embedded database is created', async () => {
    project = tempProject({ '0001_guilds.sql': tableMigration('guilds'), '0002_broken.sql': 'CREATE TABLE broken (id int);\n' });
    const result = await runCli(['up'], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(BAD_FILE_ERROR);
    expect(existsSync(join(project.dir, '.aeturnis'))).toBe(false);
  });
});
