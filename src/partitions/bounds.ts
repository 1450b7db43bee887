/**
 * Parsing of partition bound expressions as printed by `pg_get_expr(c.relpartbound, c.oid)`.
 * Pure: it only splits the text into its parts. Turning a literal into an instant is left to
 * PostgreSQL (see `ensure.ts`), because how a `timestamptz` literal prints depends on the session's
 * `TimeZone` and `DateStyle` (`'2026-11-01 00:00:00+00'`, `'2026-11-01 14:00:00+14'`,
 * `'01/11/2026 14:00:00 +14'` are one instant); casting the text back in the same session is the
 * only robust reading.
 *
 * @example
 * parsePartitionBound("FOR VALUES FROM ('2026-11-01 00:00:00+00') TO ('2026-12-01 00:00:00+00')")
 * // { kind: 'range', from: { kind: 'literal', text: '2026-11-01 00:00:00+00' },
 * //                  to:   { kind: 'literal', text: '2026-12-01 00:00:00+00' } }
 * parsePartitionBound('DEFAULT') // { kind: 'default' }
 */

/** One side of a single-column range bound. */
export type BoundValue = { kind: 'minvalue' } | { kind: 'maxvalue' } | { kind: 'literal'; text: string };

/** A parsed bound expression. `unsupported` covers LIST/HASH bounds and multi-column ranges. */
export type ParsedBound =
  | { kind: 'default' }
  | { kind: 'range'; from: BoundValue; to: BoundValue }
  | { kind: 'unsupported'; text: string };

/** Reads one bound item starting at `i` (just after `(`). Returns the value and the index after `)`. */
function readItem(s: string, i: number): { value: BoundValue; next: number } | null {
  if (s[i] === "'") {
    let text = '';
    let j = i + 1;
    for (;;) {
      if (j >= s.length) return null;
      const ch = s[j];
      if (ch === "'") {
        if (s[j + 1] === "'") {
          text += "'";
          j += 2;
          continue;
        }
        j += 1;
        break;
      }
      text += ch;
      j += 1;
    }
    if (s[j] !== ')') return null; // a typed constant or a second column: not ours
    return { value: { kind: 'literal', text }, next: j + 1 };
  }
  const close = s.indexOf(')', i);
  if (close < 0) return null;
  const word = s.slice(i, close).trim().toUpperCase();
  if (word === 'MINVALUE') return { value: { kind: 'minvalue' }, next: close + 1 };
  if (word === 'MAXVALUE') return { value: { kind: 'maxvalue' }, next: close + 1 };
  return null;
}

/**
 * Parses `DEFAULT` and single-column range bounds
 * `FOR VALUES FROM (<lit>|MINVALUE) TO (<lit>|MAXVALUE)`; anything else is `unsupported`.
 */
export function parsePartitionBound(expr: string): ParsedBound {
  const s = expr.trim();
  if (/^DEFAULT$/i.test(s)) return { kind: 'default' };
  const head = /^FOR\s+VALUES\s+FROM\s*\(/i.exec(s);
  if (!head) return { kind: 'unsupported', text: expr };
  const from = readItem(s, head[0].length);
  if (!from) return { kind: 'unsupported', text: expr };
  const mid = /^\s*TO\s*\(/i.exec(s.slice(from.next));
  if (!mid) return { kind: 'unsupported', text: expr };
  const to = readItem(s, from.next + mid[0].length);
  if (!to || s.slice(to.next).trim() !== '') return { kind: 'unsupported', text: expr };
  return { kind: 'range', from: from.value, to: to.value };
}
