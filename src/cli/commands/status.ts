import type { Command } from 'commander';
import type { MigrationStatus, StatusResult } from '../../api/status.js';
import { commandContext } from '../context.js';
import { runOnTargets, type FleetStatusRow } from '../fleet/index.js';
import { exactVersion, withExactVersions } from '../format.js';
import { coloursPossible, type Output } from '../output.js';
import { renderAsciiTable } from '../table.js';
import { formatMs } from '../render.js';
import { plural } from '../../plural.js';

/** `status [--json]` */
export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('show every known migration: applied, pending, modified or missing')
    .option('--json', 'print the rows as a JSON array on stdout (nothing else on stdout)')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const context = await commandContext(command, { stdoutIsData: Boolean(flags.json) });
      const { output } = context;
      const { status } = await import('../../api/status.js'); // loaded on use: --help stays fast
      await runOnTargets(command, context, {
        run: (options) => status(options),
        report: (result) => printStatus(output, result, flags.json === true),
        statusRow: fleetStatusRow,
        describe: describeStatus,
        json: (result) => ({ ...fleetStatusRow(result), version: newestVersion(result), migrations: result.migrations.map(toJsonRow) }),
      });
    });
}

/** The status of one database: the table, counts, a line per table registered for partition upkeep, problems (or the rows as JSON). */
async function printStatus(output: Output, result: StatusResult, json: boolean): Promise<void> {
  if (json) {
    output.data(statusJson(result.migrations));
    return;
  }
  output.data(await renderTable(result.migrations));
  output.info(countStates(result.migrations));
  // Each line carries its own advice on rows waiting in the default partition (partitions/report.ts).
  for (const table of result.partitionTables) output.info(table.summary);
  for (const problem of result.problems) output.warn(problem);
}

/** A fleet target's status in one line: `version 12, 2 pending, 1 problem`. */
function describeStatus(result: StatusResult): string {
  const row = fleetStatusRow(result);
  const problems = row.problems.length === 0 ? '' : `, ${plural(row.problems.length, 'problem')}`;
  return `version ${row.version || 'none'}, ${row.pending} pending${problems}`;
}

function newestVersion(result: StatusResult): number | string | null {
  const { version } = fleetStatusRow(result);
  return version === '' ? null : exactVersion(version);
}

/** A target's row in the status matrix of a fleet: newest applied version, counts, problems. */
function fleetStatusRow(result: StatusResult): FleetStatusRow {
  const applied = result.migrations.filter((row) => row.state === 'applied' || row.state === 'modified' || row.state === 'missing');
  return {
    version: applied.at(-1)?.versionText ?? '',
    applied: applied.length,
    pending: result.migrations.filter((row) => row.state === 'pending').length,
    problems: result.problems,
  };
}

/** One row of `status --json` (a version beyond 2^53 as a placeholder that {@link withExactVersions} turns back into the number). */
function toJsonRow(row: MigrationStatus): Record<string, unknown> {
  return {
    version: exactVersion(row.versionText),
    name: row.name,
    state: row.state,
    appliedAt: row.appliedAt ? row.appliedAt.toISOString() : null,
    executionMs: row.executionMs ?? null,
    file: row.fileName ?? null,
    ...(row.adoptedFrom ? { adoptedFrom: row.adoptedFrom } : {}),
    ...(row.rewrittenPlaceholder ? { rewrittenFromPlaceholder: row.rewrittenPlaceholder } : {}),
    ...(row.partial
      ? {
          partial: {
            direction: row.partial.direction,
            statementsApplied: row.partial.statementsApplied,
            statementCount: row.partial.statementCount,
            stoppedAt: row.partial.failedAt.toISOString(),
            invalidIndexes: row.partial.invalidIndexes,
          },
        }
      : {}),
  };
}

/**
 * The rows as JSON, versions as JSON numbers even beyond 2^53 (JSON.stringify would round them).
 */
function statusJson(rows: MigrationStatus[]): string {
  return withExactVersions(JSON.stringify(rows.map(toJsonRow), null, 2));
}

async function renderTable(rows: MigrationStatus[]): Promise<string> {
  if (rows.length === 0) return 'No migrations found.';
  // chalk is loaded only when colour is possible at all (not for pipes: CI, containers).
  const { Chalk, supportsColor } = coloursPossible() ? await import('chalk') : { Chalk: undefined, supportsColor: false as const };
  const noColor = (process.env.NO_COLOR ?? '') !== '' || !Chalk || !supportsColor || supportsColor.level === 0;
  const chalk = Chalk ? new Chalk({ level: noColor || !supportsColor ? 0 : supportsColor.level }) : undefined;
  const plain = (text: string) => text;
  const paint: Record<MigrationStatus['state'], (s: string) => string> = {
    applied: chalk?.green ?? plain,
    pending: chalk?.yellow ?? plain,
    modified: chalk?.red ?? plain,
    missing: chalk?.red ?? plain,
    partial: chalk?.red ?? plain,
  };
  const head = ['Version', 'Name', 'State', 'Applied at', 'Duration'];
  const cells = rows.map((row) => [
    row.versionText,
    row.name,
    paint[row.state](stateCell(row)),
    row.appliedAt
      ? row.appliedAt
          .toISOString()
          .replace('T', ' ')
          .replace(/\.\d+Z$/, 'Z')
      : '',
    row.executionMs !== undefined ? formatMs(row.executionMs) : '',
  ]);
  // The same drawing as cli-table3, in linear time (cli-table3 takes seconds for thousands of
  // rows); cli-table3 itself for text that is not plain ASCII (wide characters, emoji).
  const fast = renderAsciiTable(head, cells, {
    head: noColor || !chalk ? plain : chalk.cyan,
    border: noColor || !chalk ? plain : chalk.gray,
  });
  if (fast !== undefined) return fast;
  const { default: Table } = await import('cli-table3');
  const table = new Table({ head, style: { head: noColor ? [] : ['cyan'], border: noColor ? [] : ['grey'] } });
  for (const row of cells) table.push(row);
  return table.toString();
}

function stateCell(row: MigrationStatus): string {
  if (row.outOfOrder) return `${row.state} (out of order)`;
  if (row.adoptedFrom && !row.partial) {
    const from = row.adoptedFrom === 'baseline' ? 'baseline' : `adopted from ${row.adoptedFrom}`;
    const rewritten = row.rewrittenPlaceholder
      ? `; rewritten from a placeholder${row.rewrittenPlaceholder.checksumRecorded ? '' : ', checksum recorded at the next up'}`
      : '';
    return `${row.state} (${from}${rewritten})`;
  }
  if (!row.partial) return row.state;
  const { direction, statementsApplied, statementCount } = row.partial;
  return `partial (${direction} ${statementsApplied} of ${statementCount} statements)`;
}

function countStates(rows: MigrationStatus[]): string {
  const count = (state: MigrationStatus['state']) => rows.filter((r) => r.state === state).length;
  const parts = [`${count('applied')} applied`, `${count('pending')} pending`];
  if (count('modified') > 0) parts.push(`${count('modified')} modified`);
  if (count('missing') > 0) parts.push(`${count('missing')} missing`);
  if (count('partial') > 0) parts.push(`${count('partial')} partial`);
  return `${parts.join(', ')}${nextStep(count)}`;
}

/** What to run next, when the counts call for something. */
function nextStep(count: (state: MigrationStatus['state']) => number): string {
  if (count('modified') + count('missing') + count('partial') > 0) return ' (aeturnis-db validate says what to do about each)';
  const pending = count('pending');
  if (pending === 0) return '';
  return ` (aeturnis-db up applies ${pending === 1 ? 'it' : 'them'})`;
}
