import { describe, expect, it } from 'vitest';
import { ownFindings } from '../../src/lint/own-rules.js';
import { parseMigration, runsWithoutTransaction } from '../../src/migrations/parse.js';

const file = (header: string, up = 'CREATE INDEX CONCURRENTLY i ON t (a);\n', down = 'DROP INDEX CONCURRENTLY i;\n') =>
  parseMigration('0001_i.sql', `${header}-- UP\n${up}-- DOWN\n${down}`);

describe('-- aeturnis:no-transaction and its per-section form', () => {
  it('the plain directive takes both sections out of a transaction', () => {
    const m = file('-- aeturnis:no-transaction\n');
    expect([m.noTransaction, m.noTransactionSection]).toEqual([true, undefined]);
    expect([runsWithoutTransaction(m, 'up'), runsWithoutTransaction(m, 'down')]).toEqual([true, true]);
  });

  it('"up" or "down" (any case) takes only that section out; both lines are the plain directive', () => {
    const up = file('-- aeturnis:no-transaction up\n');
    expect([up.noTransaction, up.noTransactionSection]).toEqual([false, 'up']);
    expect([runsWithoutTransaction(up, 'up'), runsWithoutTransaction(up, 'down')]).toEqual([true, false]);
    const down = file('--   AETURNIS:NO-TRANSACTION   Down  \n');
    expect([runsWithoutTransaction(down, 'up'), runsWithoutTransaction(down, 'down')]).toEqual([false, true]);
    const both = file('-- aeturnis:no-transaction up\n-- aeturnis:no-transaction down\n');
    expect([both.noTransaction, both.noTransactionSection]).toEqual([true, undefined]);
  });

  it('refuses any other argument, naming the line', () => {
    expect(() => file('-- index\n-- aeturnis:no-transaction because CONCURRENTLY\n')).toThrow(
      '0001_i.sql: line 2: "-- aeturnis:no-transaction" takes nothing, "up" or "down" (only that section runs without a transaction), not "because CONCURRENTLY"',
    );
  });

  it('lint knows which section runs in a transaction: CONCURRENTLY is an error only in the other one', () => {
    const findings = ownFindings(file('-- aeturnis:no-transaction up\n'));
    expect(findings.filter((f) => f.rule === 'requires-no-transaction').map((f) => f.line)).toEqual([5]);
  });
});
