/**
 * Monthly range partitions of a table partitioned by a timestamp column (`audit_log` by
 * `created_at`): make sure the current UTC month and the next `ahead` months have a partition,
 * that a default partition exists, move rows out of the default partition into the new months,
 * and optionally drop partitions older than `retain` months. See `ensurePartitions`.
 *
 * Transaction strategy: one transaction per `ensurePartitions` run (dry runs: one READ ONLY
 * transaction, rolled back). Read the catalog and plan without locks; when there is something to
 * do, take `ACCESS EXCLUSIVE` on the parent (then on the default partition), read the catalog
 * again and plan again under the lock, apply the plan and commit. So a run either applies its
 * whole plan or nothing, rows moved out of the default partition are never visible twice or not
 * at all, and a second run racing with the first (if the caller's advisory lock were missing)
 * finds the partitions already there instead of failing.
 */
import type { ClientBase } from 'pg';
import { PartitionMonthsMissingError, PartitionSetupError, PartitionSqlError } from './errors.js';
import { parsePartitionBound } from './bounds.js';
import { type MonthSpan, formatSpans, monthCoverage } from './coverage.js';
import { judgeLayout } from './layout.js';
import {
  type Month,
  defaultPartitionName,
  formatMonth,
  isoBound,
  monthEnd,
  monthOf,
  monthStart,
  monthsToEnsure,
  partitionName,
} from './months.js';
import {
  type CoveredMonth,
  type ExistingPartition,
  type MonthConflict,
  type PartitionPlan,
  formatRange,
  planIsEmpty,
  planPartitions,
} from './plan.js';

export interface EnsurePartitionsOptions {
  /** The partitioned table, optionally schema-qualified (`app.audit_log`), resolved like SQL
   * (`to_regclass`: search_path, quoting rules). Default `'audit_log'`. */
  table?: string;
  /** Months after the current one that must exist too (integer >= 0, default 3). */
  ahead?: number;
  /** Detach and drop partitions whose whole range ended before the start of (current month - retain).
   * `retain = M` keeps the current month and the M before it. Undefined: nothing is dropped. */
  retain?: number | undefined;
  /** Compute and report the plan (including the rows that would be moved); change nothing. */
  dryRun?: boolean;
  /** The clock (default `new Date()`); only its UTC calendar month matters. */
  now?: Date;
  /** Called once per reported item, after the transaction committed (or after planning, for dry runs). */
  onEvent?: (event: PartitionEvent) => void;
  /**
   * A table this tool does not maintain — missing, not RANGE-partitioned on one timestamp
   * column, or whose partitions are not UTC calendar months (daily, weekly, yearly...) — and
   * months left without any partition because another relation holds their name:
   * `'fail'` (the `partitions` command): PartitionSetupError (exit 2), the last one after
   * committing what could be done; `'leave-alone'` (default; `up`): the table is reported
   * (`tableExists: false` / `leftAlone`) and not touched, the months are warnings.
   */
  unmanaged?: 'fail' | 'leave-alone';
}

/** A partition created (or, in a dry run, that would be created). */
export interface CreatedPartition {
  name: string;
  month: Month;
  from: Date;
  to: Date;
  /** Rows moved (dry run: that would be moved) from the default partition into it. */
  movedRows: number;
}

/** A partition detached and dropped (or, in a dry run, that would be). `from: null` is MINVALUE. */
export interface DroppedPartition {
  name: string;
  from: Date | null;
  to: Date;
}

/** A partition retention could not drop (e.g. a view depends on it); the rest of the run went on. */
export interface DropFailure {
  name: string;
  message: string;
  sqlState: string | undefined;
}

export type PartitionEvent =
  | { type: 'table-missing'; table: string; message: string }
  | { type: 'table-left-alone'; table: string; reason: string; message: string }
  | { type: 'partition-created'; dryRun: boolean; partition: CreatedPartition; message: string }
  | { type: 'month-covered'; covered: CoveredMonth; message: string }
  | { type: 'month-conflict'; conflict: MonthConflict; message: string }
  | { type: 'partition-dropped'; dryRun: boolean; partition: DroppedPartition; message: string }
  | { type: 'drop-failed'; failure: DropFailure; message: string }
  | { type: 'default-created'; dryRun: boolean; name: string; message: string }
  | { type: 'default-problem'; message: string }
  | { type: 'done'; changed: boolean; dryRun: boolean; message: string };

export interface PartitionReport {
  /** The table as given. */
  table: string;
  /** False when the table does not exist (nothing else is filled in then). */
  tableExists: boolean;
  /** Why the table was not touched (`unmanaged: 'leave-alone'` and a table this tool does not maintain), else null. */
  leftAlone: string | null;
  /** Resolved schema and relation name (null when the table does not exist). */
  schema: string | null;
  relation: string | null;
  /** The partition key column read from the catalog, e.g. `created_at`. */
  partitionKey: string | null;
  /** `pg_get_partkeydef`, e.g. `RANGE (created_at)`. */
  partitionKeyDef: string | null;
  dryRun: boolean;
  now: Date;
  /** The months that must be covered: current UTC month and `ahead` more. */
  months: Month[];
  created: CreatedPartition[];
  alreadyCovered: CoveredMonth[];
  conflicts: MonthConflict[];
  dropped: DroppedPartition[];
  dropFailures: DropFailure[];
  /** The default partition after the run (dry run: as it would be); null if there is none. */
  defaultPartition: { name: string; created: boolean } | null;
  /** Why a missing default partition was not created, else null. */
  defaultProblem: string | null;
  /** Retention cutoff (upper bounds <= it are dropped); null without `retain`. */
  retentionCutoff: Date | null;
  /** True when the database was changed (always false for a dry run). */
  changed: boolean;
  /** One human-readable line, e.g. `audit_log: partitions 2026-11..2027-02 already exist; nothing to do`. */
  summary: string;
}

/** A partition with its range, as listed by {@link describePartitions}. */
export interface PartitionInfo {
  name: string;
  from: Date | null;
  to: Date | null;
}

export interface PartitionDescription {
  table: string;
  exists: boolean;
  /** False when the table exists but is not partitioned. */
  partitioned: boolean;
  partitionKey: string | null;
  /** The range partitions (default excluded), by lower bound. */
  partitions: PartitionInfo[];
  defaultPartition: string | null;
  /** Rows sitting in the default partition (exact count). */
  defaultRows: number;
  /** UTC month of the lowest finite lower bound, and of the last instant below the highest finite upper bound. */
  firstMonth: Month | null;
  lastMonth: Month | null;
  /** Number of range partitions (default excluded). */
  count: number;
  /** Why this table cannot be maintained (e.g. not RANGE on a timestamp column), else null. */
  problem: string | null;
  /** One line for `status`, e.g. `audit_log: 4 partitions, 2026-11..2027-02; 3 rows in audit_log_default`. */
  summary: string;
}

// ---------------------------------------------------------------------------------------------

/**
 * The largest `ahead` accepted (10 years). Every partition created in the run's single
 * transaction holds several locks (table, indexes) until COMMIT; far beyond this PostgreSQL's
 * shared lock table overflows ("out of shared memory") after a long wait.
 */
export const MAX_PARTITIONS_AHEAD = 120;

type KeyType = 'timestamptz' | 'timestamp' | 'date';
const KEY_TYPES: Record<number, KeyType> = { 1184: 'timestamptz', 1114: 'timestamp', 1082: 'date' };

interface TableInfo {
  oid: string;
  nsoid: string;
  schema: string;
  relname: string;
  relkind: string;
  /** Quoted, schema-qualified. */
  sql: string;
}

interface KeyInfo {
  column: string;
  type: KeyType;
  def: string;
}

interface CatalogPartition extends ExistingPartition {
  /** Quoted, schema-qualified. */
  sql: string;
}

interface CatalogState {
  partitions: CatalogPartition[];
  taken: string[];
}

/** `"name"` with embedded quotes doubled (same as pg's `escapeIdentifier`). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function quoteLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The bound literal of month `m` for the key type: instants at 00:00 UTC of the 1st. */
function boundLiteral(m: Month, type: KeyType): string {
  const iso = isoBound(m); // 'YYYY-MM-01 00:00:00+00'
  if (type === 'timestamptz') return quoteLiteral(iso);
  if (type === 'timestamp') return quoteLiteral(iso.slice(0, -3));
  return quoteLiteral(iso.slice(0, 10));
}

function pgErrorInfo(e: unknown): { message: string; code: string | undefined } {
  const err = e as { message?: unknown; code?: unknown };
  return {
    message: typeof err?.message === 'string' ? err.message : String(e),
    code: typeof err?.code === 'string' ? err.code : undefined,
  };
}

async function run(
  client: ClientBase,
  table: string,
  step: string,
  text: string,
  values?: unknown[],
): Promise<{ rowCount: number }> {
  try {
    const r = await client.query(text, values);
    return { rowCount: r.rowCount ?? 0 };
  } catch (e) {
    const { message, code } = pgErrorInfo(e);
    throw new PartitionSqlError({ table, step, pgMessage: message, sqlState: code });
  }
}

async function resolveTable(client: ClientBase, table: string): Promise<TableInfo | null> {
  let rows: { oid: string; nsoid: string; schema: string; relname: string; relkind: string }[];
  try {
    rows = (
      await client.query<{ oid: string; nsoid: string; schema: string; relname: string; relkind: string }>(
        `SELECT c.oid::text AS oid, c.relnamespace::text AS nsoid, n.nspname AS schema, c.relname, c.relkind::text AS relkind
           FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
          WHERE c.oid = pg_catalog.to_regclass($1)`,
        [table],
      )
    ).rows;
  } catch (e) {
    const { message } = pgErrorInfo(e);
    throw new PartitionSetupError(table, `invalid table name: ${message}`);
  }
  const r = rows[0];
  if (!r) return null;
  return { ...r, sql: `${quoteIdent(r.schema)}.${quoteIdent(r.relname)}` };
}

async function readKey(client: ClientBase, table: string, info: TableInfo): Promise<KeyInfo> {
  if (info.relkind !== 'p') {
    throw new PartitionSetupError(
      table,
      `${info.schema}.${info.relname} is not a partitioned table; monthly partitions need PARTITION BY RANGE (created_at)`,
    );
  }
  const r = (
    await client.query<{ strat: string; natts: number; def: string; attname: string | null; typid: number | null }>(
      `SELECT pt.partstrat::text AS strat, pt.partnatts::int AS natts, pg_catalog.pg_get_partkeydef(pt.partrelid) AS def,
              a.attname, a.atttypid::int AS typid
         FROM pg_catalog.pg_partitioned_table pt
         LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0]
        WHERE pt.partrelid = $1::oid`,
      [info.oid],
    )
  ).rows[0];
  if (!r) throw new PartitionSetupError(table, 'partition key not found in pg_partitioned_table');
  const type = r.typid === null ? undefined : KEY_TYPES[r.typid];
  if (r.strat !== 'r' || r.natts !== 1 || r.attname === null || type === undefined) {
    throw new PartitionSetupError(
      table,
      `partitioned by ${r.def}; monthly partitions need RANGE on one timestamptz, timestamp or date column`,
    );
  }
  const longest = Buffer.byteLength(partitionName(info.relname, { year: 2000, month: 1 }));
  if (longest > 63 || Buffer.byteLength(defaultPartitionName(info.relname)) > 63) {
    throw new PartitionSetupError(table, `table name too long: partition names would exceed 63 bytes`);
  }
  return { column: r.attname, type, def: r.def };
}

function epochToDate(e: number, side: 'from' | 'to'): Date | null {
  if (e === -Infinity && side === 'from') return null;
  if (e === Infinity && side === 'to') return null;
  if (!Number.isFinite(e)) return new Date(e > 0 ? 8.64e15 : -8.64e15);
  return new Date(Math.round(e * 1000));
}

async function readPartitions(
  client: ClientBase,
  table: string,
  info: TableInfo,
  key: KeyInfo,
): Promise<CatalogPartition[]> {
  const rows = (
    await client.query<{ schema: string; relname: string; bound: string }>(
      `SELECT n.nspname AS schema, c.relname, pg_catalog.pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_catalog.pg_inherits i
         JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
         JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE i.inhparent = $1::oid
        ORDER BY n.nspname, c.relname`,
      [info.oid],
    )
  ).rows;

  // Literals are turned into instants by PostgreSQL itself, cast to the key's type in this very
  // session: pg_get_expr printed them under the session's TimeZone/DateStyle, and the cast reads
  // them back under the same settings, so the result is right whatever those settings are.
  const literals: string[] = [];
  const parsed = rows.map((row) => {
    const b = parsePartitionBound(row.bound);
    if (b.kind === 'unsupported') {
      throw new PartitionSetupError(table, `cannot read the bound of partition ${row.relname}: ${row.bound}`);
    }
    const slot = (v: { kind: string; text?: string }): number | null => {
      if (v.kind !== 'literal') return null;
      literals.push(v.text ?? '');
      return literals.length - 1;
    };
    return b.kind === 'default' ? { row, isDefault: true, from: null, to: null } : { row, isDefault: false, from: slot(b.from), to: slot(b.to) };
  });

  let epochs: number[] = [];
  if (literals.length > 0) {
    epochs = (
      await client.query<{ e: number }>(
        `SELECT pg_catalog.date_part('epoch', v::${key.type})::float8 AS e
           FROM unnest($1::text[]) WITH ORDINALITY AS t(v, i) ORDER BY i`,
        [literals],
      )
    ).rows.map((r) => Number(r.e));
  }

  return parsed.map(({ row, isDefault, from, to }) => ({
    name: row.schema === info.schema ? row.relname : `${row.schema}.${row.relname}`,
    sql: `${quoteIdent(row.schema)}.${quoteIdent(row.relname)}`,
    isDefault,
    from: from === null ? null : epochToDate(epochs[from] ?? NaN, 'from'),
    to: to === null ? null : epochToDate(epochs[to] ?? NaN, 'to'),
  }));
}

/** Relations in the table's schema, not partitions of it, whose names we might want. */
async function readTakenNames(client: ClientBase, info: TableInfo, candidates: string[]): Promise<string[]> {
  const r = await client.query<{ relname: string }>(
    `SELECT c.relname FROM pg_catalog.pg_class c
      WHERE c.relnamespace = $1::oid AND c.relname = ANY($2::text[])
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = $3::oid)`,
    [info.nsoid, candidates, info.oid],
  );
  return r.rows.map((x) => x.relname);
}

async function readState(
  client: ClientBase,
  table: string,
  info: TableInfo,
  key: KeyInfo,
  months: Month[],
): Promise<CatalogState> {
  const partitions = await readPartitions(client, table, info, key);
  const candidates = [...months.map((m) => partitionName(info.relname, m)), defaultPartitionName(info.relname)];
  const taken = await readTakenNames(client, info, candidates);
  return { partitions, taken };
}

/** Rows of the default partition inside each month (one scan). */
async function countDefaultRows(
  client: ClientBase,
  table: string,
  defaultSql: string,
  key: KeyInfo,
  months: Month[],
): Promise<number[]> {
  if (months.length === 0) return [];
  const col = quoteIdent(key.column);
  const exprs = months.map(
    (m, i) =>
      `count(*) FILTER (WHERE ${col} >= ${boundLiteral(m, key.type)}::${key.type}` +
      ` AND ${col} < ${boundLiteral(nextMonth(m), key.type)}::${key.type})::int8::text AS c${i}`,
  );
  const sql = `SELECT ${exprs.join(', ')} FROM ${defaultSql}`;
  let row: Record<string, string> | undefined;
  try {
    row = (await client.query<Record<string, string>>(sql)).rows[0];
  } catch (e) {
    const { message, code } = pgErrorInfo(e);
    throw new PartitionSqlError({ table, step: `counting rows in the default partition`, pgMessage: message, sqlState: code });
  }
  return months.map((_, i) => Number(row?.[`c${i}`] ?? 0));
}

function nextMonth(m: Month): Month {
  return monthOf(monthEnd(m));
}

/** `2026-11..2027-02` for one run of months (as always printed); `2026-11..2026-12, 2027-02` for several. */
function formatCoveredSpans(covered: MonthSpan[]): string {
  const [only] = covered;
  if (covered.length === 1 && only) return `${formatMonth(only.first)}..${formatMonth(only.last)}`;
  return formatSpans(covered);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
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

function summarize(r: PartitionReport): string {
  if (!r.tableExists) return `${r.table} does not exist; no partitions ensured`;
  if (r.leftAlone !== null) return `${r.table} left alone: ${r.leftAlone}`;
  const name = r.relation ?? r.table;
  const would = r.dryRun;
  const parts: string[] = [];
  if (r.created.length > 0) {
    const moved = r.created.reduce((s, c) => s + c.movedRows, 0);
    parts.push(
      `${would ? 'would create' : 'created'} ${plural(r.created.length, 'partition')} (${nameList(r.created.map((c) => c.name))})` +
        (moved > 0 ? `, ${would ? 'moving' : 'moved'} ${plural(moved, 'row')} from the default partition` : ''),
    );
  }
  if (r.defaultPartition?.created) parts.push(`${would ? 'would create' : 'created'} default partition ${r.defaultPartition.name}`);
  if (r.dropped.length > 0) {
    parts.push(`${would ? 'would drop' : 'dropped'} ${plural(r.dropped.length, 'old partition')} (${nameList(r.dropped.map((d) => d.name))})`);
  }
  if (r.dropFailures.length > 0) parts.push(`could not drop ${r.dropFailures.map((d) => d.name).join(', ')}`);
  if (r.conflicts.length > 0) parts.push(`${plural(r.conflicts.length, 'month')} skipped because of overlapping partitions or taken names (${r.conflicts.map((c) => formatMonth(c.month)).join(', ')})`);
  if (r.defaultProblem) parts.push(r.defaultProblem);
  const prefix = `${name}${would ? ' (dry run)' : ''}: `;
  const changes = r.created.length > 0 || r.dropped.length > 0 || !!r.defaultPartition?.created;
  if (!changes) {
    // With skipped months, "already exist" would not be true of every month.
    const head =
      r.conflicts.length > 0 || r.defaultProblem
        ? 'nothing to do'
        : `partitions for ${monthSpan(r.months)} already exist; nothing to do`;
    return prefix + [head, ...parts].join('; ');
  }
  return prefix + parts.join('; ');
}

function validateOptions(options: EnsurePartitionsOptions): { table: string; ahead: number; now: Date } {
  const table = options.table ?? 'audit_log';
  const ahead = options.ahead ?? 3;
  const now = options.now ?? new Date();
  if (table.trim() === '') throw new PartitionSetupError(table, 'empty table name');
  if (!Number.isInteger(ahead) || ahead < 0) throw new PartitionSetupError(table, `--ahead must be an integer >= 0 (got ${ahead})`);
  if (ahead > MAX_PARTITIONS_AHEAD) {
    throw new PartitionSetupError(table, `--ahead must be at most ${MAX_PARTITIONS_AHEAD} months (got ${ahead})`);
  }
  if (options.retain !== undefined && (!Number.isInteger(options.retain) || options.retain < 0)) {
    throw new PartitionSetupError(table, `--retain must be an integer >= 0 (got ${options.retain})`);
  }
  if (!Number.isFinite(now.getTime())) throw new PartitionSetupError(table, 'invalid "now" date');
  return { table, ahead, now };
}

function emptyReport(table: string, dryRun: boolean, now: Date): PartitionReport {
  return {
    table,
    tableExists: false,
    leftAlone: null,
    schema: null,
    relation: null,
    partitionKey: null,
    partitionKeyDef: null,
    dryRun,
    now,
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

/** Reports the run as events; the `raised` conflicts are left to the error thrown after. */
function emitAll(report: PartitionReport, onEvent: ((e: PartitionEvent) => void) | undefined, raised: MonthConflict[]): void {
  if (!onEvent) return;
  const dryRun = report.dryRun;
  const table = report.relation ?? report.table;
  if (!report.tableExists) {
    onEvent({ type: 'table-missing', table: report.table, message: report.summary });
    return;
  }
  if (report.leftAlone !== null) {
    onEvent({ type: 'table-left-alone', table: report.table, reason: report.leftAlone, message: report.summary });
    return;
  }
  for (const c of report.alreadyCovered) {
    onEvent({ type: 'month-covered', covered: c, message: `${formatMonth(c.month)} already covered by ${c.by}` });
  }
  for (const c of report.created) {
    const moved = c.movedRows > 0 ? `, ${dryRun ? 'would move' : 'moved'} ${plural(c.movedRows, 'row')} from the default partition` : '';
    onEvent({
      type: 'partition-created',
      dryRun,
      partition: c,
      message: `${dryRun ? 'would create' : 'created'} ${c.name} ${formatRange(c.from, c.to)}${moved}`,
    });
  }
  for (const c of report.conflicts) {
    if (!raised.includes(c)) onEvent({ type: 'month-conflict', conflict: c, message: c.message });
  }
  if (report.defaultPartition?.created) {
    const n = report.defaultPartition.name;
    onEvent({ type: 'default-created', dryRun, name: n, message: `${dryRun ? 'would create' : 'created'} default partition ${n}` });
  }
  if (report.defaultProblem) onEvent({ type: 'default-problem', message: report.defaultProblem });
  for (const d of report.dropped) {
    onEvent({
      type: 'partition-dropped',
      dryRun,
      partition: d,
      message: `${dryRun ? 'would detach and drop' : 'detached and dropped'} ${d.name} ${formatRange(d.from, d.to)} of ${table}`,
    });
  }
  for (const f of report.dropFailures) {
    onEvent({ type: 'drop-failed', failure: f, message: `could not drop ${f.name}: ${f.message}${f.sqlState ? ` (SQLSTATE ${f.sqlState})` : ''}` });
  }
  onEvent({ type: 'done', changed: report.changed, dryRun, message: report.summary });
}

/**
 * The partition key and the catalog state of a table this tool maintains; PartitionSetupError
 * for any other (not RANGE on one timestamp column, partitions not UTC calendar months).
 */
async function inspectTable(
  client: ClientBase,
  table: string,
  info: TableInfo,
  months: Month[],
): Promise<{ key: KeyInfo; state: CatalogState }> {
  const key = await readKey(client, table, info);
  const state = await readState(client, table, info, key, months);
  const layout = judgeLayout(state.partitions);
  if (!layout.monthly) throw new PartitionSetupError(table, `${layout.problem}; only monthly partitions are maintained`);
  return { key, state };
}

/**
 * Sums the run up, reports it, and — unless told to leave such things alone — fails (after the
 * commit) when a month got no partition because another relation holds its name.
 */
function conclude(report: PartitionReport, options: EnsurePartitionsOptions): PartitionReport {
  const strict = options.unmanaged === 'fail';
  const gaps = report.conflicts.filter((conflict) => conflict.kind === 'name-taken');
  report.summary = summarize(report);
  emitAll(report, options.onEvent, strict ? gaps : []);
  if (strict && gaps.length > 0) {
    const done = report.dryRun ? 'nothing was changed' : 'everything else was done';
    const problem = `${gaps.map((gap) => gap.message).join('; ')} (rename it, then run partitions again; ${done})`;
    throw new PartitionMonthsMissingError(report.table, problem, report);
  }
  return report;
}

function planFor(info: TableInfo, state: CatalogState, now: Date, ahead: number, retain: number | undefined): PartitionPlan {
  return planPartitions({
    table: info.relname,
    existing: state.partitions,
    now,
    ahead,
    retain,
    takenNames: state.taken,
  });
}

/**
 * Ensures the monthly partitions of `options.table` (default `audit_log`): the current UTC month
 * and the next `ahead` (default 3) months get a partition `<table>_YYYY_MM` covering
 * `[YYYY-MM-01 00:00:00+00, first of next month)`, unless an existing partition (found by its
 * bounds in the catalog, whatever its name) already covers the month; a month only partly covered
 * by an existing partition is reported in `conflicts` and never attempted. A missing default
 * partition is created as `<table>_default`. Rows of the default partition that belong to a
 * month being created are moved into the new partition in the same transaction. With `retain`,
 * partitions whose upper bound is `<=` the start of (current month - retain) are detached and
 * dropped (never the default partition).
 *
 * Runs in ONE transaction that it opens and commits itself (call it outside a transaction); the
 * caller owns the connection and any advisory lock, and may set `lock_timeout` to bound the wait
 * for the `ACCESS EXCLUSIVE` lock taken on the table when there is something to change. A run with
 * nothing to change takes no lock stronger than catalog reads. Idempotent: a second run reports
 * `changed: false` and a summary saying so.
 *
 * A table it does not maintain — missing, not RANGE-partitioned on one timestamptz/timestamp/date
 * column, or whose partitions are not UTC calendar months (see `layout.ts`) — is reported and left
 * alone (`tableExists: false` / `leftAlone`), or with `unmanaged: 'fail'` throws
 * {@link PartitionSetupError}; so does, after the commit, a month left without a partition
 * because another relation holds its name ({@link PartitionMonthsMissingError}). Throws
 * {@link PartitionSqlError} (after rolling back everything) when a statement fails. A failed retention drop (e.g. a view depends on the partition) is rolled
 * back to a savepoint and reported in `dropFailures`; the rest of the run is kept.
 *
 * @example
 * const client = new pg.Client({ connectionString });
 * await client.connect();
 * const report = await ensurePartitions(client, { table: 'audit_log', ahead: 3, retain: 12,
 *   onEvent: (e) => console.log(e.message) });
 * if (!report.tableExists) console.log('no audit_log table yet');
 * console.log(report.summary); // e.g. "audit_log: created 1 partition (audit_log_2027_03)"
 */
export async function ensurePartitions(client: ClientBase, options: EnsurePartitionsOptions = {}): Promise<PartitionReport> {
  const { table, ahead, now } = validateOptions(options);
  const dryRun = options.dryRun === true;
  const retain = options.retain;
  const report = emptyReport(table, dryRun, now);

  await run(client, table, 'BEGIN', dryRun ? 'BEGIN READ ONLY' : 'BEGIN');
  let open = true;
  try {
    // Not needed for correctness (literals are cast back in-session, ours carry +00), but keeps
    // every text this transaction prints in one canonical form.
    await client.query(`SET LOCAL TimeZone = 'UTC'`);
    await client.query(`SET LOCAL DateStyle = 'ISO, YMD'`);

    const strict = options.unmanaged === 'fail';
    const info = await resolveTable(client, table);
    if (!info && strict) throw new PartitionSetupError(table, 'no such table (check the name, its schema and search_path)');
    if (!info) {
      await client.query('ROLLBACK');
      open = false;
      return conclude(report, options);
    }
    Object.assign(report, { tableExists: true, schema: info.schema, relation: info.relname });
    const months = monthsToEnsure(now, ahead);
    const inspected = await inspectTable(client, table, info, months).catch((error: unknown) => {
      if (strict || !(error instanceof PartitionSetupError)) throw error;
      return error;
    });
    if (inspected instanceof PartitionSetupError) {
      await client.query('ROLLBACK');
      open = false;
      report.leftAlone = inspected.problem;
      return conclude(report, options);
    }
    const { key } = inspected;
    let { state } = inspected;
    Object.assign(report, { partitionKey: key.column, partitionKeyDef: key.def });

    let plan = planFor(info, state, now, ahead, retain);
    let defaultPart = state.partitions.find((p) => p.isDefault) ?? null;
    let counts: number[] = [];

    if (!planIsEmpty(plan) && !dryRun) {
      // Lock, then look again: what we saw before may have changed while we waited.
      await run(client, table, `locking ${info.relname}`, `LOCK TABLE ONLY ${info.sql} IN ACCESS EXCLUSIVE MODE`);
      state = await readState(client, table, info, key, months);
      plan = planFor(info, state, now, ahead, retain);
      defaultPart = state.partitions.find((p) => p.isDefault) ?? null;
      if (defaultPart) {
        // Direct inserts into the default partition (not through the parent) must wait too.
        await run(client, table, `locking ${defaultPart.name}`, `LOCK TABLE ONLY ${defaultPart.sql} IN ACCESS EXCLUSIVE MODE`);
      }
    }
    if (defaultPart && plan.create.length > 0) {
      counts = await countDefaultRows(client, table, defaultPart.sql, key, plan.create);
    }

    report.months = plan.months;
    report.alreadyCovered = plan.alreadyCovered;
    report.conflicts = plan.conflicts;
    report.defaultProblem = plan.defaultProblem;
    report.retentionCutoff = plan.retentionCutoff;
    report.created = plan.create.map((m, i) => ({
      name: partitionName(info.relname, m),
      month: m,
      from: monthStart(m),
      to: monthEnd(m),
      movedRows: counts[i] ?? 0,
    }));
    report.dropped = plan.drop.map((d) => ({ name: d.name, from: d.from, to: d.to }));
    report.defaultPartition = defaultPart
      ? { name: defaultPart.name, created: false }
      : plan.createDefault
        ? { name: defaultPartitionName(info.relname), created: true }
        : null;

    if (dryRun || planIsEmpty(plan)) {
      await client.query('ROLLBACK');
      open = false;
      return conclude(report, options);
    }

    // --- apply --------------------------------------------------------------------------------
    const schemaSql = quoteIdent(info.schema);
    const col = quoteIdent(key.column);
    const mustMove = defaultPart !== null && report.created.some((c) => c.movedRows > 0);
    let columns: string[] = [];
    if (mustMove && defaultPart) {
      columns = (
        await client.query<{ attname: string }>(
          `SELECT attname FROM pg_catalog.pg_attribute
            WHERE attrelid = $1::oid AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
            ORDER BY attnum`,
          [info.oid],
        )
      ).rows.map((r) => quoteIdent(r.attname));
      // Without the default attached, creating a partition does not have to scan it (and cannot
      // fail with 23514); the rows are then moved by hand and the default re-attached.
      await run(client, table, `detaching ${defaultPart.name}`, `ALTER TABLE ${info.sql} DETACH PARTITION ${defaultPart.sql}`);
    }

    for (const c of report.created) {
      const next = nextMonth(c.month);
      const newSql = `${schemaSql}.${quoteIdent(c.name)}`;
      await run(
        client,
        table,
        `creating ${c.name}`,
        `CREATE TABLE ${newSql} PARTITION OF ${info.sql} FOR VALUES FROM (${boundLiteral(c.month, key.type)}) TO (${boundLiteral(next, key.type)})`,
      );
      if (c.movedRows > 0 && defaultPart) {
        const cols = columns.join(', ');
        const moved = await run(
          client,
          table,
          `moving rows of ${formatMonth(c.month)} from ${defaultPart.name} to ${c.name}`,
          `WITH moved AS (
             DELETE FROM ${defaultPart.sql}
              WHERE ${col} >= ${boundLiteral(c.month, key.type)}::${key.type} AND ${col} < ${boundLiteral(next, key.type)}::${key.type}
             RETURNING ${cols})
           INSERT INTO ${newSql} (${cols}) OVERRIDING SYSTEM VALUE SELECT ${cols} FROM moved`,
        );
        if (moved.rowCount !== c.movedRows) {
          // Cannot happen under the lock; refuse rather than report a wrong number.
          throw new PartitionSqlError({
            table,
            step: `moving rows to ${c.name}`,
            pgMessage: `expected ${c.movedRows} rows, moved ${moved.rowCount}`,
          });
        }
      }
    }

    if (mustMove && defaultPart) {
      await run(client, table, `re-attaching ${defaultPart.name}`, `ALTER TABLE ${info.sql} ATTACH PARTITION ${defaultPart.sql} DEFAULT`);
    }

    if (plan.createDefault) {
      const dname = defaultPartitionName(info.relname);
      await run(client, table, `creating ${dname}`, `CREATE TABLE ${schemaSql}.${quoteIdent(dname)} PARTITION OF ${info.sql} DEFAULT`);
    }

    const dropped: DroppedPartition[] = [];
    for (const d of plan.drop) {
      const part = state.partitions.find((p) => p.name === d.name);
      if (!part) continue;
      await client.query('SAVEPOINT aeturnis_partition_drop');
      try {
        await client.query(`ALTER TABLE ${info.sql} DETACH PARTITION ${part.sql}`);
        await client.query(`DROP TABLE ${part.sql}`);
        await client.query('RELEASE SAVEPOINT aeturnis_partition_drop');
        dropped.push({ name: d.name, from: d.from, to: d.to });
      } catch (e) {
        await client.query('ROLLBACK TO SAVEPOINT aeturnis_partition_drop');
        await client.query('RELEASE SAVEPOINT aeturnis_partition_drop');
        const { message, code } = pgErrorInfo(e);
        report.dropFailures.push({ name: d.name, message, sqlState: code });
      }
    }
    report.dropped = dropped;

    await run(client, table, 'COMMIT', 'COMMIT');
    open = false;
    report.changed = report.created.length > 0 || report.dropped.length > 0 || plan.createDefault;
    return conclude(report, options);
  } catch (e) {
    if (open) {
      try {
        await client.query('ROLLBACK');
      } catch {
        // the connection is gone; the server rolls back by itself
      }
    }
    throw e;
  }
}

/**
 * Reads, without changing anything and without opening a transaction, the partitions of `table`
 * (default `audit_log`) for a `status` summary line: the range partitions by lower bound, the
 * covered span (first..last month), their count and the rows sitting in the default partition
 * (an exact `count(*)`, which scans the default partition).
 *
 * Returns `exists: false` for a missing table and `partitioned: false` for a plain table; for a
 * partitioned table this tool cannot maintain (not RANGE on one timestamp column, an unreadable
 * bound) it fills `problem` and says so in `summary` instead of throwing.
 *
 * @example
 * const d = await describePartitions(client, 'audit_log');
 * if (d.exists && d.partitioned) console.log(d.summary);
 * // "audit_log: 4 partitions, 2026-11..2027-02; 3 rows in audit_log_default"
 */
export async function describePartitions(client: ClientBase, table = 'audit_log'): Promise<PartitionDescription> {
  const out: PartitionDescription = {
    table,
    exists: false,
    partitioned: false,
    partitionKey: null,
    partitions: [],
    defaultPartition: null,
    defaultRows: 0,
    firstMonth: null,
    lastMonth: null,
    count: 0,
    problem: null,
    summary: `${table} does not exist`,
  };
  const info = await resolveTable(client, table);
  if (!info) return out;
  out.exists = true;
  if (info.relkind !== 'p') {
    out.summary = `${table} is not partitioned`;
    return out;
  }
  out.partitioned = true;
  let key: KeyInfo;
  let parts: CatalogPartition[];
  try {
    // A table this tool cannot maintain is reported, not thrown: `status` must still work.
    key = await readKey(client, table, info);
    parts = await readPartitions(client, table, info, key);
  } catch (e) {
    if (!(e instanceof PartitionSetupError)) throw e;
    out.problem = e.message;
    out.summary = `${e.message} (not maintained by aeturnis-db partitions)`;
    return out;
  }
  out.partitionKey = key.column;
  const layout = judgeLayout(parts);
  if (!layout.monthly) {
    out.problem = layout.problem;
    out.summary = `${info.relname}: ${layout.problem} (not maintained by aeturnis-db partitions)`;
    return out;
  }
  const def = parts.find((p) => p.isDefault);
  out.partitions = parts
    .filter((p) => !p.isDefault)
    .map((p) => ({ name: p.name, from: p.from, to: p.to }))
    .sort((a, b) => (a.from?.getTime() ?? -Infinity) - (b.from?.getTime() ?? -Infinity));
  out.count = out.partitions.length;
  const froms = out.partitions.flatMap((p) => (p.from ? [p.from.getTime()] : []));
  const tos = out.partitions.flatMap((p) => (p.to ? [p.to.getTime()] : []));
  if (froms.length > 0) out.firstMonth = monthOf(new Date(Math.min(...froms)));
  if (tos.length > 0) out.lastMonth = monthOf(new Date(Math.max(...tos) - 1));
  if (def) {
    out.defaultPartition = def.name;
    const r = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${def.sql}`);
    out.defaultRows = Number(r.rows[0]?.n ?? 0);
  }
  const { covered, missing } = monthCoverage(out.partitions);
  const gaps = missing.length > 0 ? ` (${formatSpans(missing)} missing)` : '';
  const span = covered.length > 0 ? `, ${formatCoveredSpans(covered)}${gaps}` : '';
  const rows = out.defaultRows > 0 ? `; ${plural(out.defaultRows, 'row')} in ${out.defaultPartition}` : '';
  const noDefault = def ? '' : '; no default partition';
  out.summary = `${info.relname}: ${plural(out.count, 'partition')}${span}${rows}${noDefault}`;
  return out;
}
