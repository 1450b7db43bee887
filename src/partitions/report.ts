/**
 * What upkeep tells. The report of a run: filled in from the plan, summed up in one line, told
 * as one event per item (after the steps ended), and — for a run asked to fail on them — turned
 * into an error when periods were left without a partition because other relations hold their
 * names. Then the partition line of `status`: the periods a table's partitions cover, the gaps
 * between them, and what the rows waiting in the default partition mean. Pure: no I/O besides
 * the caller's `onEvent`.
 */
import { plural } from '../plural.js';
import {
  type PartitionInterval,
  type Period,
  defaultPartitionName,
  formatPeriod,
  formatRange,
  partitionNameOf,
  periodEnd,
  periodOf,
  periodStart,
} from './periods.js';
import type { PartitionPlan, PeriodConflict } from './plan.js';
import {
  type PartitionDescription,
  type PartitionEvent,
  type PartitionReport,
  PartitionMonthsMissingError,
  type RunSettings,
} from './types.js';

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
  defaultPartition: { name: string } | null;
  movedRows: number[];
}

/** Records what the plan decided for the table whose bare relation name is `relname` (for a dry run: what it would do). */
export function recordPlan(report: PartitionReport, relname: string, { plan, defaultPartition, movedRows }: DecidedPlan): void {
  report.periods = plan.periods;
  report.alreadyCovered = plan.alreadyCovered;
  report.conflicts = plan.conflicts;
  report.defaultProblem = plan.defaultProblem;
  report.retentionCutoff = plan.retentionCutoff;
  report.created = plan.create.map((period, index) => ({
    name: partitionNameOf(relname, period),
    period,
    from: periodStart(period),
    to: periodEnd(period),
    movedRows: movedRows[index] ?? 0,
  }));
  const removed = plan.drop.map((drop) => ({ name: drop.name, from: drop.from, to: drop.to }));
  if (report.retainMode === 'detach') report.detached = removed;
  else report.dropped = removed;
  if (defaultPartition) report.defaultPartition = { name: defaultPartition.name, created: false };
  else if (plan.createDefault) report.defaultPartition = { name: defaultPartitionName(relname), created: true };
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

/*
 * The status line. Which periods a table's partitions cover between its first and last period,
 * and which periods in between have no partition at all (a gap, e.g. a month whose name a plain
 * table holds).
 */

/** Consecutive periods, `first..last` (the same period for one). */
export interface PeriodSpan {
  first: Period;
  last: Period;
}

export interface PeriodCoverage {
  /** Runs of periods some partition overlaps, oldest first. */
  covered: PeriodSpan[];
  /** The periods between those runs that no partition overlaps. */
  missing: PeriodSpan[];
}

interface IndexSpan {
  first: number;
  last: number;
}

/**
 * Covered and missing periods of the range partitions given (`null` bounds: MINVALUE / MAXVALUE,
 * clipped to the lowest finite lower bound and the highest finite upper bound). A period a
 * partition covers only in part counts as covered: rows of it have somewhere to go.
 */
export function periodCoverage(ranges: readonly { from: Date | null; to: Date | null }[], interval: PartitionInterval): PeriodCoverage {
  const indexOf = (date: Date): number => periodOf(date, interval).index;
  const lastIndexOf = (upper: Date): number => indexOf(new Date(upper.getTime() - 1));
  const froms = ranges.flatMap((range) => (range.from ? [indexOf(range.from)] : []));
  const tos = ranges.flatMap((range) => (range.to ? [lastIndexOf(range.to)] : []));
  if (froms.length === 0 || tos.length === 0) return { covered: [], missing: [] };
  const lowest = Math.min(...froms);
  const highest = Math.max(...tos);
  const spans = ranges
    .map((range) => ({
      first: Math.max(lowest, range.from ? indexOf(range.from) : lowest),
      last: Math.min(highest, range.to ? lastIndexOf(range.to) : highest),
    }))
    .filter((span) => span.first <= span.last)
    .sort((earlier, later) => earlier.first - later.first);
  const covered: IndexSpan[] = [];
  const missing: IndexSpan[] = [];
  for (const span of spans) {
    const previous = covered[covered.length - 1];
    if (previous && span.first <= previous.last + 1) {
      previous.last = Math.max(previous.last, span.last);
      continue;
    }
    if (previous) missing.push({ first: previous.last + 1, last: span.first - 1 });
    covered.push({ ...span });
  }
  const toPeriods = (span: IndexSpan): PeriodSpan => ({ first: { interval, index: span.first }, last: { interval, index: span.last } });
  return { covered: covered.map(toPeriods), missing: missing.map(toPeriods) };
}

/** `2026-11..2026-12, 2027-02`. */
export function formatSpans(spans: readonly PeriodSpan[]): string {
  return spans
    .map(({ first, last }) => (first.index === last.index ? formatPeriod(first) : `${formatPeriod(first)}..${formatPeriod(last)}`))
    .join(', ');
}

/** `2026-11..2027-02` for one run of periods (as always printed); `2026-11..2026-12, 2027-02` for several. */
function formatCovered(covered: PeriodSpan[]): string {
  const [only] = covered;
  if (covered.length === 1 && only) return `${formatPeriod(only.first)}..${formatPeriod(only.last)}`;
  return formatSpans(covered);
}

/**
 * What the rows in the default partition mean: rows dated from the current period on are waiting
 * for a partition upkeep will create once `ahead` reaches them; rows dated before it never will be.
 */
function defaultRowsAdvice(description: PartitionDescription, now: Date): string {
  const { defaultRows, defaultRowsPast, interval } = description;
  const future = defaultRows - defaultRowsPast;
  const advice: string[] = [];
  if (future > 0) advice.push(`${plural(future, 'row')} dated after the last partition: is --ahead too small?`);
  if (defaultRowsPast > 0) {
    const current = formatPeriod(periodOf(now, interval));
    const them = defaultRowsPast === 1 ? 'it' : 'them';
    advice.push(
      `${plural(defaultRowsPast, 'row')} dated before ${current}, which upkeep never moves: create a partition for ${them} by hand, or delete ${them}`,
    );
  }
  return advice.length > 0 ? ` (${advice.join('; ')})` : '';
}

/** `audit_log: 3 partitions, 2026-11..2026-12, 2027-02 (2027-01 missing); 2 rows in audit_log_default (...)`. */
export function statusLine(relname: string, description: PartitionDescription, now: Date): string {
  const { covered, missing } = periodCoverage(description.partitions, description.interval);
  const gaps = missing.length > 0 ? ` (${formatSpans(missing)} missing)` : '';
  const span = covered.length > 0 ? `, ${formatCovered(covered)}${gaps}` : '';
  const rows =
    description.defaultRows > 0
      ? `; ${plural(description.defaultRows, 'row')} in ${description.defaultPartition}${defaultRowsAdvice(description, now)}`
      : '';
  const noDefault = description.defaultPartition ? '' : '; no default partition';
  return `${relname}: ${plural(description.count, 'partition')}${span}${rows}${noDefault}`;
}
