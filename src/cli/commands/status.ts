import type { Command } from 'commander';
import { status } from '../../migrator.js';
import type { MigrationStatus } from '../../migrations/plan.js';
import { commandContext } from '../context.js';
import { formatMs } from '../render.js';

/** `status [--json]` */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show every known migration: applied, pending, modified or missing')
    .option('--json', 'print the rows as a JSON array on stdout (nothing else on stdout)')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const { output, common } = await commandContext(command, { stdoutIsData: Boolean(flags.json) });
      const result = await status(common);
      if (flags.json) {
        output.data(JSON.stringify(result.migrations.map(toJsonRow), null, 2));
        return;
      }
      output.data(await renderTable(result.migrations));
      const counts = countStates(result.migrations);
      output.info(counts);
      if (result.partitions) output.info(result.partitions.summary);
      for (const problem of result.problems) output.warn(problem);
    });
}

function toJsonRow(row: MigrationStatus) {
  return {
    version: row.version,
    name: row.name,
    state: row.state,
    appliedAt: row.appliedAt ? row.appliedAt.toISOString() : null,
    executionMs: row.executionMs ?? null,
    file: row.fileName ?? null,
  };
}

async function renderTable(rows: MigrationStatus[]): Promise<string> {
  const [{ default: Table }, { Chalk, supportsColor }] = await Promise.all([import('cli-table3'), import('chalk')]);
  const noColor = (process.env.NO_COLOR ?? '') !== '' || !supportsColor || supportsColor.level === 0;
  const chalk = new Chalk({ level: noColor || !supportsColor ? 0 : supportsColor.level });
  const paint: Record<MigrationStatus['state'], (s: string) => string> = {
    applied: chalk.green,
    pending: chalk.yellow,
    modified: chalk.red,
    missing: chalk.red,
  };
  const table = new Table({
    head: ['Version', 'Name', 'State', 'Applied at', 'Duration'],
    style: { head: noColor ? [] : ['cyan'], border: noColor ? [] : ['grey'] },
  });
  for (const row of rows) {
    table.push([
      String(row.version),
      row.name,
      paint[row.state](row.outOfOrder ? `${row.state} (out of order)` : row.state),
      row.appliedAt ? row.appliedAt.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '',
      row.executionMs !== undefined ? formatMs(row.executionMs) : '',
    ]);
  }
  if (rows.length === 0) return 'No migrations found.';
  return table.toString();
}

function countStates(rows: MigrationStatus[]): string {
  const count = (state: MigrationStatus['state']) => rows.filter((r) => r.state === state).length;
  const parts = [`${count('applied')} applied`, `${count('pending')} pending`];
  if (count('modified') > 0) parts.push(`${count('modified')} modified`);
  if (count('missing') > 0) parts.push(`${count('missing')} missing`);
  return parts.join(', ');
}
