/**
 * What a switching user does right after `import`: reads its warnings, and writes the next
 * migration with `new`.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { useTestProject } from '../support/test-project.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/import/${name}`, import.meta.url));
const { project, cli } = useTestProject();

describe('new after import', () => {
  it.each([
    ['dbmate', /^\d{14}_add_quests\.sql$/],
    ['node-pg-migrate', /^\d{13}_add_quests\.sql$/],
  ])('after %s timestamps, new writes a timestamp version like theirs, after every imported one', async (tool, pattern) => {
    expect((await cli(['import', '--from', tool, fixture(tool)])).code).toBe(0);
    const before = readdirSync(project.migrationsDir);
    const result = await cli(['new', 'add_quests']);
    expect(result.code).toBe(0);
    const created = readdirSync(project.migrationsDir).filter((name) => !before.includes(name));
    expect(created).toHaveLength(1);
    const [name] = created as [string];
    expect(name).toMatch(pattern);
    const version = (fileName: string) => Number(fileName.slice(0, fileName.indexOf('_')));
    expect(Math.max(...before.map(version))).toBeLessThan(version(name));
    // The current time, in the tool's form (14 digits: UTC to the second; 13: milliseconds).
    const digits = name.slice(0, name.indexOf('_'));
    const at =
      digits.length === 14 ? Date.parse(digits.replace(/^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)$/, '$1-$2-$3T$4:$5:$6Z')) : Number(digits);
    expect(Math.abs(Date.now() - at)).toBeLessThan(60_000);
  });
});

describe('import warnings on the command line', () => {
  it("names the file and line where the source SQL alters the tool's journal, and suggests --table", async () => {
    const result = await cli(['import', '--from', 'golang-migrate', fixture('golang-migrate-harbor')]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      `${fixture('golang-migrate-harbor')}/0030_2.0.0_schema.up.sql: line 10: its SQL names schema_migrations, golang-migrate's own journal table;`,
    );
    expect(result.stderr).toContain('--table (e.g. --table aeturnis_migrations)');
  });
});
