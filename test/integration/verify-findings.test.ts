import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, type CliResult } from '../support/cli.js';
import { createTestDatabase } from '../support/db.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { project, cli } = useTestProject();

/** Copies test/fixtures/verify/hatchet/<name>/ (excerpts of Hatchet, see its README) into the project. */
function writeHatchet(name: string): void {
  const dir = join(repoRoot, 'test/fixtures/verify/hatchet', name);
  for (const file of readdirSync(dir)) project.write(file, readFileSync(join(dir, file), 'utf8'));
}

/** The problem lines of the final summary ("error:   FILE: ..."), without the prefix. */
const problemLines = (result: CliResult): string[] =>
  result.stderr
    .split('\n')
    .filter((line) => line.startsWith('error:   '))
    .map((line) => line.slice('error:   '.length));

describe('verify: findings that do not cascade and say what differs', () => {
  it('a DOWN that drops an index an earlier migration owns is its finding alone: the next, correct migration verifies (exit 3)', async () => {
    writeHatchet('cascade');
    const result = await cli(['verify']);
    expect(result.code).toBe(3);
    expect(problemLines(result)).toEqual([
      '20260202185137_v1_0_74_lookup: DOWN did not restore index v1_event_key_idx on v1_event (it existed before UP)',
    ]);
    expect(result.stdout).toMatch(
      /Rebuilding scratch database aeturnis_verify_\w+ up to 20260202185137_v1_0_74_lookup\.sql \(UP only, 2 migrations\)/,
    );
    expect(result.stdout).toMatch(/Verified 20260403175605_v1_0_94\.sql/);
    expect(result.stderr).not.toContain('UP failed');
  });

  it('with --keep-going the same, and a --scratch-url database that cannot be rebuilt without it stops with one line (exit 3)', async () => {
    writeHatchet('cascade');
    const keepGoing = await cli(['verify', '--keep-going']);
    expect(keepGoing.code).toBe(3);
    expect(keepGoing.stdout).toMatch(/Verified 20260403175605_v1_0_94\.sql/);

    const scratch = await createTestDatabase();
    try {
      const result = await cli(['verify', '--scratch-url', scratch.url]);
      expect(result.code).toBe(3);
      expect(result.stderr).toContain(
        `verify stopped after 20260202185137_v1_0_74_lookup.sql: it left --scratch-url database ${scratch.name} in another state than its UP builds, so the migrations after it were not verified (--keep-going rebuilds the database and goes on)`,
      );
      expect(result.stdout + result.stderr).not.toContain('v1_0_94');
    } finally {
      await scratch.drop();
    }
  });

  it('a long function body that DOWN restores wrongly is shown around the difference, not cut before it', async () => {
    writeHatchet('function-body');
    const result = await cli(['verify']);
    expect(result.code).toBe(3);
    const [problem, ...others] = problemLines(result);
    expect(others).toEqual([]);
    const shown =
      /^20251217000000_v1_0_61_b: DOWN did not restore function find_matching_tenants_in_payload_cutover_queue_item_partition\(integer\) definition \((.*), was (.*)\)$/.exec(
        problem ?? '',
      );
    expect(shown, problem).not.toBeNull();
    const [, now, was] = shown as unknown as [string, string, string];
    expect(now).not.toBe(was);
    expect(was).toContain('WHERE e.tenant_id = t.id AND e.cut_over_at <= NOW() LIMIT 1');
    expect(now).not.toContain('cut_over_at');
    expect(now).toMatch(/^\.\.\..*WHERE e\.tenant_id = t\.id LIMIT 1/);
    expect(problem?.length).toBeLessThan(400);
  });

  it('says whether a DOWN section is missing or empty, and a warning that every rerun repeats once', async () => {
    project.write('0001_no_down.sql', '-- UP\nCREATE TABLE a (id int);\n');
    project.write('0002_empty_down.sql', '-- UP\nCREATE TABLE b (id int);\n-- DOWN\n-- nothing here yet\n');
    // runs COMMIT itself: warned at UP, at UP run again and at the rebuild its broken DOWN causes
    project.write('0003_commits.sql', '-- UP\nCREATE TABLE c (id int);\nCOMMIT;\nCREATE TABLE d (id int);\n-- DOWN\nDROP TABLE d;\n');
    project.write('0004_e.sql', tableMigration('e'));
    const result = await cli(['verify', '--keep-going']);
    expect(result.stderr).toContain('Skipped 0001_no_down.sql: irreversible (no DOWN section), UP applied');
    expect(result.stderr).toContain(
      'Skipped 0002_empty_down.sql: irreversible (its DOWN section is empty; if there is truly nothing to undo, put -- aeturnis:nothing-to-undo in it), UP applied',
    );
    expect(result.stdout).toMatch(/Rebuilding scratch database \w+ up to 0003_commits\.sql/);
    expect(result.stderr.match(/0003_commits\.sql ran COMMIT itself/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/Verified 0004_e\.sql/);
  });
});
