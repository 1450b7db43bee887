/**
 * Parsing of partition bound expressions as printed by `pg_get_expr(c.relpartbound, c.oid)`.
 * Pure: it only splits the text into its parts. Turning a literal into an instant is left to
 * PostgreSQL (see `ensure.ts`), because how a `timestamptz` literal prints depends on the session's
 * `TimeZone` and `DateStyle` (`'2026-11-01 00:00:00+00'`, `'2026-11-01 14:00:00+14'`,
 * `'01/11/2026 14:00:00 +14'` are one instant); casting the text back in the same session is the
 * only robust reading.
 */

/** One side of a single-column range bound. */
export type BoundValue = { kind: 'minvalue' } | { kind: 'maxvalue' } | { kind: 'literal'; text: string };

/** A parsed bound expression. `unsupported` covers LIST/HASH bounds and multi-column ranges. */
export type ParsedBound = { kind: 'default' } | { kind: 'range'; from: BoundValue; to: BoundValue } | { kind: 'unsupported'; text: string };

/** Reads a quoted literal whose opening quote is at `start`. Returns its text and the index after `)`. */
function readLiteral(text: string, start: number): { value: BoundValue; next: number } | null {
  let literal = '';
  let position = start + 1;
  for (;;) {
    if (position >= text.length) return null;
    const char = text[position];
    if (char === "'") {
      if (text[position + 1] !== "'") break;
      literal += "'"; // a doubled quote
      position += 2;
      continue;
    }
    literal += char;
    position += 1;
  }
  position += 1; // the closing quote
  if (text[position] !== ')') return null; // a typed constant or a second column: not ours
  return { value: { kind: 'literal', text: literal }, next: position + 1 };
}

/** Reads one bound item starting at `start` (just after `(`). Returns the value and the index after `)`. */
function readItem(text: string, start: number): { value: BoundValue; next: number } | null {
  if (text[start] === "'") return readLiteral(text, start);
  const close = text.indexOf(')', start);
  if (close < 0) return null;
  const word = text.slice(start, close).trim().toUpperCase();
  if (word === 'MINVALUE') return { value: { kind: 'minvalue' }, next: close + 1 };
  if (word === 'MAXVALUE') return { value: { kind: 'maxvalue' }, next: close + 1 };
  return null;
}

/**
 * Parses `DEFAULT` and single-column range bounds
 * `FOR VALUES FROM (<lit>|MINVALUE) TO (<lit>|MAXVALUE)`; anything else is `unsupported`.
 */
export function parsePartitionBound(expr: string): ParsedBound {
  const text = expr.trim();
  if (/^DEFAULT$/i.test(text)) return { kind: 'default' };
  const head = /^FOR\s+VALUES\s+FROM\s*\(/i.exec(text);
  if (!head) return { kind: 'unsupported', text: expr };
  const from = readItem(text, head[0].length);
  if (!from) return { kind: 'unsupported', text: expr };
  const mid = /^\s*TO\s*\(/i.exec(text.slice(from.next));
  if (!mid) return { kind: 'unsupported', text: expr };
  const to = readItem(text, from.next + mid[0].length);
  if (!to || text.slice(to.next).trim() !== '') return { kind: 'unsupported', text: expr };
  return { kind: 'range', from: from.value, to: to.value };
}
