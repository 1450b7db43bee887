import type { TargetOutcome } from '../api/fleet.js';
import type { FleetCommand, FleetStatusRow } from './fleet-command.js';
import type { Painter } from './fleet-output.js';
import { formatMs } from './format.js';
import { renderAsciiTable } from './table.js';

/** The summary of a fleet run: a table (a matrix for status), or one JSON object per target. Pure but for cli-table3's lazy import. */

const NOT_STARTED: Record<string, string> = {
  'fail-fast': 'not started (--fail-fast)',
  'canary-failed': 'not started (a canary failed)',
  interrupted: 'not started (interrupted)',
};

/**
 * A target's Result cell: `ok` (or what the command says of its result), `failed (exit 1): ...`,
 * `interrupted: ...`, `not started (--fail-fast)`.
 *
 * @example
 * resultText({ state: 'failed', exitCode: 4, error: 'could not connect ...' }, {}) // 'failed (exit 4): could not connect ...'
 */
export function resultText<R>(outcome: TargetOutcome<R>, spec: Pick<FleetCommand<R>, 'describe'>): string {
  switch (outcome.state) {
    case 'succeeded':
      return spec.describe && outcome.result !== undefined ? spec.describe(outcome.result) : 'ok';
    case 'failed':
      return `failed (exit ${outcome.exitCode}): ${outcome.error ?? ''}`;
    case 'interrupted':
      return outcome.error ?? 'interrupted';
    case 'not-started':
      return NOT_STARTED[outcome.notStarted ?? 'interrupted'] ?? 'not started';
  }
}

/**
 * The line a target ends with in plain output.
 *
 * @example
 * doneLine(outcome, spec, 'Applied') // 'ok: 2 → 5, 3 applied (120 ms)'
 */
export function doneLine<R>(outcome: TargetOutcome<R>, spec: Pick<FleetCommand<R>, 'describe'>, changed: string): string {
  const parts: string[] = [];
  if (outcome.versions) parts.push(versionCell(outcome));
  const count = changeCount(outcome);
  if (outcome.versions) parts.push(`${count} ${changed.toLowerCase()}`);
  const details = parts.length > 0 ? `${parts.join(', ')}, ` : '';
  return `${resultText(outcome, spec)} (${details}${formatMs(outcome.ms)})`;
}

function changeCount(outcome: TargetOutcome<unknown>): number {
  return outcome.applied.length + outcome.rolledBack.length;
}

function version(versions: readonly number[]): string {
  return versions.length === 0 ? 'none' : String(Math.max(...versions));
}

function versionCell(outcome: TargetOutcome<unknown>): string {
  if (!outcome.versions) return '';
  return `${version(outcome.versions.before)} → ${version(outcome.versions.after)}`;
}

/** Head and rows of the summary table. `changed`: the count column's title (Applied, Rolled back). */
export function summaryCells<R>(outcomes: readonly TargetOutcome<R>[], spec: FleetCommand<R>, changed: string, painter: Painter): { head: string[]; rows: string[][] } {
  if (spec.statusRow) return statusMatrix(outcomes, spec.statusRow, painter);
  const tracked = spec.journal !== undefined;
  const head = ['Target', ...(tracked ? ['Version', changed] : []), 'Time', 'Result'];
  const rows = outcomes.map((outcome) => [
    outcome.target,
    ...(tracked ? [versionCell(outcome), outcome.versions ? String(changeCount(outcome)) : ''] : []),
    outcome.state === 'not-started' ? '' : formatMs(outcome.ms),
    paintResult(outcome, resultText(outcome, spec), painter),
  ]);
  return { head, rows };
}

function statusMatrix<R>(outcomes: readonly TargetOutcome<R>[], statusRow: (result: R) => FleetStatusRow, painter: Painter): { head: string[]; rows: string[][] } {
  const head = ['Target', 'Version', 'Applied', 'Pending', 'Problems'];
  const rows = outcomes.map((outcome) => {
    if (outcome.state !== 'succeeded' || outcome.result === undefined) return [outcome.target, '', '', '', paintResult(outcome, resultText(outcome, {}), painter)];
    const row = statusRow(outcome.result);
    const problems = row.problems.length === 0 ? 'none' : painter.red(row.problems.join('; '));
    const pending = row.pending > 0 ? painter.yellow(String(row.pending)) : '0';
    return [outcome.target, row.version || 'none', String(row.applied), pending, problems];
  });
  return { head, rows };
}

function paintResult(outcome: TargetOutcome<unknown>, text: string, painter: Painter): string {
  if (outcome.state === 'succeeded') return painter.green(text);
  if (outcome.state === 'not-started') return painter.yellow(text);
  return painter.red(text);
}

/** Draws the table as the status command does (cli-table3, or the same drawing in linear time for plain ASCII). */
export async function renderSummary(head: string[], rows: string[][], painter: Painter): Promise<string> {
  const fast = renderAsciiTable(head, rows, { head: painter.cyan, border: painter.gray });
  if (fast !== undefined) return fast;
  const { default: Table } = await import('cli-table3');
  const coloured = painter.cyan('x') !== 'x';
  const table = new Table({ head, style: { head: coloured ? ['cyan'] : [], border: coloured ? ['grey'] : [] } });
  for (const row of rows) table.push(row);
  return table.toString();
}
