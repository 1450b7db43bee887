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
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
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

  it('renders 10,000 rows', () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => [String(i), `step_${i}`, 'applied', '2026-11-23 10:58:03Z', '1 ms']);
    const out = renderAsciiTable(HEAD, rows, plain);
    expect(out?.split('\n')).toHaveLength(2 * 10_000 + 3);
  });

  // In linear time, shown by counting (timings belong in bench/functions.mjs): every cell read
  // is counted, and 10 times the rows must mean 10 times the reads. cli-table3's layout, which
  // checks each cell against every cell above it, reads ~100 times more.
  it('reads 10 times the cells for 10 times the rows', () => {
    const cellReads = (rowCount: number): number => {
      let reads = 0;
      const rows = Array.from({ length: rowCount }, (_, i) => {
        const cells = [String(i), `step_${i}`, 'applied', '2026-11-23 10:58:03Z', '1 ms'];
        return new Proxy(cells, {
          get(target, key, receiver) {
            if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
            return Reflect.get(target, key, receiver);
          },
        });
      });
      expect(renderAsciiTable(HEAD, rows, plain)?.split('\n')).toHaveLength(2 * rowCount + 3);
      return reads;
    };
    const small = cellReads(500);
    const large = cellReads(5_000);
    expect(small).toBeGreaterThan(0);
    expect(large).toBeLessThanOrEqual(10.5 * small);
  });
});
