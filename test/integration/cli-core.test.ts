import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tableMigration } from '../support/project.js';
import { useTestProject } from '../support/test-project.js';

const { db, project, cli, tables } = useTestProject();
const journal = async (table = 'schema_migrations') =>
  db.query<{ version: string; name: string; checksum: string; execution_ms: number }>(
    `SELECT version, name, checksum, execution_ms FROM ${table} ORDER BY version`,
  );

describe('up', () => {
  it('applies pending migrations in order, one line each, and records them', async () => {
    project.write('0002_b.sql', tableMigration('b'));
    project.write('0001_a.sql', tableMigration('a'));
    project.write('README.md', 'not a migration');
    const result = await cli(['up']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Applied 0001_a\.sql \([\d.]+ m?s\)\n[\s\S]*Applied 0002_b\.sql \([\d.]+ m?s\)/);
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);
    const rows = await journal();
    expect(rows.map((r) => [r.version, r.name])).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
    expect(rows[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(rows[0]?.execution_ms).toBeGreaterThanOrEqual(0);

    const again = await cli(['up']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to migrate');
  });

  it('journal columns have the contract types', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    await cli(['up']);
    const columns = await db.query<{ column_name: string; data_type: string }>(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'schema_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'version', data_type: 'bigint' },
      { column_name: 'name', data_type: 'text' },
      { column_name: 'checksum', data_type: 'text' },
      { column_name: 'applied_at', data_type: 'timestamp with time zone' },
      { column_name: 'execution_ms', data_type: 'integer' },
    ]);
  });

  it('--to stops at a version; --dry-run changes nothing', async () => {
    for (const n of ['a', 'b', 'c']) project.write(`000${n.charCodeAt(0) - 96}_${n}.sql`, tableMigration(n));
    const dry = await cli(['up', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would apply 3 migrations');
    expect(dry.stdout).toContain('0003_c.sql');
    expect(await tables()).toEqual([]);
    expect((await cli(['up', '--to', '2'])).code).toBe(0);
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);
    const unknown = await cli(['up', '--to', '9']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--to 9');
  });

  it('reports a failing migration with file, line, column and SQLSTATE; earlier ones stay applied', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write(
      '0002_bad.sql',
      '-- header comment\n\n-- UP\nCREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nSELECT * FROM   nope;\n-- DOWN\nDROP TABLE b;\n',
    );
    project.write('0003_c.sql', tableMigration('c'));
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('0002_bad.sql:6:17: relation "nope" does not exist (SQLSTATE 42P01)');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(await tables()).toEqual(['a', 'schema_migrations']);
    expect((await journal()).map((r) => r.version)).toEqual(['1']);
  });

  it('names the failing statement line when PostgreSQL gives no position', async () => {
    project.write('0001_a.sql', '-- UP\nCREATE TABLE a (id int);\n\nCREATE TABLE a (id int);\n-- DOWN\nDROP TABLE a;\n');
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('0001_a.sql:4:1: relation "a" already exists (SQLSTATE 42P07)');
    expect(await tables()).toEqual(['schema_migrations']);
  });

  it('maps syntax errors to the file line', async () => {
    project.write('0001_a.sql', '-- UP\nCREATE TABLE a (id int);\nCREAT TABLE b (id int);\n-- DOWN\nDROP TABLE a;\n');
    const result = await cli(['up']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('0001_a.sql:3:1: syntax error at or near "CREAT" (SQLSTATE 42601)');
  });

  it('refuses to run when an applied file was edited, applying nothing', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    await cli(['up']);
    project.write('0001_a.sql', `${tableMigration('a')}-- edited\n`);
    project.write('0002_b.sql', tableMigration('b'));
    const result = await cli(['up']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('0001_a.sql was modified after it was applied');
    expect(await tables()).toEqual(['a', 'schema_migrations']);
  });

  it('does not treat a CRLF/BOM checkout of an applied file as an edit, yet sees a real edit in it', async () => {
    const lf = tableMigration('a');
    project.write('0001_a.sql', lf);
    expect((await cli(['up'])).code).toBe(0);
    // What the journal holds is SHA-256 of the LF text, computed here independently of src/.
    expect((await journal()).map((r) => r.checksum)).toEqual([createHash('sha256').update(lf).digest('hex')]);

    // The same file checked out with a BOM and CRLF line endings (git autocrlf, an editor).
    const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
    project.write('0001_a.sql', crlf);
    const validated = await cli(['validate']);
    expect(validated.code, validated.stderr).toBe(0);
    expect(JSON.parse((await cli(['status', '--json'])).stdout)).toMatchObject([{ version: 1, state: 'applied' }]);
    project.write('0002_b.sql', tableMigration('b'));
    expect((await cli(['up'])).code).toBe(0);
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);

    // A real edit of that CRLF checkout is still an edit.
    project.write('0001_a.sql', crlf.replace('(id int PRIMARY KEY)', '(id bigint PRIMARY KEY)'));
    const edited = await cli(['validate']);
    expect(edited.code).toBe(3);
    expect(edited.stderr).toContain('0001_a.sql was modified after it was applied');
    expect(JSON.parse((await cli(['status', '--json'])).stdout)).toMatchObject([
      { version: 1, state: 'modified' },
      { version: 2, state: 'applied' },
    ]);
  });

  it('refuses missing and out-of-order migrations unless allowed', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0003_c.sql', tableMigration('c'));
    await cli(['up']);
    project.write('0002_b.sql', tableMigration('b'));
    const refused = await cli(['up']);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('0002_b.sql is pending but older than the newest applied version 3');
    const allowed = await cli(['up', '--allow-out-of-order']);
    expect(allowed.code).toBe(0);
    expect(await tables()).toContain('b');

    project.write('0004_d.sql', tableMigration('d'));
    await cli(['up']);
    project.write('0004_d.sql', '');
    const { rmSync } = await import('node:fs');
    rmSync(join(project.migrationsDir, '0004_d.sql'));
    const missing = await cli(['up']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('version 4 (d) is applied but its file is missing');
  });

  it('supports a schema-qualified journal table with --table, its unquoted parts folded to lower case', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    expect((await cli(['up', '--table', 'ops.Migrations'])).code).toBe(0);
    expect((await db.query(`SELECT version FROM ops.migrations`)).length).toBe(1);
    const status = await cli(['status', '--json', '--table', 'OPS.MIGRATIONS']);
    expect(JSON.parse(status.stdout)[0].state).toBe('applied');
  });
});

describe('down', () => {
  beforeEach(() => {
    for (const n of ['a', 'b', 'c']) project.write(`000${n.charCodeAt(0) - 96}_${n}.sql`, tableMigration(n));
  });

  it('rolls back the newest by default, N when given, all with --to 0', async () => {
    await cli(['up']);
    const one = await cli(['down']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/Rolled back 0003_c\.sql/);
    expect(await tables()).toEqual(['a', 'b', 'schema_migrations']);
    await cli(['up']);
    const two = await cli(['down', '2']);
    expect(two.stdout).toMatch(/Rolled back 0003_c\.sql[\s\S]*Rolled back 0002_b\.sql/);
    expect(await tables()).toEqual(['a', 'schema_migrations']);
    await cli(['up']);
    expect((await cli(['down', '--to', '1'])).code).toBe(0);
    expect((await journal()).map((r) => r.version)).toEqual(['1']);
    expect((await cli(['down', '--to', '0'])).code).toBe(0);
    expect(await journal()).toEqual([]);
    expect(await tables()).toEqual(['schema_migrations']);
  });

  it('refuses before passing an irreversible migration and changes nothing', async () => {
    project.write('0002_b.sql', '-- UP\nCREATE TABLE b (id int);\n-- DOWN\n-- cannot be undone\n');
    await cli(['up']);
    const result = await cli(['down', '2']);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('0002_b.sql is irreversible');
    expect((await journal()).map((r) => r.version)).toEqual(['1', '2', '3']);
    expect(await tables()).toContain('c');
  });

  it('rejects a non-numeric count with exit 2', async () => {
    const result = await cli(['down', 'three']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('down N must be a whole number');
  });

  it('rolls back a failing DOWN and keeps its journal row', async () => {
    project.write('0003_c.sql', '-- UP\nCREATE TABLE c (id int);\n-- DOWN\nDROP TABLE c;\nDROP TABLE not_there;\n');
    await cli(['up']);
    const result = await cli(['down']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('0003_c.sql:5:1');
    expect(await tables()).toContain('c');
    expect((await journal()).map((r) => r.version)).toEqual(['1', '2', '3']);
  });
});

describe('status and validate', () => {
  it('status --json prints only JSON on stdout with every state', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write('0002_b.sql', tableMigration('b'));
    project.write('0003_c.sql', tableMigration('c'));
    await cli(['up']);
    project.write('0002_b.sql', `${tableMigration('b')}-- changed\n`);
    const { rmSync } = await import('node:fs');
    rmSync(join(project.migrationsDir, '0003_c.sql'));
    project.write('0004_d.sql', tableMigration('d'));
    const result = await cli(['status', '--json']);
    expect(result.code).toBe(0);
    const rows = JSON.parse(result.stdout) as { version: number; state: string; appliedAt: string | null }[];
    expect(rows.map((r) => [r.version, r.state])).toEqual([
      [1, 'applied'],
      [2, 'modified'],
      [3, 'missing'],
      [4, 'pending'],
    ]);
    expect(rows[0]?.appliedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(rows[3]?.appliedAt).toBeNull();

    const table = await cli(['status']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/Version.*Name.*State.*Applied at.*Duration/);
    expect(table.stdout).toMatch(/│ 2\s+│ b\s+│ modified/);

    const validate = await cli(['validate']);
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain('0002_b.sql was modified');
    expect(validate.stderr).toContain('version 3 (c) is applied but its file is missing');
  });

  it('status on a fresh database creates nothing; validate passes', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['status']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 applied, 1 pending (aeturnis-db up applies it)');
    expect(await tables()).toEqual([]);
    expect((await cli(['validate'])).code).toBe(0);
  });
});

describe('journal rows written by hand', () => {
  it('versions beyond 2^53 stay distinct and exact in status and status --json', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    expect((await cli(['up'])).code).toBe(0);
    await db.query(
      `INSERT INTO schema_migrations (version, name, checksum, execution_ms)
       VALUES (9007199254740993, 'hand_b', 'x', 0), (9007199254740992, 'hand_a', 'x', 0)`,
    );
    const status = await cli(['status']);
    expect(status.stdout).toMatch(/│ 9007199254740992 │ hand_a +│ missing/);
    expect(status.stdout).toMatch(/│ 9007199254740993 │ hand_b +│ missing/);
    const json = await cli(['status', '--json']);
    expect(json.stdout).toMatch(/"version": 9007199254740992,\n\s+"name": "hand_a"/);
    expect(json.stdout).toMatch(/"version": 9007199254740993,\n\s+"name": "hand_b"/);
    const validate = await cli(['validate']);
    expect(validate.code).toBe(3);
    expect(validate.stderr).toContain('version 9007199254740993 (hand_b) is applied but its file is missing');
    expect(validate.stderr).toContain('version 9007199254740992 (hand_a) is applied but its file is missing');
  });
});

describe('seed outside development', () => {
  it('refuses unless NODE_ENV is unset or development, dev, test, local (any case), or --allow-production', async () => {
    mkdirSync(join(project.dir, 'seeds'));
    writeFileSync(join(project.dir, 'seeds', '001_note.sql'), 'CREATE TABLE IF NOT EXISTS seeded (id int);\n');
    for (const nodeEnv of ['Production', 'PRODUCTION', 'prod', 'staging']) {
      const refused = await cli(['seed'], { NODE_ENV: nodeEnv });
      expect(refused.code, nodeEnv).toBe(2);
      expect(refused.stderr).toContain(`refusing to seed with NODE_ENV=${nodeEnv}`);
      expect(await tables()).toEqual([]);
    }
    for (const nodeEnv of ['Development', 'dev', 'TEST', 'local', undefined]) {
      const ran = await cli(['seed'], { NODE_ENV: nodeEnv });
      expect(ran.code, String(nodeEnv)).toBe(0);
    }
    expect((await cli(['seed', '--force'], { NODE_ENV: 'staging' })).code).toBe(2);
    expect((await cli(['seed', '--allow-production'], { NODE_ENV: 'staging' })).code).toBe(0);
    expect(await tables()).toEqual(['seeded']);
  });
});

describe('new', () => {
  it('creates the next numbered file with a skeleton and prints its path', async () => {
    project.write('0007_a.sql', tableMigration('a'));
    const result = await cli(['new', 'add_guilds']);
    expect(result.code).toBe(0);
    const path = result.stdout.trim();
    expect(path).toMatch(/0008_add_guilds\.sql$/);
    const text = readFileSync(join(project.dir, path.startsWith('/') ? '' : '', path), 'utf8');
    expect(text).toMatch(/^-- UP$/m);
    expect(text).toMatch(/^-- DOWN$/m);
    expect((await cli(['new', 'bad name!'])).code).toBe(2);
  });

  it('starts at 0001 in an empty directory', async () => {
    const result = await cli(['new', 'first']);
    expect(result.stdout.trim()).toMatch(/migrations\/0001_first\.sql$/);
  });
});

describe('file format errors (exit 2, naming the file, nothing applied)', () => {
  const cases: [string, string, string, RegExp][] = [
    ['bad name', 'create_users.sql', tableMigration('x'), /create_users\.sql: file name must be/],
    ['no UP', '0002_x.sql', 'CREATE TABLE x();\n', /0002_x\.sql: no "-- UP" marker/],
    [
      'DOWN first',
      '0002_x.sql',
      '-- DOWN\nDROP TABLE x;\n-- UP\nCREATE TABLE x();\n',
      /0002_x\.sql: "-- DOWN" \(line 1\) comes before "-- UP"/,
    ],
    ['duplicate version', '1_dup.sql', tableMigration('x'), /(0001_a|1_dup)\.sql: version 1 is also used by/],
  ];
  it.each(cases)('%s', async (_label, fileName, content, message) => {
    project.write('0001_a.sql', tableMigration('a'));
    project.write(fileName, content);
    const result = await cli(['up']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await tables()).toEqual([]);
  });

  it('rejects a file that is not valid UTF-8', async () => {
    project.write('0001_a.sql', Buffer.from([0x2d, 0x2d, 0x20, 0x55, 0x50, 0x0a, 0xff, 0xfe, 0x0a]));
    const result = await cli(['up']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('0001_a.sql: not valid UTF-8');
  });

  it('names a missing migrations directory', async () => {
    const result = await cli(['up', '--dir', 'nowhere']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/migrations directory .*nowhere does not exist/);
  });
});

describe('configuration', () => {
  it('reads DATABASE_URL from .env, real variables win', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    writeFileSync(join(project.dir, '.env'), `DATABASE_URL=${db.url}\n`);
    const fromDotEnv = await runCli(['up'], { cwd: project.dir });
    expect(fromDotEnv.code).toBe(0);
    expect(await tables()).toContain('a');
    const realWins = await runCli(['status'], {
      cwd: project.dir,
      env: { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x', AETURNIS_WAIT: '0' },
    });
    expect(realWins.code).toBe(4);
  });

  it('--database-url wins over DATABASE_URL; PG* variables are used when no URL is set', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const flag = await runCli(['up', '--database-url', db.url], {
      cwd: project.dir,
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' },
    });
    expect(flag.code).toBe(0);
    const url = new URL(db.url);
    const libpq = await runCli(['status', '--json'], {
      cwd: project.dir,
      env: {
        PGHOST: url.hostname,
        PGPORT: url.port,
        PGUSER: decodeURIComponent(url.username),
        PGPASSWORD: decodeURIComponent(url.password) || undefined,
        PGDATABASE: db.name,
      },
    });
    expect(libpq.code).toBe(0);
    expect(JSON.parse(libpq.stdout)[0].state).toBe('applied');
  });

  it('never prints the password', async () => {
    const result = await runCli(['status', '--database-url', 'postgres://game:hunter2secret@127.0.0.1:1/x', '--wait', '0'], {
      cwd: project.dir,
    });
    expect(result.code).toBe(4);
    expect(result.stderr + result.stdout).not.toContain('hunter2secret');
    const malformed = await runCli(['status', '--database-url', 'postgres://game:hunter2secret@host:port/x'], { cwd: project.dir });
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--database-url');
    expect(malformed.stderr + malformed.stdout).not.toContain('hunter2secret');
  });

  it('--log-format json writes one JSON object per line on stderr', async () => {
    project.write('0001_a.sql', tableMigration('a'));
    const result = await cli(['up', '--log-format', 'json']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('');
    const lines = result.stderr
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.event === 'applied')).toMatchObject({ level: 'info', version: 1, file: '0001_a.sql' });
    const failing = await cli(['up', '--dir', 'nowhere'], { AETURNIS_LOG_FORMAT: 'json' });
    expect(JSON.parse(failing.stderr.trim())).toMatchObject({ level: 'error' });
  });

  it('unknown commands and options are usage errors with a suggestion', async () => {
    const command = await cli(['stauts']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('Did you mean status?');
    const option = await cli(['up', '--dry-rnu']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('--dry-run');
  });

  it('--help and --version exit 0', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: aeturnis-db');
    // `--help` alone is answered from the text the build made; the same help drawn by commander:
    const drawn = await cli(['--log-format', 'human', '--help']);
    expect(help.stdout).toBe(drawn.stdout);
    for (const command of ['up', 'status', 'lint', 'adopt', 'reset', 'types'])
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version);
  });
});

void mkdirSync;

describe('output through a pipe', () => {
  it('status --json of 1,500 migrations arrives whole (more than a pipe buffer)', async () => {
    for (let v = 1; v <= 1500; v++) project.write(`${String(v).padStart(4, '0')}_create_table_number_${v}.sql`, tableMigration(`t${v}`));
    const result = await cli(['status', '--json']);
    expect(result.code).toBe(0);
    expect(result.stdout.length).toBeGreaterThan(128 * 1024);
    const rows = JSON.parse(result.stdout) as { version: number; state: string }[];
    expect(rows).toHaveLength(1500);
    expect(rows.at(-1)).toMatchObject({ version: 1500, state: 'pending' });
  });
});
