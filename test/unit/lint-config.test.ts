import { describe, expect, it } from 'vitest';
import { parseLintConfig, parseRuleList, resolveLevels, type LevelSettings } from '../../src/lint/config.js';
import { formatFinding, summaryLine } from '../../src/cli/lint-format.js';
import { appliesToSection, squawkRuleFlags } from '../../src/lint/rules.js';
import { squawkBinaryPath, type Resolve } from '../../src/lint/squawk-binary.js';
import { squawkArguments } from '../../src/lint/squawk-run.js';

const settings = (overrides: Partial<LevelSettings> = {}): LevelSettings => ({
  config: { rules: {} },
  include: [],
  exclude: [],
  lockRetries: true,
  ...overrides,
});

describe('default levels', () => {
  const levelOf = resolveLevels(settings());
  it('keeps squawk’s lock and rewrite rules as errors and style rules as warnings', () => {
    expect(levelOf('require-concurrent-index-creation')).toBe('error');
    expect(levelOf('adding-required-field')).toBe('error');
    expect(levelOf('changing-column-type')).toBe('error');
    expect(levelOf('prefer-bigint-over-int')).toBe('warning');
    expect(levelOf('require-statement-timeout')).toBe('warning');
  });
  it('turns off the rules aeturnis-db makes moot', () => {
    expect(levelOf('prefer-robust-stmts')).toBe('off');
    expect(levelOf('ban-concurrent-index-creation-in-transaction')).toBe('off');
    expect(levelOf('require-lock-timeout')).toBe('off');
  });
  it('turns require-lock-timeout back on while lock retries are off', () => {
    expect(resolveLevels(settings({ lockRetries: false }))('require-lock-timeout')).toBe('error');
  });
  it('has the own rules at their levels', () => {
    expect(levelOf('requires-no-transaction')).toBe('error');
    expect(levelOf('not-rerunnable')).toBe('warning');
    expect(levelOf('irreversible')).toBe('warning');
    expect(levelOf('lint-ignore')).toBe('error');
  });
});

describe('configuration and flags', () => {
  it('reads levels per rule, "on" meaning the rule’s usual level', () => {
    const config = parseLintConfig(
      '{"rules": {"ban-drop-column": "off", "require-table-schema": "on", "prefer-identity": "error"}, "pgVersion": 15}',
      'aeturnis-db.lint.json',
    );
    expect(config).toEqual({
      rules: { 'ban-drop-column': 'off', 'require-table-schema': 'error', 'prefer-identity': 'error' },
      pgVersion: '15',
    });
  });

  it('refuses what it cannot use, naming the file and the key or rule', () => {
    const refusal = (text: string) => {
      try {
        parseLintConfig(text, 'aeturnis-db.lint.json');
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal('{"rules": {"ban-drop-colum": "off"}}')).toBe(
      'aeturnis-db.lint.json: unknown rule "ban-drop-colum" (docs/lint.md lists the rules)',
    );
    expect(refusal('{"rules": {"ban-drop-column": "fatal"}}')).toBe(
      'aeturnis-db.lint.json: rule "ban-drop-column" must be "error", "warning", "off" or "on" (got "fatal")',
    );
    expect(refusal('{"exclude": []}')).toBe('aeturnis-db.lint.json: unknown key "exclude" (known: rules, pgVersion)');
    expect(refusal('{"pgVersion": "fifteen"}')).toContain('"pgVersion" must be a PostgreSQL version');
    expect(refusal('[]')).toContain('must hold a JSON object');
    expect(refusal('{"rules": ')).toMatch(/^aeturnis-db.lint.json: not valid JSON/);
    expect(() => parseRuleList('ban-drop-column,nope', '--exclude')).toThrow('--exclude: unknown rule "nope"');
  });

  it('lets flags win over the file, --exclude over --include', () => {
    const config = {
      rules: { 'ban-drop-column': 'off' as const, 'prefer-identity': 'error' as const, 'renaming-table': 'warning' as const },
    };
    const levelOf = resolveLevels(
      settings({
        config,
        include: ['ban-drop-column', 'renaming-table', 'require-table-schema', 'irreversible'],
        exclude: ['prefer-identity', 'irreversible'],
      }),
    );
    expect(levelOf('ban-drop-column')).toBe('error');
    expect(levelOf('renaming-table')).toBe('warning');
    expect(levelOf('require-table-schema')).toBe('error');
    expect(levelOf('prefer-identity')).toBe('off');
    expect(levelOf('irreversible')).toBe('off');
  });

  it('passes squawk the rules to skip and the opt-in rules to run', () => {
    const levelOf = resolveLevels(settings({ include: ['require-table-schema'], exclude: ['ban-drop-column'] }));
    const flags = squawkRuleFlags(levelOf);
    expect([...flags.exclude].sort()).toEqual([
      'ban-concurrent-index-creation-in-transaction',
      'ban-drop-column',
      'prefer-robust-stmts',
      'require-lock-timeout',
    ]);
    expect(flags.include).toEqual(['require-table-schema']);
    expect(squawkArguments(['section-0.sql'], true, { ...flags, pgVersion: '15' })).toEqual([
      '--reporter',
      'json',
      '--assume-in-transaction',
      `--exclude=${flags.exclude.join(',')}`,
      '--include=require-table-schema',
      '--pg-version=15',
      '--',
      'section-0.sql',
    ]);
    expect(squawkArguments(['section-1.sql'], false, { exclude: [], include: [] })).toEqual([
      '--reporter',
      'json',
      '--no-assume-in-transaction',
      '--',
      'section-1.sql',
    ]);
  });

  it('does not report dropping in a DOWN section what it is there to drop', () => {
    expect(appliesToSection('ban-drop-table', 'down')).toBe(false);
    expect(appliesToSection('ban-drop-column', 'down')).toBe(false);
    expect(appliesToSection('ban-drop-table', 'up')).toBe(true);
    expect(appliesToSection('require-concurrent-index-deletion', 'down')).toBe(true);
  });
});

describe('output', () => {
  it('prints FILE:LINE:COL: rule: message, then level and help', () => {
    const finding = {
      file: 'migrations/0002_x.sql',
      line: 3,
      column: 21,
      rule: 'adding-required-field',
      level: 'error' as const,
      message: 'Adding a new column that is `NOT NULL` and has no default value ...',
      help: 'Make the field nullable or add a non-VOLATILE DEFAULT',
      source: 'squawk' as const,
    };
    expect(formatFinding(finding)).toBe(
      'migrations/0002_x.sql:3:21: adding-required-field: Adding a new column that is `NOT NULL` and has no default value ...\n  [error] help: Make the field nullable or add a non-VOLATILE DEFAULT',
    );
    expect(formatFinding({ ...finding, help: undefined, level: 'warning' })).toMatch(/\n {2}\[warning\]$/);
    expect(summaryLine({ files: 1, errors: 0, warnings: 0 })).toBe('Checked 1 migration: no findings');
    expect(summaryLine({ files: 3, errors: 1, warnings: 2 })).toBe('Checked 3 migrations: 1 error, 2 warnings');
  });
});

describe('squawk’s binary', () => {
  const installed =
    (missing: string[]): Resolve =>
    (specifier) => {
      if (missing.some((name) => specifier.startsWith(name))) throw new Error(`Cannot find module '${specifier}'`);
      return `/app/node_modules/${specifier}`;
    };
  it('is resolved from the platform package next to squawk-cli', () => {
    expect(squawkBinaryPath(installed([]), 'linux', 'x64')).toBe('/app/node_modules/@squawk-cli/linux-x64/bin/squawk');
    expect(squawkBinaryPath(installed([]), 'win32', 'x64')).toBe('/app/node_modules/@squawk-cli/win32-x64/bin/squawk.exe');
  });
  it('says in one line how to get it when it is missing: --include=optional, as both packages are optional', () => {
    const fix =
      'optional dependencies were skipped (npm install --omit=optional, or omit=optional in .npmrc): run "npm install --include=optional"';
    expect(() => squawkBinaryPath(installed(['@squawk-cli/']), 'linux', 'x64')).toThrow(
      `lint needs squawk's binary for linux-x64, the optional package @squawk-cli/linux-x64, which is not installed: ${fix}`,
    );
    // npm install --omit=optional leaves out squawk-cli itself too: the fix is the same.
    expect(() => squawkBinaryPath(installed(['squawk-cli', '@squawk-cli/']), 'linux', 'x64')).toThrow(
      `lint needs squawk, from aeturnis-db's optional dependency squawk-cli, which is not installed: ${fix}`,
    );
    expect(() => squawkBinaryPath(installed([]), 'freebsd', 'x64')).toThrow('lint needs squawk, which has no binary for freebsd-x64');
  });
});
