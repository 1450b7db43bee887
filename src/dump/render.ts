/**
 * `dump`'s text: the catalog rows as SQL that rebuilds the schema in an empty database, one
 * object per block, sections in the order PostgreSQL needs them, blocks sorted by name within a
 * section (views after the views they read). Nothing in it depends on when or where it was read
 * (no owners, OIDs, timestamps or versions), so the same schema gives the same bytes. Every
 * name arrives quoted by PostgreSQL. Pure.
 */
import { quoteLiteral } from '../identifiers.js';
import type {
  ColumnRow,
  CompositeRow,
  ConstraintRow,
  DomainRow,
  DumpCatalog,
  EnumRow,
  GrantRow,
  IndexRow,
  PolicyRow,
  RangeRow,
  SequenceRow,
  SequenceSettings,
  TableRow,
  TriggerRow,
  ViewRow,
} from './model.js';

const HEADER = `-- The database schema, written by aeturnis-db dump from the catalogs (no data).
-- Load it into an empty database with psql -f; regenerate it with aeturnis-db dump --out FILE.

SET check_function_bodies = false;
SET client_min_messages = warning;
SELECT pg_catalog.set_config('search_path', '', false);`;

/** The whole dump, ending with a newline. */
export function renderDump(catalog: DumpCatalog): string {
  const blocks = [
    HEADER,
    ...catalog.schemas.map((schema) => `CREATE SCHEMA IF NOT EXISTS ${schema};`).sort(compareText),
    ...sorted(
      catalog.extensions,
      (e) => e.name,
      (e) => `CREATE EXTENSION IF NOT EXISTS ${e.name} WITH SCHEMA ${e.schema};`,
    ),
    ...sorted(catalog.enums, (row) => row.name, renderEnum),
    ...sorted(catalog.ranges, (row) => row.name, renderRange),
    ...sorted(catalog.domains, (row) => row.name, renderDomain),
    ...sorted(catalog.composites, (row) => row.name, renderComposite),
    ...sorted(catalog.sequences, (row) => row.name, renderSequence),
    ...sorted(
      catalog.functions.filter((f) => !f.late),
      (f) => f.name,
      (f) => `${f.definition.trimEnd()};`,
    ),
    ...tableBlocks(catalog),
    ...sorted(catalog.sequences, (row) => row.name, renderSequenceOwner),
    ...viewsInDependencyOrder(catalog.views).map(renderView),
    ...sorted(
      catalog.functions.filter((f) => f.late),
      (f) => f.name,
      (f) => `${f.definition.trimEnd()};`,
    ),
    ...constraintBlocks(catalog.constraints),
    ...sorted(catalog.indexes, (row) => `${row.table} ${row.name}`, renderIndex),
    ...sorted(catalog.triggers, (row) => `${row.table} ${row.name}`, renderTrigger),
    ...sorted(
      catalog.rules,
      (row) => `${row.table} ${row.name}`,
      (row) => row.definition,
    ),
    ...rowSecurityBlocks(catalog),
    ...sorted(
      catalog.comments,
      (row) => row.target,
      (row) => `COMMENT ON ${row.target} IS ${literal(row.text)};`,
    ),
    ...grantBlocks(catalog.grants, catalog.revokes),
    footer(catalog),
  ];
  return `${blocks.join('\n\n')}\n`;
}

/** The catalog of a database with nothing in it (an embedded database not created yet). */
export function emptyCatalog(): DumpCatalog {
  return {
    schemas: [],
    extensions: [],
    enums: [],
    domains: [],
    composites: [],
    ranges: [],
    sequences: [],
    functions: [],
    tables: [],
    views: [],
    constraints: [],
    indexes: [],
    triggers: [],
    rules: [],
    policies: [],
    comments: [],
    grants: [],
    revokes: [],
    managed: [],
    journal: null,
    migrations: [],
  };
}

/** Blocks sorted by their key (the object's name). */
function sorted<T>(rows: readonly T[], key: (row: T) => string, render: (row: T) => string | undefined): string[] {
  return [...rows]
    .sort((a, b) => compareText(key(a), key(b)))
    .map(render)
    .filter((block): block is string => block !== undefined);
}

/**
 * Tables by name, then partitions level by level (a parent before its partitions); each
 * partitioned table whose partitions upkeep manages says so in a comment line above it.
 */
function tableBlocks(catalog: DumpCatalog): string[] {
  const managed = new Map(catalog.managed.map((table) => [table.name, table]));
  const key = (row: TableRow): string => `${String(row.depth).padStart(3, '0')} ${row.name}`;
  return sorted(catalog.tables, key, (row) => {
    const upkeep = managed.get(row.name);
    if (!upkeep) return renderTable(row);
    const retain = upkeep.retain === null ? '' : `, retain ${upkeep.retain}`;
    const note = `-- Partitions of ${row.name} are managed by aeturnis-db partition upkeep (${upkeep.interval}, ahead ${upkeep.ahead}${retain}): not in this file.`;
    return `${note}\n${renderTable(row)}`;
  });
}

/** Primary keys, unique, check and exclusion constraints first; foreign keys after them all (they need the keys). */
function constraintBlocks(constraints: readonly ConstraintRow[]): string[] {
  const render = (row: ConstraintRow): string => `ALTER TABLE ${row.table}\n    ADD CONSTRAINT ${row.name} ${row.definition};`;
  const key = (row: ConstraintRow): string => `${row.table} ${row.name}`;
  return [
    ...sorted(
      constraints.filter((row) => row.type !== 'f'),
      key,
      render,
    ),
    ...sorted(
      constraints.filter((row) => row.type === 'f'),
      key,
      render,
    ),
  ];
}

/** Each table's ENABLE (and FORCE) ROW LEVEL SECURITY, then the policies. */
function rowSecurityBlocks(catalog: DumpCatalog): string[] {
  const enable = (row: TableRow): string | undefined => {
    if (!row.rowSecurity && !row.forceRowSecurity) return undefined;
    const lines = [];
    if (row.rowSecurity) lines.push(`ALTER TABLE ${row.name} ENABLE ROW LEVEL SECURITY;`);
    if (row.forceRowSecurity) lines.push(`ALTER TABLE ${row.name} FORCE ROW LEVEL SECURITY;`);
    return lines.join('\n');
  };
  return [
    ...sorted(catalog.tables, (row) => row.name, enable),
    ...sorted(catalog.policies, (row) => `${row.table} ${row.name}`, renderPolicy),
  ];
}

/**
 * One block per object: its REVOKE from PUBLIC when the default was taken away, then its
 * GRANT statements, privileges joined per grantee (and column), in a fixed order.
 */
function grantBlocks(grants: readonly GrantRow[], revokes: readonly string[]): string[] {
  const byTarget = new Map<string, string[]>();
  const add = (target: string, line: string): void => {
    byTarget.set(target, [...(byTarget.get(target) ?? []), line]);
  };
  for (const target of revokes) add(target, `REVOKE ALL ON ${target} FROM PUBLIC;`);
  const statements = new Map<string, { target: string; privileges: string[]; tail: string; column: string | null }>();
  for (const grant of grants) {
    const tail = `TO ${grant.grantee}${grant.grantable ? ' WITH GRANT OPTION' : ''}`;
    const key = `${grant.target}\u0000${grant.column ?? ''}\u0000${tail}`;
    const statement = statements.get(key) ?? { target: grant.target, privileges: [], tail, column: grant.column };
    statement.privileges.push(grant.privilege);
    statements.set(key, statement);
  }
  const ordered = [...statements].sort(([a], [b]) => compareText(a, b)).map(([, statement]) => statement);
  for (const { target, privileges, tail, column } of ordered) {
    const what = privileges.sort(compareText).map((privilege) => (column === null ? privilege : `${privilege} (${column})`));
    add(target, `GRANT ${what.join(', ')} ON ${target} ${tail};`);
  }
  return [...byTarget].sort(([a], [b]) => compareText(a, b)).map(([, lines]) => lines.join('\n'));
}

/** The closing comment: which migrations built this schema (names only: a reviewer sees which one changed it). */
function footer(catalog: DumpCatalog): string {
  if (catalog.journal === null || catalog.migrations.length === 0) return '-- Applied migrations: none.';
  const lines = catalog.migrations.map((m) => `--   ${m.version.padStart(4, '0')}_${m.name}`);
  return [`-- Applied migrations (journal ${catalog.journal}):`, ...lines].join('\n');
}

// One block per object, rendered from its catalog row.

/** An SQL string literal that reads the same whatever standard_conforming_strings is. */
const literal = quoteLiteral;

function renderEnum(row: EnumRow): string {
  const labels = row.labels.map((label) => `    ${literal(label)}`).join(',\n');
  return `CREATE TYPE ${row.name} AS ENUM (\n${labels}\n);`;
}

function renderDomain(row: DomainRow): string {
  const parts = [`CREATE DOMAIN ${row.name} AS ${row.base}`];
  if (row.collation) parts.push(`COLLATE ${row.collation}`);
  if (row.default !== null) parts.push(`DEFAULT ${row.default}`);
  if (row.notNull) parts.push('NOT NULL');
  for (const check of row.checks) parts.push(`CONSTRAINT ${check.name} ${check.definition}`);
  return `${parts.join('\n    ')};`;
}

function renderComposite(row: CompositeRow): string {
  const attributes = row.attributes.map((a) => `    ${a.name} ${a.type}${a.collation ? ` COLLATE ${a.collation}` : ''}`);
  return `CREATE TYPE ${row.name} AS (\n${attributes.join(',\n')}\n);`;
}

function renderRange(row: RangeRow): string {
  const options = [`subtype = ${row.subtype}`];
  if (row.opclass) options.push(`subtype_opclass = ${row.opclass}`);
  if (row.collation) options.push(`collation = ${row.collation}`);
  if (row.canonical) options.push(`canonical = ${row.canonical}`);
  if (row.diff) options.push(`subtype_diff = ${row.diff}`);
  options.push(`multirange_type_name = ${row.multirange}`);
  return `CREATE TYPE ${row.name} AS RANGE (\n    ${options.join(',\n    ')}\n);`;
}

/** The largest value of each sequence type (the smallest is its negation minus one). */
const TYPE_MAX: Record<string, bigint> = { smallint: 32767n, integer: 2147483647n, bigint: 9223372036854775807n };

/**
 * The sequence options that differ from what PostgreSQL picks by itself for the type and the
 * increment's sign, e.g. `START WITH 100 CACHE 20`; '' when all are the defaults.
 */
export function sequenceOptions(seq: SequenceSettings, withType: boolean): string {
  const max = TYPE_MAX[seq.type] ?? TYPE_MAX.bigint ?? 0n;
  const ascending = BigInt(seq.increment) > 0n;
  const defaultMin = ascending ? 1n : -max - 1n;
  const defaultMax = ascending ? max : -1n;
  const parts: string[] = [];
  if (withType && seq.type !== 'bigint') parts.push(`AS ${seq.type}`);
  if (BigInt(seq.start) !== (ascending ? BigInt(seq.min) : BigInt(seq.max))) parts.push(`START WITH ${seq.start}`);
  if (seq.increment !== '1') parts.push(`INCREMENT BY ${seq.increment}`);
  if (BigInt(seq.min) !== defaultMin) parts.push(`MINVALUE ${seq.min}`);
  if (BigInt(seq.max) !== defaultMax) parts.push(`MAXVALUE ${seq.max}`);
  if (seq.cache !== '1') parts.push(`CACHE ${seq.cache}`);
  if (seq.cycle) parts.push('CYCLE');
  return parts.join(' ');
}

function renderSequence(row: SequenceRow): string {
  const options = sequenceOptions(row, true);
  return `CREATE SEQUENCE ${row.name}${options ? ` ${options}` : ''};`;
}

/** `ALTER SEQUENCE ... OWNED BY`, after its table exists. */
function renderSequenceOwner(row: SequenceRow): string | undefined {
  return row.ownedBy === null ? undefined : `ALTER SEQUENCE ${row.name} OWNED BY ${row.ownedBy};`;
}

function renderColumn(column: ColumnRow): string {
  const parts = [column.name, column.type];
  if (column.collation) parts.push(`COLLATE ${column.collation}`);
  if (column.identity !== '') {
    const options = column.sequence ? sequenceOptions(column.sequence, false) : '';
    const kind = column.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT';
    parts.push(`GENERATED ${kind} AS IDENTITY${options ? ` (${options})` : ''}`);
  }
  if (column.generated !== null) parts.push(`GENERATED ALWAYS AS (${column.generated}) STORED`);
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  if (column.notNull) parts.push('NOT NULL');
  return `    ${parts.join(' ')}`;
}

/** `CREATE TABLE` with its columns, or `CREATE TABLE ... PARTITION OF` for a partition. */
function renderTable(row: TableRow): string {
  const unlogged = row.unlogged ? 'UNLOGGED ' : '';
  const columns = row.columns.map(renderColumn);
  let head: string;
  if (row.partitionOf !== null) {
    // A partition's columns are its parent's; only local defaults and NOT NULLs would differ.
    head = `CREATE ${unlogged}TABLE ${row.name} PARTITION OF ${row.partitionOf} ${row.bound ?? 'DEFAULT'}`;
  } else {
    const inherits = row.inherits.length > 0 ? `\nINHERITS (${row.inherits.join(', ')})` : '';
    head = `CREATE ${unlogged}TABLE ${row.name} (${columns.length > 0 ? `\n${columns.join(',\n')}\n` : ''})${inherits}`;
  }
  const partitioned = row.partitionKey !== null ? `\nPARTITION BY ${row.partitionKey}` : '';
  const options = row.options.length > 0 ? `\nWITH (${row.options.join(', ')})` : '';
  return `${head}${partitioned}${options};`;
}

/** `CREATE [MATERIALIZED] VIEW`; a materialized view is created empty-and-filled from its (empty) tables. */
function renderView(row: ViewRow): string {
  const options = row.options.length > 0 ? ` WITH (${row.options.join(', ')})` : '';
  const kind = row.materialized ? 'MATERIALIZED VIEW' : 'VIEW';
  const query = row.definition.trim().replace(/;$/, '');
  return `CREATE ${kind} ${row.name}${options} AS\n${query};`;
}

/**
 * pg_get_indexdef says `ON ONLY` for a partitioned table's index: loaded as is, it would be an
 * invalid index with none on the partitions. Without ONLY it is created on every partition.
 */
function renderIndex(row: IndexRow): string {
  if (!row.partitioned) return `${row.definition};`;
  return `${row.definition.replace(`INDEX ${row.name} ON ONLY `, `INDEX ${row.name} ON `)};`;
}

function renderTrigger(row: TriggerRow): string {
  const state = { D: 'DISABLE', R: 'ENABLE REPLICA', A: 'ENABLE ALWAYS' }[row.enabled];
  return state ? `${row.definition};\nALTER TABLE ${row.table} ${state} TRIGGER ${row.name};` : `${row.definition};`;
}

const POLICY_COMMAND: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', '*': 'ALL' };

function renderPolicy(row: PolicyRow): string {
  const parts = [`CREATE POLICY ${row.name} ON ${row.table}`, `AS ${row.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'}`];
  parts.push(`FOR ${POLICY_COMMAND[row.command] ?? 'ALL'}`, `TO ${row.roles.join(', ')}`);
  if (row.using !== null) parts.push(`USING (${row.using})`);
  if (row.check !== null) parts.push(`WITH CHECK (${row.check})`);
  return `${parts.join('\n    ')};`;
}

// Views in dependency order, and the one string order used everywhere here.

/**
 * The views sorted so each comes after the views it uses; among those ready at the same time,
 * by name, so the order is the same on every run. A cycle (impossible in PostgreSQL, but cheap
 * to survive) ends the walk with the rest by name.
 */
export function viewsInDependencyOrder(views: readonly ViewRow[]): ViewRow[] {
  const byName = new Map(views.map((view) => [view.name, view]));
  const waitingOn = new Map(views.map((view) => [view.name, new Set(view.uses.filter((used) => used !== view.name && byName.has(used)))]));
  const ordered: ViewRow[] = [];
  while (waitingOn.size > 0) {
    const ready = [...waitingOn].filter(([, uses]) => uses.size === 0).map(([name]) => name);
    const next = (ready.length > 0 ? ready : [...waitingOn.keys()]).sort(compareText)[0] as string;
    ordered.push(byName.get(next) as ViewRow);
    waitingOn.delete(next);
    for (const uses of waitingOn.values()) uses.delete(next);
  }
  return ordered;
}

/** Code-point order: the same under every locale (localeCompare is not). */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
