/**
 * `baseline VERSION` on a database built without any tool: the migrations up to VERSION are
 * recorded as applied without running them (status says so), `up` applies the rest; a journal
 * with rows is refused (exit 3), an unknown VERSION is exit 2, `--dry-run` records nothing.
 */
import { describe, expect, it } from 'vitest';
import { tableMigration } from '../support/project.js';
import { oneError, useTestProject } from '../support/test-project.js';

const { db, project, cli, versions, tables } = useTestProject();

function writeFour(): void {
  for (const [i, name] of ['players', 'guilds', 'items', 'inventory'].entries())
    project.write(`000${i + 1}_create_${name}.sql`, tableMigration(name));
}

describe('baseline VERSION', () => {
  it('records every migration up to VERSION without running it; up applies the rest', async () => {
    writeFour();
    // The database as restored from a dump: the first three tables exist, no journal.
    await db.query(
      'CREATE TABLE players (id int PRIMARY KEY); CREATE TABLE guilds (id int PRIMARY KEY); CREATE TABLE items (id int PRIMARY KEY)',
    );
    const result = await cli(['baseline', '3']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Recorded 0001_create_players.sql as applied (baseline, not run)');
    expect(result.stdout).toContain(
      'Baselined 3 migrations up to version 3 in public.schema_migrations; 1 pending (aeturnis-db up applies them)',
    );
    expect(await versions()).toEqual([1, 2, 3]);
    expect(await db.query('SELECT DISTINCT execution_ms FROM schema_migrations')).toEqual([{ execution_ms: 0 }]);

    const status = JSON.parse((await cli(['status', '--json'])).stdout) as { state: string; adoptedFrom?: string }[];
    expect(status.map((row) => [row.state, row.adoptedFrom ?? null])).toEqual([
      ['applied', 'baseline'],
      ['applied', 'baseline'],
      ['applied', 'baseline'],
      ['pending', null],
    ]);
    expect((await cli(['status'])).stdout).toContain('applied (baseline)');

    const up = await cli(['up', '--no-partitions']);
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('0004_create_inventory.sql');
    expect(await versions()).toEqual([1, 2, 3, 4]);
    expect(await tables()).toContain('inventory');
  });

  it('refuses (exit 3) when the journal already has rows; nothing is recorded', async () => {
    writeFour();
    expect((await cli(['up', '--to', '1', '--no-partitions'])).code).toBe(0);
    const result = await cli(['baseline', '3']);
    expect(result.code).toBe(3);
    expect(oneError(result)).toBe(
      'error: the journal public.schema_migrations already records 1 applied migration (newest: version 1): baseline only records into an empty journal (use up to apply what is pending)',
    );
    expect(await versions()).toEqual([1]);
  });

  it('a VERSION no local file has is exit 2, naming the directory and the versions there', async () => {
    writeFour();
    const result = await cli(['baseline', '7']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toBe(
      `error: baseline 7: no migration in ${project.migrationsDir} has version 7 (its versions run from 1 to 4)`,
    );
    expect(await tables()).toEqual([]);
    const notNumber = await cli(['baseline', 'latest']);
    expect(notNumber.code).toBe(2);
    expect(oneError(notNumber)).toBe('error: baseline VERSION must be a whole number >= 0 (got "latest")');
  });

  it('--dry-run prints what it would record and creates nothing; --json lists the rows', async () => {
    writeFour();
    const dry = await cli(['baseline', '2', '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.stdout)).toEqual([
      { version: 1, name: 'create_players', file: '0001_create_players.sql', recorded: false },
      { version: 2, name: 'create_guilds', file: '0002_create_guilds.sql', recorded: false },
    ]);
    expect(dry.stderr).toContain('Dry run: 2 migrations up to version 2 would be recorded in public.schema_migrations; 2 pending');
    expect(await tables()).toEqual([]);
  });

  it("is refused with adopt's way out where another tool's journal holds the name", async () => {
    writeFour();
    await db.query('CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean NOT NULL)');
    const result = await cli(['baseline', '2']);
    expect(result.code).toBe(2);
    expect(oneError(result)).toMatch(/or adopt it: aeturnis-db adopt --from golang-migrate$/);
  });
});
