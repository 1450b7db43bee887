/**
 * A golang-migrate file with several `BEGIN; ... COMMIT;` blocks, imported and run: no inner
 * `COMMIT; BEGIN;` survives to commit half the migration.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTestProject } from '../support/test-project.js';

const { project, cli, tables, versions } = useTestProject();

function source(files: Record<string, string>): string {
  const dir = join(project.dir, 'db', 'migrations');
  mkdirSync(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const BLOCKS =
  '-- projects and their members, each block committed on its own\nBEGIN;\nCREATE TABLE project (id int PRIMARY KEY);\nCOMMIT;\n\n' +
  'BEGIN;\nCREATE TABLE project_member (project_id int REFERENCES project (id));\nCOMMIT;\n';

describe('golang-migrate BEGIN ... COMMIT blocks', () => {
  it('import comments out every block: up applies the file as one transaction, without "ran COMMIT itself"', async () => {
    const dir = source({
      '000001_projects.up.sql': BLOCKS,
      '000001_projects.down.sql': 'DROP TABLE project_member;\nDROP TABLE project;\n',
    });
    const imported = await cli(['import', '--from', 'golang-migrate', dir]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(
      'its 2 BEGIN ... COMMIT blocks (up) commented out: the UP runs as one transaction, where golang-migrate committed at each COMMIT',
    );
    const up = await cli(['up']);
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(await tables()).toEqual(['project', 'project_member', 'schema_migrations']);
    expect((await cli(['down'])).code).toBe(0);
  });

  it('a failure in the second block leaves nothing of the first behind', async () => {
    const dir = source({ '000001_projects.up.sql': `${BLOCKS}BEGIN;\nSELECT 1 / 0;\nCOMMIT;\n` });
    expect((await cli(['import', '--from', 'golang-migrate', dir])).code).toBe(0);
    expect((await cli(['up'])).code).toBe(1);
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await versions()).toEqual([]);
  });
});
