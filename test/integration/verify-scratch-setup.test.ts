import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cli.js';
import { adminQuery } from '../support/db.js';
import { oneError, useTestProject } from '../support/test-project.js';

const { db, project, cli } = useTestProject();

/**
 * Excerpts of UPchieve/subway (see test/fixtures/verify/upchieve/README.md): a history that
 * relies on a schema, two roles and a search_path the target got from outside its migrations.
 */
const FIXTURE = join(repoRoot, 'test/fixtures/verify/upchieve');
let suffix = '';
/** The fixture's roles under names of this test alone (roles are shared by the whole server). */
const ownRoles = (sql: string): string => sql.replace(/\b(mat_view_owners|subway)\b/g, `$1_${suffix}`);

function writeProject(): string {
  suffix = randomBytes(4).toString('hex');
  for (const file of readdirSync(join(FIXTURE, 'migrations'))) {
    project.write(file, ownRoles(readFileSync(join(FIXTURE, 'migrations', file), 'utf8')));
  }
  const setup = join(project.dir, 'setup.sql');
  writeFileSync(setup, ownRoles(readFileSync(join(FIXTURE, 'setup.sql'), 'utf8')));
  return setup;
}

afterEach(async () => {
  // the setup file created them; they outlive the scratch databases, as the docs say
  await adminQuery(`DROP ROLE IF EXISTS mat_view_owners_${suffix}`);
  await adminQuery(`DROP ROLE IF EXISTS subway_${suffix}`);
});

describe('verify and types --from-migrations: the scratch database set up like the target', () => {
  it("copies the target's database settings and runs --scratch-setup before the first migration (exit 0)", async () => {
    const setup = writeProject();
    await db.query(`ALTER DATABASE ${db.name} SET search_path = upchieve, public`);
    const result = await cli(['verify', '--scratch-setup', 'setup.sql']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /Verifying on scratch database aeturnis_verify_\w+ \(dropped afterwards; with the target's database settings: search_path; --scratch-setup setup\.sql run first\)/,
    );
    expect(result.stdout).toContain('Verified 4 migrations');

    const types = await cli(['types', '--from-migrations', '--scratch-setup', setup]);
    expect(types.code, types.stderr).toBe(0);
    // cities landed in upchieve through the copied search_path
    expect(types.stdout).toContain('"upchieve.cities": UpchieveCities;');
  });

  it('without --scratch-setup, the UP that needs the missing schema says where it should come from (exit 1)', async () => {
    writeProject();
    const result = await cli(['verify']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toMatch(
      /^error: 20211026204728_create_us_states_table\.sql:2:\d+: UP failed: schema "upchieve" does not exist \(SQLSTATE 3F000\) — the scratch database is built from the migrations alone: if the target got schema "upchieve" from outside them \(a setup script\), pass that script with --scratch-setup FILE$/,
    );
    const types = await cli(['types', '--from-migrations']);
    expect(types.code).toBe(1);
    expect(oneError(types)).toMatch(/schema "upchieve" does not exist \(SQLSTATE 3F000\) — .*pass that script with --scratch-setup FILE$/);
  });

  it('a role the scratch server lacks is named as a server-wide setup step (exit 1)', async () => {
    const setup = writeProject();
    // a setup that creates the schema but not the roles
    writeFileSync(setup, 'CREATE SCHEMA IF NOT EXISTS upchieve;\n');
    await db.query(`ALTER DATABASE ${db.name} SET search_path = upchieve, public`);
    const result = await cli(['verify', '--scratch-setup', setup, '--keep-going']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `20251009150451_change-owner-for-users-unlocked-subjects-mview: 20251009150451_change-owner-for-users-unlocked-subjects-mview.sql:2:1: UP failed: role "mat_view_owners_${suffix}" does not exist (SQLSTATE 42704) — roles belong to the server, and this one has no role "mat_view_owners_${suffix}": if the target's server got it from a setup script, create it in --scratch-setup FILE (only when missing: it stays on the server)`,
    );
    expect(result.stdout).toContain('Verified 20251008134946_new-mview-for-all-subjects-unlocked-by-user.sql');
  });

  it('a --scratch-setup file that fails names itself (and its line when PostgreSQL gives one); one that cannot be read is exit 2', async () => {
    const setup = writeProject();
    writeFileSync(setup, 'CREATE SCHEMA upchieve;\nGRANT usage ON SCHEMA upchieve TO nobody_at_all;\nSELECT * FROM  nowhere;\n');
    const result = await cli(['verify', '--scratch-setup', 'setup.sql']);
    expect(result.code).toBe(1);
    expect(oneError(result)).toMatch(
      /^error: setup\.sql: --scratch-setup failed on scratch database aeturnis_verify_\w+: role "nobody_at_all" does not exist \(SQLSTATE 42704\)$/,
    );
    writeFileSync(setup, 'CREATE SCHEMA upchieve;\nSELECT * FROM  nowhere;\n');
    expect(oneError(await cli(['verify', '--scratch-setup', 'setup.sql']))).toMatch(
      /^error: setup\.sql:2:16: --scratch-setup failed on scratch database aeturnis_verify_\w+: relation "nowhere" does not exist \(SQLSTATE 42P01\)$/,
    );
    const missing = await cli(['verify', '--scratch-setup', 'nowhere.sql']);
    expect(missing.code).toBe(2);
    expect(oneError(missing)).toBe('error: --scratch-setup nowhere.sql: cannot read it (ENOENT)');
  });
});
