/**
 * SQL text for partition upkeep: the bound literal of an instant for the key's type, and running
 * one statement so that a failure names the step (PartitionSqlError, exit 1).
 */
import type { ClientBase } from 'pg';
import { quoteLiteral } from '../identifiers.js';
import { errorCode, pgErrorOf } from '../connection/pg-error.js';
import { PartitionSqlError } from './errors.js';
import { isoInstant } from './periods.js';

/** The partition key types periods work on. */
export type KeyType = 'timestamptz' | 'timestamp' | 'date';

/** The bound literal of a period boundary (00:00 UTC of a day) for the key type. */
export function boundLiteral(instant: Date, type: KeyType): string {
  const iso = isoInstant(instant); // 'YYYY-MM-DD 00:00:00+00'
  if (type === 'timestamptz') return quoteLiteral(iso);
  if (type === 'timestamp') return quoteLiteral(iso.slice(0, -3));
  return quoteLiteral(iso.slice(0, 10));
}

/** The message and SQLSTATE of whatever `pg` threw. */
export function pgErrorInfo(error: unknown): { message: string; code: string | undefined } {
  const pgError = pgErrorOf(error);
  return { message: pgError?.message ?? (error instanceof Error ? error.message : String(error)), code: pgError?.code ?? errorCode(error) };
}

/** Runs one statement of the run; a failure becomes PartitionSqlError naming `table` and `step`. */
export async function runStep(
  client: ClientBase,
  table: string,
  step: string,
  text: string,
  values?: unknown[],
): Promise<{ rowCount: number }> {
  try {
    const result = await client.query(text, values);
    return { rowCount: result.rowCount ?? 0 };
  } catch (error) {
    const { message, code } = pgErrorInfo(error);
    throw new PartitionSqlError({ table, step, pgMessage: message, sqlState: code });
  }
}
