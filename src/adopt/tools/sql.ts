/**
 * Pieces of the SELECTs that read other tools' journals as {@link SourceRow} columns. Pure text.
 */

/**
 * A timestamp column as exact ISO 8601 text in UTC (microseconds kept, so the journal row adopt
 * writes holds the very instant the tool recorded). A `timestamp` without time zone, as goose,
 * Flyway and node-pg-migrate write `now()` into, is read in the session's time zone.
 */
export function isoUtc(column: string): string {
  return `pg_catalog.to_char(${column}::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** The SourceRow columns a tool does not have. */
export const NO_NAME = 'NULL::text AS name';
export const NO_KIND = 'NULL::text AS kind';
export const NO_TIME = 'NULL::text AS applied_at';
export const NO_DURATION = 'NULL::integer AS execution_ms';
