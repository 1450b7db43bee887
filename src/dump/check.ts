/**
 * `dump --check`: where a schema file differs from the live schema, as a short excerpt in the
 * style of a unified diff. Pure.
 */

/** Lines of context around the first difference, and how many changed lines are shown. */
const CONTEXT = 2;
const SHOWN = 8;

/** The file's text as the dump would write it: a BOM and CRLF line ends (a Windows checkout) are no difference. */
function normalizeDumpText(text: string): string {
  return text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
}

/**
 * Empty when `fileText` is the dump; else the excerpt: a `@@ -line +line @@` header, then a
 * few lines of context (` `), the file's lines (`-`) and the database's (`+`) from the first
 * difference to where the two agree again (at most SHOWN of each).
 */
export function dumpDifference(fileText: string, dumped: string): string[] {
  const file = normalizeDumpText(fileText).split('\n');
  const live = dumped.split('\n');
  if (file.join('\n') === live.join('\n')) return [];
  let first = 0;
  while (first < file.length && first < live.length && file[first] === live[first]) first += 1;
  let fileEnd = file.length;
  let liveEnd = live.length;
  while (fileEnd > first && liveEnd > first && file[fileEnd - 1] === live[liveEnd - 1]) {
    fileEnd -= 1;
    liveEnd -= 1;
  }
  const start = Math.max(0, first - CONTEXT);
  const excerpt = [`@@ -${first + 1} +${first + 1} @@`, ...file.slice(start, first).map((line) => ` ${line}`)];
  const removed = file.slice(first, fileEnd);
  const added = live.slice(first, liveEnd);
  excerpt.push(...removed.slice(0, SHOWN).map((line) => `-${line}`));
  if (removed.length > SHOWN) excerpt.push(`-... ${removed.length - SHOWN} more lines`);
  excerpt.push(...added.slice(0, SHOWN).map((line) => `+${line}`));
  if (added.length > SHOWN) excerpt.push(`+... ${added.length - SHOWN} more lines`);
  return excerpt;
}
