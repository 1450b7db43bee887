/**
 * Reading the fields of errors that `pg` throws. PostgreSQL's errors carry a five-character
 * SQLSTATE; socket errors carry Node's `E...` codes. Everything that asks "is this a PostgreSQL
 * error, and what did it say" asks here.
 */

/** The fields of a PostgreSQL error that messages use. */
export interface PgErrorFields {
  code: string;
  message: string;
  /** 1-based character offset into the query text, as a string (pg's convention). */
  position?: string | undefined;
  detail?: string | undefined;
  hint?: string | undefined;
  severity?: string | undefined;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;
const NODE_ERRNO = /^E[A-Z]+$/;

/**
 * True for a five-character SQLSTATE code.
 */
export function isSqlState(code: unknown): code is string {
  return typeof code === 'string' && SQLSTATE.test(code);
}

/**
 * True for a Node socket error code (`ECONNRESET`, `EPIPE`, ...).
 */
export function isNodeErrno(code: unknown): code is string {
  return typeof code === 'string' && NODE_ERRNO.test(code);
}

/**
 * The error's PostgreSQL fields when it came from the server (it has a SQLSTATE), else undefined.
 */
export function pgErrorOf(error: unknown): PgErrorFields | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const fields = error as Partial<Record<keyof PgErrorFields, unknown>>;
  if (!isSqlState(fields.code) || typeof fields.message !== 'string') return undefined;
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  return {
    code: fields.code,
    message: fields.message,
    position: text(fields.position),
    detail: text(fields.detail),
    hint: text(fields.hint),
    severity: text(fields.severity),
  };
}

/**
 * The error's code when it has one (SQLSTATE or errno).
 */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
