import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliEnv, collect, repoRoot, runCli, type CliResult } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { tempProject, type TempProject } from '../support/project.js';

/**
 * `aeturnis-db lint` through the CLI, on realistic migrations (test/fixtures/lint/migrations):
 * squawk's findings in the files' own coordinates, aeturnis-db's own rules, lint-ignore,
 * exit codes, --json, and which files are checked (pending, --all, FILE...).
 */

const fixtures = join(repoRoot, 'test/fixtures/lint/migrations');
/** Nothing listens here: a lint that tried to connect would exit 4. */
const UNREACHABLE = ['--database-url', 'postgres://postgres@127.0.0.1:9/none', '--wait', '0'];
/** The warnings every DDL statement gets, left out where a test is about something else. */
const QUIET = ['--exclude', 'require-statement-timeout,prefer-bigint-over-int'];

let project: TempProject;
beforeEach(() => {
  project = tempProject();
});
afterEach(() => project.remove());

function copyFixtures(names?: string[]): void {
  for (const name of names ?? readdirSync(fixtures)) project.write(name, readFileSync(join(fixtures, name), 'utf8'));
}

const lint = (args: string[], env: Record<string, string | undefined> = {}) =>
  runCli([...UNREACHABLE, 'lint', ...args], { cwd: project.dir, env });

/** The `FILE:LINE:COL: rule` part of each finding line. */
const locations = (result: CliResult): string[] =>
  result.stdout
    .split('\n')
    .filter((line) => /^\S+:\d+:\d+: /.test(line))
    .map((line) => line.split(': ').slice(0, 2).join(': '));

interface JsonFinding {
  file: string;
  line: number;
  column: number;
  rule: string;
  level: string;
  message: string;
  help: string | null;
  source: string;
}

describe('lint --all (no database)', () => {
  it('reports each hazard at its place in the file, with squawk’s help, and exits 3', async () => {
    copyFixtures();
    const result = await lint(['--all', ...QUIET]);
    expect(result.code).toBe(3);
    expect(locations(result)).toEqual([
      // (its DOWN's DROP INDEX is not reported: a DOWN cannot move to a migration of its own)
      'migrations/0002_index_players_by_name.sql:3:1: require-concurrent-index-creation',
      'migrations/0003_add_player_level.sql:3:21: adding-required-field',
      'migrations/0004_widen_player_score.sql:3:40: changing-column-type',
      'migrations/0004_widen_player_score.sql:6:40: changing-column-type',
      'migrations/0005_index_players_by_guild.sql:3:1: requires-no-transaction',
      'migrations/0005_index_players_by_guild.sql:6:1: requires-no-transaction',
    ]);
    expect(result.stdout).toContain(
      'migrations/0003_add_player_level.sql:3:21: adding-required-field: Adding a new column that is `NOT NULL` and has no default value to an existing table effectively makes it required.\n' +
        '  [error] help: Make the field nullable or add a non-VOLATILE DEFAULT\n',
    );
    expect(result.stdout).toContain(
      'migrations/0005_index_players_by_guild.sql:3:1: requires-no-transaction: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and 0005_index_players_by_guild.sql runs in one: it would fail at run time (SQLSTATE 25001)\n' +
        '  [error] help: add "-- aeturnis:no-transaction" to the header (before "-- UP")',
    );
    expect(result.stdout).toContain('Checked 7 migrations: 6 errors, 0 warnings\n');
    expect(result.stderr).toBe('error: lint found 6 error-level findings\n');
  });

  it('honours a justified lint-ignore and refuses one without a reason', async () => {
    copyFixtures(['0001_create_players.sql', '0006_add_guild_motto.sql']);
    const justified = await lint(['--all', ...QUIET]);
    expect(justified.code).toBe(0);
    expect(justified.stdout).toBe('Checked 2 migrations: no findings\n');

    const text = readFileSync(join(fixtures, '0006_add_guild_motto.sql'), 'utf8');
    project.write('0006_add_guild_motto.sql', text.replace(/adding-required-field: .*/, 'adding-required-field'));
    const unjustified = await lint(['--all', ...QUIET]);
    expect(unjustified.code).toBe(3);
    expect(locations(unjustified)).toEqual([
      'migrations/0006_add_guild_motto.sql:2:1: lint-ignore',
      'migrations/0006_add_guild_motto.sql:4:20: adding-required-field',
    ]);
    expect(unjustified.stdout).toContain('lint-ignore: this lint-ignore of adding-required-field gives no reason, so it silences nothing');
  });

  it('refuses a lint-ignore of a rule that means the migration fails when it runs', async () => {
    project.write(
      '0001_add_guild_tag.sql',
      [
        '-- aeturnis:lint-ignore syntax-error: squawk is wrong here',
        '-- aeturnis:lint-ignore requires-no-transaction: we know',
        '-- UP',
        'ALTER TABLE guilds ADD COLUM tag text;',
        'CREATE INDEX CONCURRENTLY guilds_tag_idx ON guilds (tag);',
        '',
      ].join('\n'),
    );
    const result = await lint(['--all', ...QUIET, '--exclude', 'require-statement-timeout,irreversible']);
    expect(result.code).toBe(3);
    expect(locations(result)).toEqual([
      'migrations/0001_add_guild_tag.sql:1:1: lint-ignore',
      'migrations/0001_add_guild_tag.sql:2:1: lint-ignore',
      'migrations/0001_add_guild_tag.sql:4:34: syntax-error',
      'migrations/0001_add_guild_tag.sql:5:1: requires-no-transaction',
    ]);
    expect(result.stdout).toContain(
      'lint-ignore: "syntax-error" cannot be silenced, so this lint-ignore silences nothing: PostgreSQL cannot parse the statement, so the migration fails when it runs: fix the SQL\n',
    );
    expect(result.stdout).toContain('lint-ignore: "requires-no-transaction" cannot be silenced, so this lint-ignore silences nothing');
  });

  it('prints only a JSON array on stdout with --json', async () => {
    copyFixtures(['0003_add_player_level.sql', '0007_index_players_by_created_at.sql']);
    const result = await lint(['--all', '--json']);
    expect(result.code).toBe(3);
    const findings = JSON.parse(result.stdout) as JsonFinding[];
    expect(findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule} ${f.level} ${f.source}`)).toEqual([
      'migrations/0003_add_player_level.sql:3:1 require-statement-timeout warning squawk',
      'migrations/0003_add_player_level.sql:3:21 adding-required-field error squawk',
      'migrations/0003_add_player_level.sql:6:1 require-statement-timeout warning squawk',
    ]);
    expect(findings[1]).toEqual({
      file: 'migrations/0003_add_player_level.sql',
      line: 3,
      column: 21,
      rule: 'adding-required-field',
      level: 'error',
      message: 'Adding a new column that is `NOT NULL` and has no default value to an existing table effectively makes it required.',
      help: 'Make the field nullable or add a non-VOLATILE DEFAULT',
      source: 'squawk',
    });
    expect(result.stderr).toBe('error: lint found 1 error-level finding\n');
  });

  it('exits 0 when only warnings remain, and a configuration file sets levels', async () => {
    copyFixtures(['0002_index_players_by_name.sql']);
    writeFileSync(
      join(project.dir, 'aeturnis-db.lint.json'),
      JSON.stringify({
        rules: {
          'require-concurrent-index-creation': 'warning',
          'require-concurrent-index-deletion': 'off',
          'require-statement-timeout': 'off',
        },
      }),
    );
    const result = await lint(['--all']);
    expect(result.code).toBe(0);
    expect(locations(result)).toEqual(['migrations/0002_index_players_by_name.sql:3:1: require-concurrent-index-creation']);
    expect(result.stdout).toContain('  [warning] help: Use `concurrently` to avoid blocking writes.');
    expect(result.stdout).toContain('Checked 1 migration: 0 errors, 1 warning\n');
  });

  it('turns require-lock-timeout on while lock retries are off', async () => {
    copyFixtures(['0003_add_player_level.sql']);
    const rule = 'migrations/0003_add_player_level.sql:3:1: require-lock-timeout';
    expect(locations(await lint(['--all']))).not.toContain(rule);
    expect(locations(await lint(['--all'], { AETURNIS_LOCK_RETRIES: 'off' }))).toContain(rule);
    expect(locations(await lint(['--all', '--no-lock-retries']))).toContain(rule);
  });
});

describe('lint on a history imported from goose (excerpts of hatchet-dev/hatchet)', () => {
  /** The warnings on nearly every statement of these files, left out to keep the list short. */
  const STYLE = ['--exclude', 'require-statement-timeout,prefer-bigint-over-int,prefer-timestamp-tz,irreversible,not-rerunnable'];

  it('gives no error whose advice PostgreSQL refuses, and one finding per rule and statement', async () => {
    const imported = await runCli(['import', '--from', 'goose', join(repoRoot, 'test/fixtures/lint/hatchet')], { cwd: project.dir });
    expect(imported.code).toBe(0);
    const result = await lint(['--all', '--json', ...STYLE]);
    expect(result.code).toBe(3);
    const findings = JSON.parse(result.stdout) as JsonFinding[];
    expect(findings.map((f) => `${f.file.replace('migrations/', '')}:${f.line}:${f.column} ${f.rule} ${f.level}`)).toEqual([
      // UP: the index drops are real (the advice applies); ADD CONSTRAINT ... PRIMARY KEY gets
      // no constraint-missing-not-valid (PostgreSQL refuses NOT VALID there).
      '20240126235456_v0_7_0.sql:12:1 require-concurrent-index-deletion error',
      '20240126235456_v0_7_0.sql:15:1 require-concurrent-index-deletion error',
      '20240126235456_v0_7_0.sql:19:1 adding-required-field error',
      '20240126235456_v0_7_0.sql:20:1 ban-drop-column error',
      '20240126235456_v0_7_0.sql:22:5 adding-serial-primary-key-field error',
      // Two foreign keys in one ALTER TABLE: one finding per rule, naming the other place.
      '20240626204339_v0_34_2.sql:8:110 constraint-missing-not-valid error',
      '20240626204339_v0_34_2.sql:8:114 adding-foreign-key-constraint error',
      // ADD CONSTRAINT ... UNIQUE: disallowed-unique-constraint, not constraint-missing-not-valid.
      '20241121142159_v0_52_0.sql:8:5 disallowed-unique-constraint error',
      '20241121142159_v0_52_0.sql:17:19 adding-not-nullable-field error',
      // A no-transaction migration's DOWN can drop its indexes CONCURRENTLY: still an error.
      '20260216000002_v1_0_79_b_add_slot_indexes.sql:12:1 require-concurrent-index-deletion error',
      '20260216000002_v1_0_79_b_add_slot_indexes.sql:13:1 require-concurrent-index-deletion error',
      // v1_event is partitioned (20260202185136): CONCURRENTLY is impossible; the drops of its
      // indexes are not reported, the builds are warnings with advice PostgreSQL accepts.
      '20260403175605_v1_0_94.sql:4:1 require-concurrent-index-creation warning',
      '20260403175605_v1_0_94.sql:8:1 require-concurrent-index-creation warning',
      // The DOWN's DROP INDEX (a transactional migration) and the DOWN of 20260514175834, which
      // drops the NOT NULL its own UP set, are not reported.
      '20260717150345_v1_0_131.sql:5:1 require-concurrent-index-creation error',
      '20260717150345_v1_0_131.sql:9:36 adding-serial-primary-key-field error',
      '20260717150345_v1_0_131.sql:10:1 require-concurrent-index-creation error',
    ]);
    const byRule = (rule: string, file: string) => findings.find((f) => f.rule === rule && f.file.includes(file));
    expect(byRule('constraint-missing-not-valid', 'v0_34_2')?.message).toBe(
      'By default new constraints require a table scan and block writes to the table while that scan occurs. (also at 8:278 in this statement)',
    );
    const partitioned = byRule('require-concurrent-index-creation', 'v1_0_94');
    expect(partitioned?.message).toBe(
      'v1_event is partitioned, and PostgreSQL cannot build an index on a partitioned table CONCURRENTLY: this build blocks writes to every partition until it ends',
    );
    expect(partitioned?.help).toContain('create the index ON ONLY v1_event');
    expect(partitioned?.help).not.toContain('put that statement in a migration of its own');
  });

  it('knows the partitioned table from the files beside a FILE it is given', async () => {
    await runCli(['import', '--from', 'goose', join(repoRoot, 'test/fixtures/lint/hatchet')], { cwd: project.dir });
    const result = await lint(['migrations/20260403175605_v1_0_94.sql', ...STYLE]);
    expect([result.code, locations(result)]).toEqual([
      0,
      [
        'migrations/20260403175605_v1_0_94.sql:4:1: require-concurrent-index-creation',
        'migrations/20260403175605_v1_0_94.sql:8:1: require-concurrent-index-creation',
      ],
    ]);
    expect(result.stdout).toContain('Checked 1 migration: 0 errors, 2 warnings');
  });
});

describe('lint FILE...', () => {
  it('checks just the files named, by the names given, without a database', async () => {
    copyFixtures();
    const result = await lint(['migrations/0007_index_players_by_created_at.sql', `${project.migrationsDir}/0004_widen_player_score.sql`]);
    expect(result.code).toBe(3);
    expect(locations(result)).toEqual([
      `${project.migrationsDir}/0004_widen_player_score.sql:3:1: require-statement-timeout`,
      `${project.migrationsDir}/0004_widen_player_score.sql:3:40: changing-column-type`,
      `${project.migrationsDir}/0004_widen_player_score.sql:6:1: require-statement-timeout`,
      `${project.migrationsDir}/0004_widen_player_score.sql:6:40: changing-column-type`,
      `${project.migrationsDir}/0004_widen_player_score.sql:6:45: prefer-bigint-over-int`,
    ]);
    expect(result.stdout).toContain('Checked 2 migrations: 2 errors, 3 warnings');
  });

  it('refuses bad input in one line with exit 2', async () => {
    copyFixtures(['0001_create_players.sql']);
    const cases: [string[], string][] = [
      [['migrations/0009_missing.sql'], 'error: migrations/0009_missing.sql: no such file\n'],
      [['migrations'], 'error: migrations: not a migration file (<digits>_<name>.sql)\n'],
      [['--all', 'migrations/0001_create_players.sql'], 'error: lint takes FILE... or --all, not both\n'],
      [['--all', '--exclude', 'ban-drop-colum'], 'error: --exclude: unknown rule "ban-drop-colum" (docs/lint.md lists the rules)\n'],
      [['--all', '--config', 'nope.json'], 'error: lint configuration nope.json does not exist\n'],
    ];
    for (const [args, stderr] of cases) {
      const result = await lint(args);
      expect([result.code, result.stderr, result.stdout], args.join(' ')).toEqual([2, stderr, '']);
    }
  });
});

describe('lint (pending migrations)', () => {
  it('needs the database: an unreachable one is exit 4', async () => {
    copyFixtures(['0001_create_players.sql']);
    const result = await lint([]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(/^error: could not connect/);
  });
});

describe('lint (pending migrations, with a database)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('checks only what up would run', async () => {
    copyFixtures(['0001_create_players.sql', '0002_index_players_by_name.sql', '0003_add_player_level.sql']);
    const cli = (args: string[]) => runCli(args, { cwd: project.dir, databaseUrl: db.url });
    expect((await cli(['up'])).code).toBe(0);
    copyFixtures(['0004_widen_player_score.sql', '0005_index_players_by_guild.sql']);

    const pending = await cli(['lint', ...QUIET]);
    expect(pending.code).toBe(3);
    expect(locations(pending)).toEqual([
      'migrations/0004_widen_player_score.sql:3:40: changing-column-type',
      'migrations/0004_widen_player_score.sql:6:40: changing-column-type',
      'migrations/0005_index_players_by_guild.sql:3:1: requires-no-transaction',
      'migrations/0005_index_players_by_guild.sql:6:1: requires-no-transaction',
    ]);
    expect(pending.stdout).toContain('Checked 2 migrations: 4 errors, 0 warnings');

    project.remove();
    project = tempProject();
    copyFixtures(['0001_create_players.sql', '0002_index_players_by_name.sql', '0003_add_player_level.sql']);
    const nothing = await cli(['lint']);
    expect([nothing.code, nothing.stdout]).toEqual([0, 'Nothing to lint: no pending migrations\n']);
    expect(JSON.parse((await cli(['lint', '--json'])).stdout)).toEqual([]);
  });
});

describe('squawk’s binary missing', () => {
  const FIX =
    'optional dependencies were skipped (npm install --omit=optional, or omit=optional in .npmrc): run "npm install --include=optional" where aeturnis-db is installed (for a global install: "npm install -g --include=optional aeturnis-db")';

  /**
   * An install of aeturnis-db without `skip`: `npm install --omit=optional` leaves out
   * squawk-cli (an optional dependency of aeturnis-db) and its platform package alike.
   */
  async function lintWithout(skip: string[]): Promise<CliResult> {
    const install = join(project.dir, 'app');
    const modules = join(install, 'node_modules');
    mkdirSync(modules, { recursive: true });
    for (const entry of ['bin', 'dist', 'package.json']) cpSync(join(repoRoot, entry), join(install, entry), { recursive: true });
    for (const entry of readdirSync(join(repoRoot, 'node_modules'))) {
      if (skip.includes(entry) || entry === '.bin') continue;
      // squawk-cli itself is copied: a link would resolve its platform package from the checkout.
      if (entry === 'squawk-cli') cpSync(join(repoRoot, 'node_modules', entry), join(modules, entry), { recursive: true });
      else symlinkSync(join(repoRoot, 'node_modules', entry), join(modules, entry));
    }
    copyFixtures(['0001_create_players.sql']);
    const child = spawn(process.execPath, [join(install, 'bin/aeturnis-db.js'), 'lint', '--all'], {
      cwd: project.dir,
      env: cliEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return collect(child);
  }

  it('after npm install --omit=optional (no squawk-cli at all): names --include=optional, exit 2', async () => {
    const result = await lintWithout(['squawk-cli', '@squawk-cli', '@electric-sql']);
    expect([result.code, result.stdout]).toEqual([2, '']);
    expect(result.stderr).toBe(
      `error: lint needs squawk, from aeturnis-db's optional dependency squawk-cli, which is not installed: ${FIX}\n`,
    );
  });

  it('without the platform package alone: the same fix, naming the package', async () => {
    const result = await lintWithout(['@squawk-cli']);
    expect(result.code).toBe(2);
    const key = `${process.platform}-${process.arch}`;
    expect(result.stderr).toBe(
      `error: lint needs squawk's binary for ${key}, the optional package @squawk-cli/${key}, which is not installed: ${FIX}\n`,
    );
  });
});
