import type { TargetOutcome } from '../api/fleet.js';
import type { PrintedResult } from './fleet-command.js';
import type { Painter } from './fleet-output.js';
import { formatMs } from './format.js';
import { renderAsciiTable, type TableColours } from './table.js';

/** The summary of a fleet run: a table (a matrix for status), or one JSON object per target. Pure but for cli-table3's lazy import. */

const NOT_STARTED: Record<string, string> = {
  'fail-fast': 'not started (--fail-fast)',
  'canary-failed': 'not started (a canary failed)',
  interrupted: 'not started (interrupted)',
};

/**
 * A target's Result cell: `ok` (or what the command says of its result), `failed (exit 1): ...`,
 * `interrupted: ...`, `not started (--fail-fast)`.
 */
function resultText(outcome: TargetOutcome<PrintedResult>): string {
  switch (outcome.state) {
    case 'succeeded':
      return outcome.result?.text ?? 'ok';
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
 */
export function doneLine(outcome: TargetOutcome<PrintedResult>, changed: string): string {
  const parts: string[] = [];
  if (outcome.versions) parts.push(versionCell(outcome));
  const count = changeCount(outcome);
  if (outcome.versions) parts.push(`${count} ${changed.toLowerCase()}`);
  const details = parts.length > 0 ? `${parts.join(', ')}, ` : '';
  return `${resultText(outcome)} (${details}${formatMs(outcome.ms)})`;
}

function changeCount(outcome: TargetOutcome<unknown>): number {
  return outcome.applied.length + outcome.rolledBack.length;
}

function version(current: number | undefined): string {
  return current === undefined ? 'none' : String(current);
}

function versionCell(outcome: TargetOutcome<unknown>): string {
  if (!outcome.versions) return '';
  return `${version(outcome.versions.before)} → ${version(outcome.versions.after)}`;
}

/**
 * Head and rows of the summary table: the status matrix when `matrix`, else version before →
 * after and the count `changed` (Applied, Rolled back) when `tracked`, time and result.
 */
export function summaryCells(
  outcomes: readonly TargetOutcome<PrintedResult>[],
  layout: { matrix: boolean; tracked: boolean; changed: string },
  painter: Painter,
): { head: string[]; rows: string[][] } {
  if (layout.matrix) return statusMatrix(outcomes, painter);
  const { tracked, changed } = layout;
  const head = ['Target', ...(tracked ? ['Version', changed] : []), 'Time', 'Result'];
  const rows = outcomes.map((outcome) => [
    outcome.target,
    ...(tracked ? [versionCell(outcome), outcome.versions ? String(changeCount(outcome)) : ''] : []),
    outcome.state === 'not-started' ? '' : formatMs(outcome.ms),
    paintResult(outcome, resultText(outcome), painter),
  ]);
  return { head, rows };
}

function statusMatrix(outcomes: readonly TargetOutcome<PrintedResult>[], painter: Painter): { head: string[]; rows: string[][] } {
  const head = ['Target', 'Version', 'Applied', 'Pending', 'Problems'];
  const rows = outcomes.map((outcome) => {
    const row = outcome.result?.statusRow;
    if (outcome.state !== 'succeeded' || !row) return [outcome.target, '', '', '', paintResult(outcome, resultText(outcome), painter)];
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

/** Draws the table as the status command does (cli-table3, or the same drawing in linear time). */
export async function renderSummary(head: string[], rows: string[][], painter: Painter): Promise<string> {
  const fast = narrowTable(head, rows, { head: painter.cyan, border: painter.gray });
  if (fast !== undefined) return fast;
  const { default: Table } = await import('cli-table3');
  const coloured = painter.cyan('x') !== 'x';
  const table = new Table({ head, style: { head: coloured ? ['cyan'] : [], border: coloured ? ['grey'] : [] } });
  for (const row of rows) table.push(row);
  return table.toString();
}

/** Characters one column wide, like ASCII: the summary's `→`, PostgreSQL's and our `—`, accented letters. */
const NARROW = /[\u00a0-\u024f\u2010-\u2027\u2190-\u21ff]/g;
/** ASCII characters that stand in for them while the table is drawn (never part of a colour code). */
const STAND_INS = [...'~^`{}<>|@#'];

/**
 * renderAsciiTable for cells that also hold narrow non-ASCII characters: each is replaced by an
 * ASCII character no cell contains, the table drawn, and the character put back (same width, so
 * the same drawing). cli-table3 is quadratic in rows: a fleet of a thousand targets would wait
 * seconds for its summary. Undefined when that does not apply (wide characters, emoji).
 */
function narrowTable(head: string[], rows: string[][], colours: TableColours): string | undefined {
  const text = [head, ...rows].flat().join('');
  const narrow = [...new Set(text.match(NARROW) ?? [])];
  const spare = STAND_INS.filter((c) => !text.includes(c));
  if (narrow.length > spare.length) return undefined;
  const standIn = new Map(narrow.map((c, i) => [c, spare[i] as string]));
  const ascii = (cell: string): string => cell.replace(NARROW, (c) => standIn.get(c) ?? c);
  const drawn = renderAsciiTable(
    head.map(ascii),
    rows.map((row) => row.map(ascii)),
    colours,
  );
  if (drawn === undefined) return undefined;
  let restored = drawn;
  for (const [c, ascii] of standIn) restored = restored.split(ascii).join(c);
  return restored;
}
