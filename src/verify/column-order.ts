/**
 * Column order is part of a table (`SELECT *`, `INSERT ... VALUES`, `COPY` without a column
 * list depend on it), and PostgreSQL cannot put a column back in the middle: a DOWN that drops a
 * column and re-adds it puts it last. The snapshot records each table's columns in order as one
 * attribute; these pure helpers compare and describe it.
 */

/** The table attribute holding its column names in order, e.g. `a, b, "Mixed Case"`. */
export const COLUMN_ORDER = 'column order';

/**
 * Splits a column list as the snapshot writes it (names quoted by `quote_ident`, joined with
 * `, `), keeping a quoted name that itself holds a comma whole. Pure.
 */
export function splitColumnList(list: string): string[] {
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < list.length; i++) {
    const char = list[i];
    if (char === '"') quoted = !quoted; // a doubled "" inside a name toggles twice: still quoted
    if (!quoted && char === ',' && list[i + 1] === ' ') {
      names.push(current);
      current = '';
      i++;
      continue;
    }
    current += char;
  }
  if (current !== '') names.push(current);
  return names;
}

/**
 * True when the columns both lists have appear in the same order. A column only one side has
 * is reported on its own (added or dropped), so it does not count as a change of order. Pure.
 */
export function sameColumnOrder(expected: string | null, actual: string | null): boolean {
  const was = splitColumnList(expected ?? '');
  const is = splitColumnList(actual ?? '');
  const inBoth = (names: string[], other: string[]): string[] => names.filter((name) => other.includes(name));
  const wasShared = inBoth(was, is);
  const isShared = inBoth(is, was);
  return wasShared.length === isShared.length && wasShared.every((name, index) => name === isShared[index]);
}
