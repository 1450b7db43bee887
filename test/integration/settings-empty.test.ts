import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { project, cli } = useTestProject();

// `.env` files and compose's `${VAR}` leave a variable set but empty: it must count as unset.
describe('a setting set but empty', () => {
  it('AETURNIS_MIGRATIONS_DIR= makes status read ./migrations, not the current directory', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    // A stray .sql file in the project root: read as a migration only if the root were the directory.
    writeFileSync(join(project.dir, '0099_stray.sql'), tableMigration('stray'));
    expect((await cli(['up'], { AETURNIS_MIGRATIONS_DIR: '' })).code).toBe(0);

    const status = await cli(['status'], { AETURNIS_MIGRATIONS_DIR: '' });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/│ 1 +│ a +│ applied/);
    expect(status.stdout).not.toMatch(/missing/i);
    expect(status.stdout).not.toContain('stray');
  });

  it('AETURNIS_MIGRATIONS_DIR= in .env is unset too', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    writeFileSync(join(project.dir, '.env'), 'AETURNIS_MIGRATIONS_DIR=\n');
    const up = await cli(['up']);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/Applied 0001_a\.sql/);
    const status = await cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/│ 1 +│ a +│ applied/);
    expect(status.stdout).not.toMatch(/missing/i);
  });

  it('AETURNIS_TABLE= and AETURNIS_LOG_FORMAT= count as unset as well', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['up'], { AETURNIS_TABLE: '', AETURNIS_LOG_FORMAT: ' ', AETURNIS_WAIT: '' });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Applied 0001_a\.sql/);
  });
});
