import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tableMigration, tempProject, type TempProject } from '../support/project.js';

/**
 * `--shard I/N` on four databases: the shards together cover each database once, whatever the
 * order of the targets file; auto/N reads JOB_COMPLETION_INDEX; a shard with no target is exit 0;
 * `up` touches only its shard's databases, with canaries from that shard.
 */

// Names whose shards are known to split 2 and 2 (globex, initech | acme, hooli) and to leave shard 3 of 4 empty.
const NAMES = ['acme', 'globex', 'hooli', 'initech'] as const;
let databases: Map<string, TestDatabase>;
let project: TempProject;

beforeAll(async () => {
  databases = new Map(await Promise.all(NAMES.map(async (name) => [name, await createTestDatabase()] as const)));
});
afterAll(async () => {
  for (const db of databases.values()) await db.drop();
});
beforeEach(() => {
  project = tempProject({ '0001_a.sql': tableMigration('a') });
  writeTargets(NAMES);
  return () => project.remove();
});

function writeTargets(names: readonly string[]): void {
  writeFileSync(join(project.dir, 'targets.txt'), names.map((name) => `${name}=${databases.get(name)?.url}`).join('\n'));
}
const fleet = (args: string[], env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(['--targets', 'targets.txt', ...args], { cwd: project.dir, env });

/** The versions in a database's journal (none when it has no journal). */
async function versions(name: string): Promise<number[]> {
  const db = databases.get(name) as TestDatabase;
  const [journal] = await db.query<{ t: string | null }>("SELECT to_regclass('schema_migrations')::text AS t");
  if (!journal?.t) return [];
  return (await db.query<{ v: string }>('SELECT version::text AS v FROM schema_migrations ORDER BY 1')).map((row) => Number(row.v));
}

/** The targets of a `--json` run, in the order printed. */
function jsonTargets(result: CliResult): string[] {
  return result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => (JSON.parse(line) as { target: string }).target);
}

async function statusOfShard(shard: string, env: Record<string, string> = {}): Promise<string[]> {
  const result = await fleet(['status', '--json', '--shard', shard], env);
  expect(result.stderr).not.toMatch(/error/);
  expect(result.code).toBe(0);
  return jsonTargets(result);
}

describe('--shard I/N', () => {
  it('status --shard 1/2 and 2/2 together cover every database once, whatever the order of the file; auto/2 reads JOB_COMPLETION_INDEX', async () => {
    const first = await fleet(['status', '--shard', '1/2']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Shard 1\/2: 2 of 4 targets$/m);
    const one = await statusOfShard('1/2');
    const two = await statusOfShard('2/2');
    expect(one.length).toBeGreaterThan(0);
    expect(two.length).toBeGreaterThan(0);
    expect([...one, ...two].sort()).toEqual([...NAMES]);

    writeTargets([...NAMES].reverse());
    expect((await statusOfShard('1/2')).sort()).toEqual([...one].sort());
    expect(await statusOfShard('auto/2', { JOB_COMPLETION_INDEX: '1' })).toEqual([...two].reverse());
  });

  it('shards 1..4 cover every database once; a shard with no database says so and exits 0', async () => {
    const results = await Promise.all([1, 2, 3, 4].map((index) => fleet(['status', '--json', '--shard', `${index}/4`])));
    expect(results.map((result) => result.code)).toEqual([0, 0, 0, 0]);
    expect(results.flatMap(jsonTargets).sort()).toEqual([...NAMES]);
    const empty = results.filter((result) => jsonTargets(result).length === 0);
    expect(empty.length).toBeGreaterThan(0);
    for (const result of empty) {
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^Shard \d\/4: 0 of 4 targets, nothing to do\n$/);
    }
  });

  it('up --shard 1/2 migrates only its shard, and --canary takes its canaries from the shard', async () => {
    const shardOne = await statusOfShard('1/2');
    const [canary, other] = shardOne as [string, string];
    await databases.get(canary)?.query('CREATE TABLE a (id int)'); // 0001 fails there
    const result = await fleet(['up', '--shard', '1/2', '--canary', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error: 2 targets: 0 succeeded, 1 failed (${canary}), 1 not started (a canary failed)`);
    expect(result.stdout).toMatch(new RegExp(`│ ${other} +│ +│ +│ +│ not started \\(a canary failed\\)`));
    for (const name of NAMES) expect(await versions(name), name).toEqual([]); // the canary failed; the other shard was never touched
    await databases.get(canary)?.query('DROP TABLE a');
    expect((await fleet(['up', '--shard', '2/2'])).code).toBe(0);
    for (const name of NAMES) expect(await versions(name), name).toEqual(shardOne.includes(name) ? [] : [1]);
  });

  it('a bad --shard is exit 2 in one line naming the flag, before any database is touched', async () => {
    const cases: [string[], Record<string, string>, string][] = [
      [['status', '--shard', '3/2'], {}, 'error: --shard 3/2: I must be from 1 to 2'],
      [['status', '--shard', '1/0'], {}, 'error: --shard 1/0: N must be at least 1'],
      [['status', '--shard', 'half'], {}, 'error: --shard must be I/N (shard I of N, counting from 1) or auto/N (got "half")'],
      [
        ['status', '--shard', 'auto/2'],
        {},
        'error: --shard auto/2 needs JOB_COMPLETION_INDEX (a Kubernetes Indexed Job sets it in each pod); it is not set',
      ],
      [
        ['status', '--shard', 'auto/2'],
        { JOB_COMPLETION_INDEX: '2' },
        'error: --shard auto/2: JOB_COMPLETION_INDEX is 2, but 2 shards are indexes 0 to 1 (give the Job completions: 2)',
      ],
    ];
    for (const [args, env, message] of cases) {
      const result = await fleet(args, env);
      expect(result.code, message).toBe(2);
      expect(result.stderr.trim()).toBe(message);
    }
    const withoutTargets = await runCli(['status', '--shard', '1/2'], { cwd: project.dir, databaseUrl: databases.get('acme')?.url });
    expect(withoutTargets.code).toBe(2);
    expect(withoutTargets.stderr.trim()).toBe('error: --shard needs --targets FILE or --targets-query SQL');
  });
});
