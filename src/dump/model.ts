/**
 * The catalog rows `dump` renders: what pg_get_* and format_type print, read with an empty
 * search_path (every name schema-qualified and quoted by PostgreSQL itself), in UTC, ISO dates.
 * Names are the sort keys, so the rendering never depends on OIDs or on catalog order.
 */

export interface ColumnRow {
  /** Quoted. */
  name: string;
  /** format_type(), e.g. `character varying(10)`, `public.mood`. */
  type: string;
  /** Quoted and qualified, when not the type's default collation. */
  collation: string | null;
  notNull: boolean;
  /** pg_get_expr of the default (not of a generated column). */
  default: string | null;
  /** `a` ALWAYS, `d` BY DEFAULT, '' none. */
  identity: string;
  /** pg_get_expr of a stored generated column. */
  generated: string | null;
  /** The identity sequence (bounds as text: they may exceed 2^53). */
  sequence: SequenceSettings | null;
}

export interface SequenceSettings {
  /** `smallint`, `integer`, `bigint`. */
  type: string;
  start: string;
  increment: string;
  min: string;
  max: string;
  cache: string;
  cycle: boolean;
}

export interface TableRow {
  /** Qualified and quoted. */
  name: string;
  /** `r` table, `p` partitioned table. */
  kind: string;
  unlogged: boolean;
  /** pg_get_partkeydef, for a partitioned table. */
  partitionKey: string | null;
  /** The parent of a partition. */
  partitionOf: string | null;
  /** pg_get_expr of the partition bound (`FOR VALUES ...`, `DEFAULT`). */
  bound: string | null;
  /** Inheritance parents (not partitioning), in order. */
  inherits: string[];
  /** reloptions, e.g. `fillfactor=70`. */
  options: string[];
  /** Its own columns (not those a partition or child inherits). */
  columns: ColumnRow[];
  rowSecurity: boolean;
  forceRowSecurity: boolean;
  /** How deep in a partition tree: 0 for a table that is no partition. */
  depth: number;
}

export interface SequenceRow extends SequenceSettings {
  name: string;
  /** `table.column` for a sequence a column owns (serial). */
  ownedBy: string | null;
}

export interface EnumRow {
  name: string;
  labels: string[];
}

export interface DomainRow {
  name: string;
  base: string;
  collation: string | null;
  notNull: boolean;
  default: string | null;
  /** name (quoted) and pg_get_constraintdef. */
  checks: { name: string; definition: string }[];
}

export interface CompositeRow {
  name: string;
  attributes: { name: string; type: string; collation: string | null }[];
}

export interface RangeRow {
  name: string;
  subtype: string;
  /** Qualified, or null when the subtype's default. */
  opclass: string | null;
  collation: string | null;
  canonical: string | null;
  diff: string | null;
  multirange: string;
}

export interface FunctionRow {
  /** regprocedure, e.g. `public.f(integer)`. */
  name: string;
  /** pg_get_functiondef (ends with a newline, no semicolon). */
  definition: string;
  /** Its signature uses a table's or view's row type: it is created after the views. */
  late: boolean;
}

export interface ViewRow {
  name: string;
  materialized: boolean;
  /** pg_get_viewdef (a query ending with `;`). */
  definition: string;
  options: string[];
  /** The views and materialized views its query reads. */
  uses: string[];
}

export interface ConstraintRow {
  table: string;
  name: string;
  /** `p`, `u`, `c`, `x`, `f`. */
  type: string;
  definition: string;
}

export interface IndexRow {
  table: string;
  name: string;
  /** pg_get_indexdef. */
  definition: string;
  /** On a partitioned table. */
  partitioned: boolean;
}

export interface TriggerRow {
  table: string;
  name: string;
  definition: string;
  /** `O` (origin, the default), `D` disabled, `R` replica, `A` always. */
  enabled: string;
}

interface RuleRow {
  table: string;
  name: string;
  definition: string;
}

export interface PolicyRow {
  table: string;
  name: string;
  permissive: boolean;
  /** `r`, `a`, `w`, `d`, `*`. */
  command: string;
  /** Quoted role names, `PUBLIC`; sorted. */
  roles: string[];
  using: string | null;
  check: string | null;
}

interface CommentRow {
  /** What follows COMMENT ON, e.g. `TABLE public.users`, `COLUMN public.users.email`. */
  target: string;
  text: string;
}

export interface GrantRow {
  /** What follows ON, e.g. `TABLE public.users`, `FUNCTION public.f(integer)`; for a column grant the table. */
  target: string;
  /** For a column grant: the quoted column. */
  column: string | null;
  privilege: string;
  /** Quoted role name or `PUBLIC`. */
  grantee: string;
  grantable: boolean;
}

/** A partitioned table whose partitions upkeep creates and drops (they are left out of the dump). */
export interface ManagedTable {
  name: string;
  interval: string;
  ahead: number;
  retain: number | null;
}

export interface AppliedMigration {
  version: string;
  name: string;
}

/** Everything the dump shows, read in one snapshot. */
export interface DumpCatalog {
  schemas: string[];
  /** name and schema, quoted. */
  extensions: { name: string; schema: string }[];
  enums: EnumRow[];
  domains: DomainRow[];
  composites: CompositeRow[];
  ranges: RangeRow[];
  sequences: SequenceRow[];
  functions: FunctionRow[];
  tables: TableRow[];
  views: ViewRow[];
  constraints: ConstraintRow[];
  indexes: IndexRow[];
  triggers: TriggerRow[];
  rules: RuleRow[];
  policies: PolicyRow[];
  comments: CommentRow[];
  grants: GrantRow[];
  /** `REVOKE ALL ... FROM PUBLIC` targets: functions and types whose default PUBLIC privilege was taken away. */
  revokes: string[];
  managed: ManagedTable[];
  /** The journal, as shown in the closing comment (null: there is none yet). */
  journal: string | null;
  migrations: AppliedMigration[];
}
