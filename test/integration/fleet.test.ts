import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tableMigration, tempProject, type TempProject } from '../support/project.js';

/**
 * The whole fleet flow on 50 databases of the test server: `up` with one target failing (a table
 * its migration creates already exists in that database only), the status matrix, the re-run
 * after the fix. Small migrations, concurrency 8: this must stay well under a minute.
 */

const FLEET_SIZE = 50;
const BROKEN = 17; // t17 has a table of its own named like the one 0002 creates
const PASSWORD = 'fleet-s3cret-Pw'; // the test server trusts local connections: the password is only there to be hidden

let databases: TestDatabase[] = [];
let project: TempProject;

const name = (index: number) => `t${String(index + 1).padStart(2, '0')}`;
const fleet = (args: string[]): Promise<CliResult> =>
  runCli([...args, '--targets', 'targets.txt', '--concurrency', '8'], {
    cwd: project.dir,
    env: { FLEET_PASSWORD: PASSWORD },
    timeoutMs: 60_000,
  });
const versions = async (db: TestDatabase): Promise<number[]> =>
  (await db.query<{ v: string }>('SELECT version::text AS v FROM schema_migrations ORDER BY version')).map((row) => Number(row.v));
const row = (table: string, target: string): string => table.split('\n').find((line) => line.startsWith(`│ ${target} `)) ?? '';

/** Runs the tasks four at a time (two cores: creating 50 databases one by one takes seconds). */
async function inBatches<T>(tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (let i = 0; i < tasks.length; i += 4) results.push(...(await Promise.all(tasks.slice(i, i + 4).map((task) => task()))));
  return results;
}

beforeAll(async () => {
  databases = await inBatches(Array.from({ length: FLEET_SIZE }, () => createTestDatabase));
  project = tempProject({
    '0001_guilds.sql': tableMigration('guilds'),
    '0002_quests.sql': tableMigration('quests'),
    '0003_quest_title.sql': '-- UP\nALTER TABLE quests ADD COLUMN title text;\n-- DOWN\nALTER TABLE quests DROP COLUMN title;\n',
  });
  const lines = databases.map((db, i) => {
    const url = new URL(db.url);
    url.username = 'postgres';
    url.password = '${FLEET_PASSWORD}'; // placeholder, expanded by the fleet from the environment
    const written = url.toString().replace(encodeURIComponent('${FLEET_PASSWORD}'), '${FLEET_PASSWORD}');
    return i % 5 === 4 ? written : `${name(i)}=${written}`; // every fifth a bare URL: named host/database
  });
  writeFileSync(join(project.dir, 'targets.txt'), `# ${FLEET_SIZE} tenants\n${lines.join('\n')}\n`);
  await databases[BROKEN - 1]?.query('CREATE TABLE quests (id int)');
}, 120_000);

afterAll(async () => {
  await inBatches(databases.map((db) => () => db.drop()));
  databases = [];
  project?.remove();
}, 120_000);

describe('a fleet of 50 databases', () => {
  it('up: one target fails, the others are migrated; status shows the matrix; a re-run after the fix completes it', async () => {
    const first = await fleet(['up', '--no-partitions']);
    expect(first.code, first.stderr).toBe(1);
    const failing = name(BROKEN - 1);
    // The failing target: its own line names the file, line, column, message and SQLSTATE; the table says so too.
    expect(first.stderr).toMatch(
      new RegExp(
        `^\\[${failing}\\] error: failed \\(exit 1\\): 0002_quests\\.sql:3:1: relation "quests" already exists \\(SQLSTATE 42P07\\)`,
        'm',
      ),
    );
    expect(row(first.stdout, failing)).toMatch(
      /│ none → 1 +│ 1 +│ [\d.]+ m?s +│ failed \(exit 1\): 0002_quests\.sql:3:1: relation "quests" already exists/,
    );
    expect(row(first.stdout, 't01')).toMatch(/│ none → 3 +│ 3 +│ [\d.]+ m?s +│ ok /);
    expect(first.stdout).toMatch(/^\[t01\] Applied 0001_guilds\.sql \([\d.]+ m?s\)$/m);
    expect(first.stderr).toContain(`error: ${FLEET_SIZE} targets: ${FLEET_SIZE - 1} succeeded, 1 failed (${failing})`);
    const bare = new URL(databases[4]?.url ?? '');
    expect(row(first.stdout, `${bare.hostname}${bare.port && bare.port !== '5432' ? `:${bare.port}` : ''}${bare.pathname}`)).toMatch(/ok/);
    for (const [i, db] of databases.entries()) expect(await versions(db), name(i)).toEqual(i === BROKEN - 1 ? [1] : [1, 2, 3]);

    const matrix = await fleet(['status']);
    expect(matrix.code, matrix.stderr).toBe(0);
    expect(row(matrix.stdout, failing)).toMatch(/│ 1 +│ 1 +│ 2 +│ none +│/);
    expect(row(matrix.stdout, 't02')).toMatch(/│ 3 +│ 3 +│ 0 +│ none +│/);
    const json = await fleet(['status', '--json']);
    const objects = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { target: string; state: string; result: { version: number; pending: number } });
    expect(objects).toHaveLength(FLEET_SIZE);
    expect(objects.filter((o) => o.result.pending > 0).map((o) => o.target)).toEqual([failing]);

    await databases[BROKEN - 1]?.query('DROP TABLE quests');
    const again = await fleet(['up', '--no-partitions']);
    expect(again.code, again.stderr).toBe(0);
    expect(row(again.stdout, failing)).toMatch(/│ 1 → 3 +│ 2 +│/);
    expect(row(again.stdout, 't01')).toMatch(/│ 3 → 3 +│ 0 +│/);
    expect(again.stdout).toContain(`All ${FLEET_SIZE} targets succeeded`);
    for (const db of databases) expect(await versions(db)).toEqual([1, 2, 3]);

    for (const result of [first, matrix, json, again]) expect(result.stdout + result.stderr).not.toContain(PASSWORD);
  });
});
