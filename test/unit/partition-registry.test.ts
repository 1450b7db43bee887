// The partition registry's pure parts: the settings of `partitions register` and of the
// `-- aeturnis:partitions` directive (one grammar), the directive in a migration file, and how
// commander routes `partitions` with and without a subcommand.
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { MigrationFileError } from '../../src/errors.js';
import { parseMigration } from '../../src/migrations/parse.js';
import { describeSettings, parseDirectiveArguments, parseRegistrationFlags, settingChanges } from '../../src/partitions/registration.js';
import { directivesRegisterSql, registryOf } from '../../src/partitions/registry.js';
import { usageErrorOf } from '../support/usage-error.js';

describe('registration settings', () => {
  it('default to monthly, 3 ahead, nothing removed', () => {
    expect(parseRegistrationFlags({})).toEqual({ column: undefined, interval: 'month', ahead: 3, retain: null, retainMode: 'drop' });
  });

  it.each([
    ['day', 'day'],
    ['DAILY', 'day'],
    ['week', 'week'],
    ['weekly', 'week'],
    ['Month', 'month'],
    ['monthly', 'month'],
    ['year', 'year'],
    [' yearly ', 'year'],
  ])('read --interval %s as %s', (word, interval) => {
    expect(parseRegistrationFlags({ interval: word }).interval).toBe(interval);
  });

  it('read every flag, --column as SQL reads an identifier', () => {
    expect(parseRegistrationFlags({ column: '"OccurredAt"', interval: 'day', ahead: '7', retain: '30', retainMode: 'DETACH' })).toEqual({
      column: 'OccurredAt',
      interval: 'day',
      ahead: 7,
      retain: 30,
      retainMode: 'detach',
    });
    expect(parseRegistrationFlags({ column: 'Created_At' }).column).toBe('created_at');
    expect(parseRegistrationFlags({ ahead: 0, retain: 0 })).toMatchObject({ ahead: 0, retain: 0 });
  });

  it('bound --ahead per interval', () => {
    expect(parseRegistrationFlags({ interval: 'month', ahead: '120' }).ahead).toBe(120);
    expect(usageErrorOf(() => parseRegistrationFlags({ interval: 'month', ahead: '121' }))).toBe(
      '--ahead must be at most 120 months for --interval month (got 121)',
    );
    expect(parseRegistrationFlags({ interval: 'day', ahead: '3660' }).ahead).toBe(3660);
    expect(usageErrorOf(() => parseRegistrationFlags({ interval: 'day', ahead: '3661' }))).toMatch(/^--ahead must be at most 3660 days/);
    expect(usageErrorOf(() => parseRegistrationFlags({ interval: 'week', ahead: '521' }))).toMatch(/^--ahead must be at most 520 weeks/);
    expect(usageErrorOf(() => parseRegistrationFlags({ interval: 'year', ahead: '11' }))).toMatch(/^--ahead must be at most 10 years/);
    expect(usageErrorOf(() => parseRegistrationFlags({ ahead: 3.5 }))).toBe('--ahead must be a whole number >= 0 (got 3.5)');
  });

  it('refuse bad values in one line naming the flag', () => {
    expect(usageErrorOf(() => parseRegistrationFlags({ interval: 'fortnight' }))).toBe(
      '--interval must be day, week, month or year (got "fortnight")',
    );
    expect(usageErrorOf(() => parseRegistrationFlags({ ahead: '-1' }))).toBe('--ahead must be a whole number >= 0 (got "-1")');
    expect(usageErrorOf(() => parseRegistrationFlags({ retain: 'x' }))).toBe('--retain must be a whole number >= 0 (got "x")');
    expect(usageErrorOf(() => parseRegistrationFlags({ retain: '3', retainMode: 'archive' }))).toBe(
      '--retain-mode must be drop or detach (got "archive")',
    );
    expect(usageErrorOf(() => parseRegistrationFlags({ retainMode: 'detach' }))).toBe(
      '--retain-mode needs --retain M: without --retain no partition is ever removed',
    );
    expect(usageErrorOf(() => parseRegistrationFlags({ column: 'a.b' }))).toMatch(/^--column "a\.b" is not a valid column name/);
  });

  it('are described and compared in words', () => {
    const monthly = { column: 'created_at', interval: 'month', ahead: 3, retain: null, retainMode: 'drop' } as const;
    expect(describeSettings(monthly)).toBe('monthly, ahead 3');
    expect(describeSettings({ ...monthly, interval: 'day', ahead: 7, retain: 30 })).toBe('daily, ahead 7, retain 30 (drop)');
    expect(settingChanges(monthly, monthly)).toEqual([]);
    expect(settingChanges(monthly, { ...monthly, ahead: 6, retain: 12, retainMode: 'detach' })).toEqual([
      'ahead 3 → 6',
      'retain none → 12 (detach)',
    ]);
    expect(settingChanges(monthly, { ...monthly, interval: 'week' })).toEqual(['interval monthly → weekly']);
  });
});

describe('the directive arguments', () => {
  it('take TABLE and the flags of partitions register, --flag value or --flag=value', () => {
    const parsed = parseDirectiveArguments('App."Events" --interval=day --ahead 7  --retain 30 --retain-mode detach --column "At"');
    expect(parsed.table).toMatchObject({ schema: 'app', table: 'Events', quoted: '"app"."Events"' });
    expect(parsed.settings).toEqual({ column: 'At', interval: 'day', ahead: 7, retain: 30, retainMode: 'detach' });
    expect(parseDirectiveArguments('"my table"').table.table).toBe('my table');
  });

  it('refuse what the command would refuse, and more than one table', () => {
    expect(usageErrorOf(() => parseDirectiveArguments(''))).toMatch(/^name the table first/);
    expect(usageErrorOf(() => parseDirectiveArguments('--ahead 3'))).toMatch(/^name the table first/);
    expect(usageErrorOf(() => parseDirectiveArguments('a b'))).toBe('unexpected "b": one table per directive');
    expect(usageErrorOf(() => parseDirectiveArguments('a --dry-run'))).toMatch(/^unknown option --dry-run \(known: --column, /);
    expect(usageErrorOf(() => parseDirectiveArguments('a --ahead'))).toBe('--ahead needs a value');
    expect(usageErrorOf(() => parseDirectiveArguments('a --ahead --retain 3'))).toBe('--ahead needs a value');
    expect(usageErrorOf(() => parseDirectiveArguments('a --ahead 3 --ahead 4'))).toBe('--ahead is given twice');
    expect(usageErrorOf(() => parseDirectiveArguments('a --interval hourly'))).toMatch(/^--interval must be day, week, month or year/);
    expect(usageErrorOf(() => parseDirectiveArguments('"a'))).toBe('unclosed double quote');
  });
});

describe('-- aeturnis:partitions in a migration file', () => {
  const file = (header: string, body = '-- UP\nCREATE TABLE t (at date) PARTITION BY RANGE (at);\n-- DOWN\nDROP TABLE t;\n') =>
    parseMigration('0007_t.sql', `${header}${body}`);

  it('is read from the header, one table per line, with its line number', () => {
    const migration = file(
      '-- partitioned tables\n-- aeturnis:partitions t --interval week\n  --  AETURNIS:PARTITIONS app.u --retain 2  \n',
    );
    expect(migration.partitions).toEqual([
      {
        line: 2,
        table: expect.objectContaining({ schema: undefined, table: 't' }),
        settings: { column: undefined, interval: 'week', ahead: 3, retain: null, retainMode: 'drop' },
      },
      { line: 3, table: expect.objectContaining({ schema: 'app', table: 'u' }), settings: expect.objectContaining({ retain: 2 }) },
    ]);
    expect(file('').partitions).toEqual([]);
  });

  it('is refused naming the file and line: a bad flag, a table twice, the directive after -- UP', () => {
    const refusal = (header: string, body?: string): string => {
      try {
        file(header, body);
      } catch (error) {
        expect(error).toBeInstanceOf(MigrationFileError);
        return (error as Error).message;
      }
      throw new Error('expected a MigrationFileError');
    };
    expect(refusal('\n-- aeturnis:partitions t --interval fortnight\n')).toBe(
      '0007_t.sql: line 2: "-- aeturnis:partitions": --interval must be day, week, month or year (got "fortnight")',
    );
    expect(refusal('-- aeturnis:partitions\n')).toMatch(/^0007_t\.sql: line 1: "-- aeturnis:partitions": name the table first/);
    expect(refusal('-- aeturnis:partitions t\n-- aeturnis:partitions public.u\n-- aeturnis:partitions T --ahead 1\n')).toBe(
      '0007_t.sql: line 3: "-- aeturnis:partitions t" repeats line 1: one directive per table',
    );
    expect(
      refusal('', '-- UP\nCREATE TABLE t (at date) PARTITION BY RANGE (at);\n-- aeturnis:partitions t\n-- DOWN\nDROP TABLE t;\n'),
    ).toBe('0007_t.sql: line 3: "-- aeturnis:partitions" belongs in the header, before "-- UP"');
    expect(refusal('', '-- UP\nSELECT 1;\n-- DOWN\n-- aeturnis:partitions t\n')).toBe(
      '0007_t.sql: line 4: "-- aeturnis:partitions" belongs in the header, before "-- UP"',
    );
  });
});

describe('partitions, with and without a subcommand', () => {
  /** Parses `args` with every partitions action replaced by a recorder: which command ran, with which flags. */
  async function route(args: string[]): Promise<{ command: string; args: unknown[]; flags: Record<string, unknown> } | string> {
    const program = buildProgram();
    let ran: { command: string; args: unknown[]; flags: Record<string, unknown> } | undefined;
    const partitions = program.commands.find((command) => command.name() === 'partitions') as Command;
    let help = '';
    program.configureOutput({ writeOut: (text) => (help += text), writeErr: () => {}, outputError: () => {} });
    for (const command of [partitions, ...partitions.commands]) {
      command.configureOutput({ writeOut: (text) => (help += text), writeErr: () => {}, outputError: () => {} });
      command.action((...received: unknown[]) => {
        const self = received.at(-1) as Command;
        ran = { command: self.name(), args: received.slice(0, -2), flags: self.optsWithGlobals() };
      });
    }
    try {
      await program.parseAsync(['node', 'aeturnis-db', ...args]);
    } catch (error) {
      if ((error as { code?: string }).code === 'commander.helpDisplayed') return help;
      throw error;
    }
    return ran ?? 'nothing ran';
  }

  it('runs upkeep with its own flags, unset when not given', async () => {
    expect(await route(['partitions', '--ahead', '9'])).toEqual({ command: 'partitions', args: [], flags: { ahead: '9' } });
    expect(await route(['partitions'])).toEqual({ command: 'partitions', args: [], flags: {} });
  });

  it('runs register, unregister, list with their flags wherever they stand', async () => {
    expect(
      await route(['partitions', 'register', 'events', '--ahead', '5', '--interval', 'day', '--database-url', 'postgres://h/d']),
    ).toEqual({
      command: 'register',
      args: ['events'],
      flags: { ahead: '5', interval: 'day', databaseUrl: 'postgres://h/d' },
    });
    expect(await route(['partitions', 'unregister', 'app.events'])).toMatchObject({ command: 'unregister', args: ['app.events'] });
    expect(await route(['partitions', 'list', '--json'])).toMatchObject({ command: 'list', flags: { json: true } });
  });

  it('has no --interval of its own any more, and lists the subcommands in --help', async () => {
    await expect(route(['partitions', '--interval', 'month'])).rejects.toThrow(/unknown option '--interval'/);
    const help = await route(['partitions', '--help']);
    expect(help).toMatch(/register \[options\] <table>/);
    expect(help).toMatch(/unregister <table>/);
    expect(help).toMatch(/list \[options\]/);
    expect(await route(['partitions', 'register', '--help'])).toMatch(/--retain-mode <mode>/);
  });
});

describe('the registry table', () => {
  it('is <journal>_partitions in the journal schema, quoted as the journal is', () => {
    expect(registryOf({ quoted: '"public"."schema_migrations"' })).toEqual({
      quoted: '"public"."schema_migrations_partitions"',
      display: 'public.schema_migrations_partitions',
    });
    expect(registryOf({ quoted: '"App"."Hist""ory"' }).display).toBe('"App"."Hist""ory_partitions"');
    // Cut to PostgreSQL's 63 bytes with a hash, as the journal's other companions are.
    expect(registryOf({ quoted: `"public"."${'j'.repeat(60)}"` }).quoted).toMatch(/^"public"\."j+_[0-9a-f]{8}_partitions"$/);
  });

  it('is written in a DO block whose dollar quote no table name can end', () => {
    const directive = parseDirectiveArguments('"a$aeturnis$b"');
    const sql = directivesRegisterSql({ quoted: '"public"."schema_migrations"' }, 7, [{ line: 1, ...directive }]);
    expect(sql).toMatch(/^DO \$aeturnis1\$\n/);
    expect(sql).toMatch(/\n\$aeturnis1\$$/);
    expect(sql).toContain('WHERE version = 7');
  });
});
