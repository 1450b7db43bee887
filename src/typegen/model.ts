/**
 * What `types` reads from the catalogs: plain data, so generating the declarations is a pure
 * function of it (catalog.ts fills it in; render.ts turns it into TypeScript).
 */

/** A PostgreSQL type a column uses, directly or through a domain or an array. */
export interface CatalogType {
  oid: number;
  schema: string;
  name: string;
  /** pg_type.typtype: `b` base, `e` enum, `d` domain, `c` composite, `r` range, `m` multirange, `p` pseudo. */
  kind: string;
  /** The element type, when this is an array type. */
  elementOid: number | undefined;
  /** The underlying type, when this is a domain. */
  baseOid: number | undefined;
  /** A domain declared NOT NULL. */
  notNull: boolean;
  /** An enum's labels, in their declared order. */
  labels: string[];
}

/** One column, in table order. */
export interface CatalogColumn {
  name: string;
  typeOid: number;
  notNull: boolean;
  /** Has a DEFAULT, is an identity column or a generated column: may be left out on insert. */
  generated: boolean;
  /** GENERATED ALWAYS (identity or stored expression): never written by the application. */
  generatedAlways: boolean;
}

/** A table (partitioned parents included, partitions not) or a view (plain or materialized). */
export interface CatalogRelation {
  schema: string;
  name: string;
  kind: 'table' | 'view';
  columns: CatalogColumn[];
}

/** Everything the declarations are generated from. */
export interface CatalogModel {
  relations: CatalogRelation[];
  /** Every type the columns reach, and every enum of the schemas read. */
  types: ReadonlyMap<number, CatalogType>;
}

/** PostgreSQL's first OID for objects created after initdb: types below it are built in. */
export const FIRST_USER_OID = 16384;
