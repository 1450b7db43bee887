import { describe, expect, it } from 'vitest';
import { scanLintIgnores } from '../../src/lint/directives.js';
import type { RawFinding } from '../../src/lint/finding.js';
import { settleFindings } from '../../src/lint/settle.js';

const header = (lines: string[]) => `${lines.join('\n')}\n-- UP\nALTER TABLE t ADD COLUMN a int NOT NULL;\n`;
const upLine = (lines: string[]) => lines.length + 1;

describe('-- aeturnis:lint-ignore in the header', () => {
  it('reads the rules and the reason', () => {
    const lines = ['-- add a required column', '-- aeturnis:lint-ignore adding-required-field, prefer-bigint-over-int: backfilled in 0012'];
    expect(scanLintIgnores(header(lines), upLine(lines))).toEqual({
      ignores: [{ rules: ['adding-required-field', 'prefer-bigint-over-int'], reason: 'backfilled in 0012', line: 2 }],
      problems: [],
    });
  });

  it('makes a directive without a reason a finding that silences nothing', () => {
    const lines = ['  --aeturnis:lint-ignore adding-required-field'];
    const { ignores, problems } = scanLintIgnores(header(lines), upLine(lines));
    expect(ignores).toEqual([]);
    expect(problems).toEqual([
      {
        rule: 'lint-ignore',
        line: 1,
        column: 3,
        message: 'this lint-ignore of adding-required-field gives no reason, so it silences nothing: say why after a colon',
        help: 'write it as: -- aeturnis:lint-ignore adding-required-field: backfilled in 0012',
        source: 'aeturnis-db',
      },
    ]);
    const blankReason = ['-- aeturnis:lint-ignore adding-required-field:   '];
    expect(scanLintIgnores(header(blankReason), 2).problems[0]?.message).toContain('gives no reason');
  });

  it('refuses unknown rules, no rules, silencing itself, and directives after -- UP', () => {
    const messages = (lines: string[], text = header(lines)) => scanLintIgnores(text, upLine(lines)).problems.map((p) => p.message);
    expect(messages(['-- aeturnis:lint-ignore adding-requird-field: typo'])).toEqual([
      'this lint-ignore names an unknown rule "adding-requird-field", so it silences nothing',
    ]);
    expect(messages(['-- aeturnis:lint-ignore : why'])).toEqual(['this lint-ignore names no rule, so it silences nothing']);
    expect(messages(['-- aeturnis:lint-ignore lint-ignore: quiet'])).toEqual([
      '"lint-ignore" cannot be silenced: fix the directive instead',
    ]);
    const inUp = '-- UP\n-- aeturnis:lint-ignore ban-drop-table: later\nDROP TABLE t;\n';
    expect(scanLintIgnores(inUp, 1).problems.map((p) => [p.line, p.message])).toEqual([
      [2, 'this lint-ignore stands after "-- UP" and silences nothing: directives belong in the header, before "-- UP"'],
    ]);
  });

  it('refuses to silence the rules that mean the migration fails when it runs', () => {
    const messages = (lines: string[]) => scanLintIgnores(header(lines), upLine(lines));
    const syntax = messages(['-- aeturnis:lint-ignore syntax-error: squawk is wrong']);
    expect(syntax.ignores).toEqual([]);
    expect(syntax.problems.map((p) => p.message)).toEqual([
      '"syntax-error" cannot be silenced, so this lint-ignore silences nothing: PostgreSQL cannot parse the statement, so the migration fails when it runs: fix the SQL',
    ]);
    const transaction = messages(['-- aeturnis:lint-ignore ban-drop-column, requires-no-transaction: runs by hand']);
    expect(transaction.ignores).toEqual([]);
    expect(transaction.problems.map((p) => p.message)).toEqual([
      '"requires-no-transaction" cannot be silenced, so this lint-ignore silences nothing: the statement fails inside the transaction the migration runs in: add "-- aeturnis:no-transaction" to the header, or move the statement to a migration that has it',
    ]);
  });

  it('does not take a longer directive name for lint-ignore', () => {
    expect(scanLintIgnores('-- aeturnis:lint-ignored x: y\n-- UP\n', 2)).toEqual({ ignores: [], problems: [] });
  });
});

describe('settleFindings', () => {
  const raw = (rule: string, line: number, help?: string): RawFinding => ({
    rule,
    line,
    column: 1,
    message: `${rule} here`,
    help,
    source: 'squawk',
  });
  const levels: Record<string, 'error' | 'warning' | 'off'> = {
    'require-concurrent-index-creation': 'error',
    'adding-required-field': 'error',
    'prefer-bigint-over-int': 'warning',
    'ban-drop-column': 'off',
  };
  const levelOf = (rule: string) => levels[rule] ?? 'error';

  it('drops silenced and switched-off rules and gives the others their level', () => {
    const found = settleFindings(
      [raw('adding-required-field', 4), raw('prefer-bigint-over-int', 4), raw('ban-drop-column', 5)],
      {
        file: 'migrations/0004_x.sql',
        transactional: true,
        ignores: [{ rules: ['adding-required-field'], reason: 'backfilled', line: 1 }],
      },
      levelOf,
    );
    expect(found.map((f) => [f.file, f.rule, f.level])).toEqual([['migrations/0004_x.sql', 'prefer-bigint-over-int', 'warning']]);
  });

  it('completes squawk’s CONCURRENTLY advice for a transactional migration only', () => {
    const finding = raw('require-concurrent-index-creation', 2, 'Use `concurrently` to avoid blocking writes.');
    const [inTransaction] = settleFindings([finding], { file: 'a.sql', transactional: true, ignores: [] }, levelOf);
    expect(inTransaction?.help).toBe(
      'Use `concurrently` to avoid blocking writes. CONCURRENTLY cannot run in a transaction: put that statement in a migration of its own with "-- aeturnis:no-transaction" in its header',
    );
    const [withoutTransaction] = settleFindings([finding], { file: 'a.sql', transactional: false, ignores: [] }, levelOf);
    expect(withoutTransaction?.help).toBe('Use `concurrently` to avoid blocking writes.');
  });
});
