import Table from 'cli-table3';
import { describe, expect, it } from 'vitest';
import { renderAsciiTable } from '../../src/cli/table.js';

const HEAD = ['Version', 'Name', 'State', 'Applied at', 'Duration'];
const plain = { head: (s: string) => s, border: (s: string) => s };

function cliTable3(rows: string[][]): string {
  const table = new Table({ head: HEAD, style: { head: [], border: [] } });
  for (const row of rows) table.push(row);
  return table.toString();
}

describe('renderAsciiTable (status table in linear time)', () => {
  it('draws exactly what cli-table3 draws', () => {
    const rows = [
      ['1', 'extensions_and_helpers', 'applied', '2026-11-23 10:58:03Z', '14 ms'],
      ['2', 'create_users', 'modified', '2026-11-23 10:58:03Z', '1.2 s'],
      ['10', 'add_guilds', 'pending (out of order)', '', ''],
      ['1234567', 'x', 'missing', '2026-11-23 10:58:03Z', '0 ms'],
    ];
    expect(renderAsciiTable(HEAD, rows, plain)).toBe(cliTable3(rows));
    expect(renderAsciiTable(HEAD, rows.slice(0, 1), plain)).toBe(cliTable3(rows.slice(0, 1)));
  });

  it('matches cli-table3 on random tables', () => {
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let trial = 0; trial < 50; trial++) {
      const rows = Array.from({ length: 1 + random(30) }, (_, i) => [
        String(random(10 ** (1 + (i % 6)))),
        `${'n'.repeat(random(25))}_${i}`,
        ['applied', 'pending', 'modified', 'missing'][random(4)] as string,
        random(2) ? '2026-11-23 10:58:03Z' : '',
        random(2) ? `${random(2000)} ms` : '',
      ]);
      expect(renderAsciiTable(HEAD, rows, plain)).toBe(cliTable3(rows));
    }
  });

  it('measures cells without their colour codes and colours head and border like cli-table3', () => {
    const green = (s: string) => `\u001b[32m${s}\u001b[39m`;
    const cyan = (s: string) => `\u001b[36m${s}\u001b[39m`;
    const grey = (s: string) => `\u001b[90m${s}\u001b[39m`;
    const out = renderAsciiTable(['A', 'State'], [['1', green('applied')]], { head: cyan, border: grey });
    expect(out).toBe(
      [
        `${grey('┌───')}${grey('┬─────────┐')}`,
        `${grey('│')}${cyan(' A ')}${grey('│')}${cyan(' State   ')}${grey('│')}`,
        `${grey('├───')}${grey('┼─────────┤')}`,
        `${grey('│')} 1 ${grey('│')} ${green('applied')} ${grey('│')}`,
        `${grey('└───')}${grey('┴─────────┘')}`,
      ].join('\n'),
    );
  });

  it('leaves text that is not plain ASCII to cli-table3', () => {
    expect(renderAsciiTable(HEAD, [['1', 'gilde_münchen', 'applied', '', '']], plain)).toBeUndefined();
    expect(renderAsciiTable(HEAD, [['1', '公会', 'applied', '', '']], plain)).toBeUndefined();
    expect(renderAsciiTable(HEAD, [['1', 'tab\there', 'applied', '', '']], plain)).toBeUndefined();
  });

  it('renders 10,000 rows quickly', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [String(i), `step_${i}`, 'applied', '2026-11-23 10:58:03Z', '1 ms']);
    const started = performance.now();
    const out = renderAsciiTable(HEAD, rows, plain);
    expect(out?.split('\n')).toHaveLength(2 * 10_000 + 3);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
