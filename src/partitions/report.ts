/**
 * The report of a maintenance run: filled in from the plan, summed up in one line, told as one
 * event per item (after the transaction ended), and — for a run asked to fail on them — turned
 * into an error when months were left without a partition because other relations hold their
 * names. No I/O besides the caller's `onEvent`.
 *
 * @example
 * const report = emptyReport(settings);
 * // ... the run fills it in ...
 * return concludeReport(report, onEvent, settings.strict); // emits, may throw
 */
import { PartitionMonthsMissingError } from './errors.js';
import type { LockedPlan, Target } from './locked-plan.js';
import { type Month, defaultPartitionName, formatMonth, monthEnd, monthStart, partitionName } from './months.js';
import type { RunSettings } from './options.js';
import { type MonthConflict, formatRange } from './plan.js';
import type { PartitionEvent, PartitionReport } from './types.js';
import { plural } from '../plural.js';

type EventSink = ((event: PartitionEvent) => void) | undefined;

/** A report of a run that has not looked at the table yet. */
export function emptyReport(settings: RunSettings): PartitionReport {
  return {
    table: settings.table,
    tableExists: false,
    leftAlone: null,
    schema: null,
    relation: null,
    partitionKey: null,
    partitionKeyDef: null,
    dryRun: settings.dryRun,
    now: settings.now,
    months: [],
    created: [],
    alreadyCovered: [],
    conflicts: [],
    dropped: [],
    dropFailures: [],
    defaultPartition: null,
    defaultProblem: null,
    retentionCutoff: null,
    changed: false,
    summary: '',
  };
}

/** Records what the plan decided (for a dry run: what it would do). */
export function recordPlan(report: PartitionReport, { info }: Target, { plan, defaultPartition, movedRows }: LockedPlan): void {
  report.months = plan.months;
  report.alreadyCovered = plan.alreadyCovered;
  report.conflicts = plan.conflicts;
  report.defaultProblem = plan.defaultProblem;
  report.retentionCutoff = plan.retentionCutoff;
  report.created = plan.create.map((month, index) => ({
    name: partitionName(info.relname, month),
    month,
    from: monthStart(month),
    to: monthEnd(month),
    movedRows: movedRows[index] ?? 0,
  }));
  report.dropped = plan.drop.map((drop) => ({ name: drop.name, from: drop.from, to: drop.to }));
  if (defaultPartition) report.defaultPartition = { name: defaultPartition.name, created: false };
  else if (plan.createDefault) report.defaultPartition = { name: defaultPartitionName(info.relname), created: true };
  else report.defaultPartition = null;
}

function monthSpan(months: Month[]): string {
  const first = months[0];
  const last = months[months.length - 1];
  if (!first || !last) return '';
  return months.length === 1 ? formatMonth(first) : `${formatMonth(first)}..${formatMonth(last)}`;
}

/** `a, b, c` for a few names; `first .. last` for many (each one is printed on its own line anyway). */
function nameList(names: string[]): string {
  if (names.length <= 4) return names.join(', ');
  return `${names[0] ?? ''} .. ${names[names.length - 1] ?? ''}`;
}

/** The clauses of the summary line: what was (or would be) done, skipped or refused. */
function summaryClauses(report: PartitionReport): string[] {
  const would = report.dryRun;
  const clauses: string[] = [];
  if (report.created.length > 0) {
    const moved = report.created.reduce((sum, partition) => sum + partition.movedRows, 0);
    clauses.push(
      `${would ? 'would create' : 'created'} ${plural(report.created.length, 'partition')} (${nameList(report.created.map((partition) => partition.name))})` +
        (moved > 0 ? `, ${would ? 'moving' : 'moved'} ${plural(moved, 'row')} from the default partition` : ''),
    );
  }
  if (report.defaultPartition?.created)
    clauses.push(`${would ? 'would create' : 'created'} default partition ${report.defaultPartition.name}`);
  if (report.dropped.length > 0) {
    clauses.push(
      `${would ? 'would drop' : 'dropped'} ${plural(report.dropped.length, 'old partition')} (${nameList(report.dropped.map((drop) => drop.name))})`,
    );
  }
  if (report.dropFailures.length > 0) clauses.push(`could not drop ${report.dropFailures.map((failure) => failure.name).join(', ')}`);
  if (report.conflicts.length > 0) {
    const months = report.conflicts.map((conflict) => formatMonth(conflict.month)).join(', ');
    clauses.push(`${plural(report.conflicts.length, 'month')} skipped because of overlapping partitions or taken names (${months})`);
  }
  if (report.defaultProblem) clauses.push(report.defaultProblem);
  return clauses;
}

/** The one-line summary, e.g. `audit_log: partitions for 2026-11..2027-02 already exist; nothing to do`. */
export function summarize(report: PartitionReport): string {
  if (!report.tableExists) return `${report.table} does not exist; no partitions ensured`;
  if (report.leftAlone !== null) return `${report.table} left alone: ${report.leftAlone}`;
  const clauses = summaryClauses(report);
  const prefix = `${report.relation ?? report.table}${report.dryRun ? ' (dry run)' : ''}: `;
  const changes = report.created.length > 0 || report.dropped.length > 0 || !!report.defaultPartition?.created;
  if (changes) return prefix + clauses.join('; ');
  // With skipped months, "already exist" would not be true of every month.
  const head =
    report.conflicts.length > 0 || report.defaultProblem
      ? 'nothing to do'
      : `partitions for ${monthSpan(report.months)} already exist; nothing to do`;
  return prefix + [head, ...clauses].join('; ');
}

/** Events for the months: covered, created (with the rows moved), skipped (unless `raised`). */
function emitMonths(report: PartitionReport, onEvent: (event: PartitionEvent) => void, raised: MonthConflict[]): void {
  const dryRun = report.dryRun;
  for (const covered of report.alreadyCovered) {
    onEvent({ type: 'month-covered', covered, message: `${formatMonth(covered.month)} already covered by ${covered.by}` });
  }
  for (const partition of report.created) {
    const moved =
      partition.movedRows > 0
        ? `, ${dryRun ? 'would move' : 'moved'} ${plural(partition.movedRows, 'row')} from the default partition`
        : '';
    const message = `${dryRun ? 'would create' : 'created'} ${partition.name} ${formatRange(partition.from, partition.to)}${moved}`;
    onEvent({ type: 'partition-created', dryRun, partition, message });
  }
  for (const conflict of report.conflicts) {
    if (!raised.includes(conflict)) onEvent({ type: 'month-conflict', conflict, message: conflict.message });
  }
}

/** Events for the default partition and for retention. */
function emitDefaultAndDrops(report: PartitionReport, onEvent: (event: PartitionEvent) => void): void {
  const dryRun = report.dryRun;
  if (report.defaultPartition?.created) {
    const name = report.defaultPartition.name;
    onEvent({ type: 'default-created', dryRun, name, message: `${dryRun ? 'would create' : 'created'} default partition ${name}` });
  }
  if (report.defaultProblem) onEvent({ type: 'default-problem', message: report.defaultProblem });
  for (const partition of report.dropped) {
    const verb = dryRun ? 'would detach and drop' : 'detached and dropped';
    const message = `${verb} ${partition.name} ${formatRange(partition.from, partition.to)} of ${report.relation ?? report.table}`;
    onEvent({ type: 'partition-dropped', dryRun, partition, message });
  }
  for (const failure of report.dropFailures) {
    const sqlState = failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : '';
    onEvent({ type: 'drop-failed', failure, message: `could not drop ${failure.name}: ${failure.message}${sqlState}` });
  }
}

/** Reports the run as events; the `raised` conflicts are left to the error thrown after. */
function emitAll(report: PartitionReport, onEvent: EventSink, raised: MonthConflict[]): void {
  if (!onEvent) return;
  if (!report.tableExists) {
    onEvent({ type: 'table-missing', table: report.table, message: report.summary });
    return;
  }
  if (report.leftAlone !== null) {
    onEvent({ type: 'table-left-alone', table: report.table, reason: report.leftAlone, message: report.summary });
    return;
  }
  emitMonths(report, onEvent, raised);
  emitDefaultAndDrops(report, onEvent);
  onEvent({ type: 'done', changed: report.changed, dryRun: report.dryRun, message: report.summary });
}

/**
 * Sums the run up and reports it; a `strict` run then fails (PartitionMonthsMissingError, exit
 * 2) when a month got no partition because another relation holds its name.
 */
export function concludeReport(report: PartitionReport, onEvent: EventSink, strict: boolean): PartitionReport {
  const gaps = strict ? report.conflicts.filter((conflict) => conflict.kind === 'name-taken') : [];
  report.summary = summarize(report);
  emitAll(report, onEvent, gaps);
  if (gaps.length > 0) {
    const done = report.dryRun ? 'nothing was changed' : 'everything else was done';
    const problem = `${gaps.map((gap) => gap.message).join('; ')} (rename it, then run partitions again; ${done})`;
    throw new PartitionMonthsMissingError(report.table, problem, report);
  }
  return report;
}
