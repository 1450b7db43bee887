/**
 * Two long definitions (a function body, a constraint, a view) usually share most of their text:
 * cutting both at the same length shows two identical prefixes and hides the difference. These
 * pure helpers show each side around where they differ instead.
 */

/** A side shown whole up to this length (both sides, once made one line). */
const WHOLE = 120;
/** Characters kept before the first difference, so the reader can find the spot. */
const BEFORE = 30;
/** Characters kept after the differing part, so its end is visible. */
const AFTER = 20;
/** The longest differing part shown; a longer one is cut in the middle. */
const MIDDLE = 70;
/** Not worth a `...`: fewer characters than this left out at either end are shown. */
const SLACK = 12;

/**
 * Both values on one line each, shown whole when short, else a window around their difference:
 * the same context before it on both sides (`...` marking what was left out), the differing part,
 * a little after it. Pure.
 */
export function showPair(expected: string | null, actual: string | null): { expected: string; actual: string } {
  if (expected === null || actual === null) return { expected: shownAlone(expected), actual: shownAlone(actual) };
  const was = oneLine(expected);
  const is = oneLine(actual);
  if ((was.length <= WHOLE && is.length <= WHOLE) || was === is) return { expected: shownAlone(was), actual: shownAlone(is) };
  const prefix = commonPrefix(was, is);
  const suffix = commonSuffix(was.slice(prefix), is.slice(prefix));
  const start = prefix - BEFORE <= SLACK ? 0 : prefix - BEFORE;
  return { expected: windowOf(was, start, prefix, was.length - suffix), actual: windowOf(is, start, prefix, is.length - suffix) };
}

/** One value alone (the other side is absent): cut at {@link WHOLE} characters. Pure. */
export function shownAlone(value: string | null): string {
  if (value === null) return 'none';
  const line = oneLine(value);
  return line.length > WHOLE ? `${line.slice(0, WHOLE - 3)}...` : line;
}

function oneLine(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

/** `text[start, differsTo + AFTER)`, its differing part `[differsFrom, differsTo)` cut to {@link MIDDLE}. */
function windowOf(text: string, start: number, differsFrom: number, differsTo: number): string {
  const head = start > 0 ? '...' : '';
  const context = text.slice(start, differsFrom);
  const differing = text.slice(differsFrom, differsTo);
  const middle = differing.length > MIDDLE ? `${differing.slice(0, MIDDLE - 20)}...${differing.slice(differing.length - 17)}` : differing;
  const end = differsTo + AFTER + SLACK >= text.length ? text.length : differsTo + AFTER;
  const tail = text.slice(differsTo, end);
  return `${head}${context}${middle}${tail}${end < text.length ? '...' : ''}`;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

function commonSuffix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}
