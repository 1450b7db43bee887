/**
 * The report of an upkeep run: filled in from the plan, summed up in one line, told as one event
 * per item (after the steps ended), and — for a run asked to fail on them — turned into an error
 * when periods were left without a partition because other relations hold their names. No I/O
 * besides the caller's `onEvent`.
 */
import type { CatalogPartition } from './catalog.js';
import { PartitionMonthsMissingError } from './errors.js';
import type { RunSettings } from './options.js';
import { type Period, defaultPartitionName, formatPeriod, partitionNameOf, periodEnd, periodStart } from './periods.js';
import { type PartitionPlan, type PeriodConflict, formatRange } from './plan.js';
import type { Target } from './steps.js';
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
    interval: settings.interval,
    retainMode: settings.retainMode,
    periods: [],
    created: [],
    alreadyCovered: [],
    conflicts: [],
    dropped: [],
    detached: [],
    dropFailures: [],
    defaultPartition: null,
    defaultProblem: null,
    retentionCutoff: null,
    changed: false,
    summary: '',
  };
}

/** What a run decided: its plan, the default partition as found, and (dry runs) the rows each new period would take. */
export interface DecidedPlan {
  plan: PartitionPlan;
  defaultPartition: CatalogPartition | null;
  movedRows: number[];
}

/** Records what the plan decided (for a dry run: what it would do). */
export function recordPlan(report: PartitionReport, { info }: Target, { plan, defaultPartition, movedRows }: DecidedPlan): void {
  report.periods = plan.periods;
  report.alreadyCovered = plan.alreadyCovered;
  report.conflicts = plan.conflicts;
  report.defaultProblem = plan.defaultProblem;
  report.retentionCutoff = plan.retentionCutoff;
  report.created = plan.create.map((period, index) => ({
    name: partitionNameOf(info.relname, period),
    period,
    from: periodStart(period),
    to: periodEnd(period),
    movedRows: movedRows[index] ?? 0,
  }));
  const removed = plan.drop.map((drop) => ({ name: drop.name, from: drop.from, to: drop.to }));
  if (report.retainMode === 'detach') report.detached = removed;
  else report.dropped = removed;
  if (defaultPartition) report.defaultPartition = { name: defaultPartition.name, created: false };
  else if (plan.createDefault) report.defaultPartition = { name: defaultPartitionName(info.relname), created: true };
  else report.defaultPartition = null;
}

function periodSpan(periods: Period[]): string {
  const first = periods[0];
  const last = periods[periods.length - 1];
  if (!first || !last) return '';
  return periods.length === 1 ? formatPeriod(first) : `${formatPeriod(first)}..${formatPeriod(last)}`;
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
  if (report.detached.length > 0) {
    const names = nameList(report.detached.map((drop) => drop.name));
    clauses.push(
      `${would ? 'would detach' : 'detached'} ${plural(report.detached.length, 'old partition')} (${names}), kept as plain tables`,
    );
  }
  if (report.dropFailures.length > 0) clauses.push(`could not remove ${report.dropFailures.map((failure) => failure.name).join(', ')}`);
  if (report.conflicts.length > 0) {
    const periods = report.conflicts.map((conflict) => formatPeriod(conflict.period)).join(', ');
    clauses.push(
      `${plural(report.conflicts.length, report.interval)} skipped because of overlapping partitions or taken names (${periods})`,
    );
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
  const changes =
    report.created.length > 0 || report.dropped.length > 0 || report.detached.length > 0 || !!report.defaultPartition?.created;
  if (changes) return prefix + clauses.join('; ');
  // With skipped periods, "already exist" would not be true of every period.
  const head =
    report.conflicts.length > 0 || report.defaultProblem
      ? 'nothing to do'
      : `partitions for ${periodSpan(report.periods)} already exist; nothing to do`;
  return prefix + [head, ...clauses].join('; ');
}

/** Events for the periods: covered, created (with the rows moved), skipped (unless `raised`). */
function emitPeriods(report: PartitionReport, onEvent: (event: PartitionEvent) => void, raised: PeriodConflict[]): void {
  const dryRun = report.dryRun;
  for (const covered of report.alreadyCovered) {
    onEvent({ type: 'period-covered', covered, message: `${formatPeriod(covered.period)} already covered by ${covered.by}` });
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
    if (!raised.includes(conflict)) onEvent({ type: 'period-conflict', conflict, message: conflict.message });
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
  for (const partition of report.detached) {
    const verb = dryRun ? 'would detach' : 'detached';
    const message = `${verb} ${partition.name} ${formatRange(partition.from, partition.to)} of ${report.relation ?? report.table}, kept as a plain table`;
    onEvent({ type: 'partition-detached', dryRun, partition, message });
  }
  for (const failure of report.dropFailures) {
    const sqlState = failure.sqlState ? ` (SQLSTATE ${failure.sqlState})` : '';
    onEvent({ type: 'drop-failed', failure, message: `could not remove ${failure.name}: ${failure.message}${sqlState}` });
  }
}

/** Reports the run as events; the `raised` conflicts are left to the error thrown after. */
function emitAll(report: PartitionReport, onEvent: EventSink, raised: PeriodConflict[]): void {
  if (!onEvent) return;
  if (!report.tableExists) {
    onEvent({ type: 'table-missing', table: report.table, message: report.summary });
    return;
  }
  if (report.leftAlone !== null) {
    onEvent({ type: 'table-left-alone', table: report.table, reason: report.leftAlone, message: report.summary });
    return;
  }
  emitPeriods(report, onEvent, raised);
  emitDefaultAndDrops(report, onEvent);
  onEvent({ type: 'done', changed: report.changed, dryRun: report.dryRun, message: report.summary });
}

/**
 * Sums the run up and reports it; a `strict` run then fails (PartitionMonthsMissingError, exit
 * 2) when a period got no partition because another relation holds its name.
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
