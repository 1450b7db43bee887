import type { TargetOutcome } from '../../api/fleet.js';
import type { CommonOptions } from '../../api/options.js';
import { formatMs, withExactVersions } from '../format.js';
import { coloursPossible } from '../output.js';
import { renderAsciiTable, type TableColours } from '../table.js';

/**
 * What a fleet run prints of each target: the contract a command fills in (how its result
 * reads), a target's last line, the summary table (a matrix for status) and the --json lines.
 * Pure but for chalk's and cli-table3's lazy imports. Loaded only with --targets, but for its
 * types, which index.ts uses.
 */

/** One row of the `status` matrix across a fleet. */
export interface FleetStatusRow {
  /** The newest applied version ('' when nothing is applied). */
  version: string;
  applied: number;
  pending: number;
  problems: string[];
}

/**
 * A command as the fleet runs it: how to run it on one database, how to print that result
 * without --targets, and how its result reads in the summary and in --json.
 */
export interface FleetCommand<R> {
  /** Runs the command on one database: `options` are the command's own (with --targets: a target's URL and events). Throws on failure. */
  run(options: CommonOptions): Promise<R>;
  /** Prints the result of a run on one database (no --targets). */
  report?(result: R): void | Promise<void>;
  /** The summary shows version before → after: `track` for up and down, `reread` for commands recording rows without running migrations (adopt, baseline). */
  journal?: 'track' | 'reread';
  /** The summary's Result cell of a target that succeeded (default `ok`). */
  describe?(result: R): string;
  /** A target's `result` in --json (default: the result as it is). */
  json?(result: R): unknown;
  /** With this, the summary is a matrix: one row per target with its version, pending count and problems. */
  statusRow?(result: R): FleetStatusRow;
}

/**
 * What the fleet keeps of a target's result once it ends: only what the summary and --json
 * print, so memory does not grow with the results of thousands of targets.
 */
export interface PrintedResult {
  /** The Result cell (and the end of the target's last line). */
  text: string;
  /** Its `result` in --json (kept only with --json). */
  json?: unknown;
  /** Its row in the status matrix. */
  statusRow?: FleetStatusRow | undefined;
}

/**
 * Reduces a result to what will be printed of it.
 */
export function printed<R>(spec: FleetCommand<R>, result: R, json: boolean): PrintedResult {
  return {
    text: spec.describe ? spec.describe(result) : 'ok',
    ...(json ? { json: spec.json ? spec.json(result) : result } : {}),
    statusRow: spec.statusRow?.(result),
  };
}

/** Colours of fleet output; identity functions when output is not coloured. */
export interface Painter {
  green(text: string): string;
  yellow(text: string): string;
  red(text: string): string;
  cyan(text: string): string;
  gray(text: string): string;
}

const PLAIN: Painter = { green: (t) => t, yellow: (t) => t, red: (t) => t, cyan: (t) => t, gray: (t) => t };

/** The painter for `stream`: chalk (loaded only then) when colours are possible, NO_COLOR respected. */
export async function painterFor(stream: NodeJS.WriteStream): Promise<Painter> {
  if (!coloursPossible()) return PLAIN;
  const { Chalk, supportsColor, supportsColorStderr } = await import('chalk');
  const support = stream === process.stderr ? supportsColorStderr : supportsColor;
  return support && support.level > 0 ? new Chalk({ level: support.level }) : PLAIN;
}

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

/**
 * One JSON object per target, one a line, in the targets' order: `target`, its `state` and
 * `exitCode`, `error`, for commands that change the journal the versions before and after and
 * what was applied or rolled back, and the command's `result`.
 */
export function jsonLines(outcomes: readonly TargetOutcome<PrintedResult>[], tracked: boolean): string {
  return outcomes
    .map((outcome) =>
      withExactVersions(
        JSON.stringify({
          target: outcome.target,
          source: outcome.source,
          url: outcome.url,
          state: outcome.state,
          exitCode: outcome.exitCode,
          error: outcome.error ?? null,
          notStarted: outcome.notStarted ?? null,
          ms: Math.round(outcome.ms),
          ...(tracked ? journalFields(outcome) : {}),
          result: outcome.result?.json ?? null,
        }),
      ),
    )
    .join('\n');
}

/** What a command that changes the journal did to it: versions before and after, migrations applied and rolled back. */
function journalFields(outcome: TargetOutcome<unknown>): Record<string, unknown> {
  const { versions } = outcome;
  return {
    versionBefore: versions?.before ?? null,
    versionAfter: versions?.after ?? null,
    applied: outcome.applied,
    rolledBack: outcome.rolledBack,
  };
}
