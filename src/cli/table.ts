/**
 * A linear-time renderer for the `status` table, drawing exactly what cli-table3 draws with the
 * options `status` uses (default characters, one space of padding, a rule between rows, left
 * aligned, no wrapping; head cyan and border grey when coloured).
 *
 * Why: cli-table3's layout step is quadratic in the number of rows (every cell is checked
 * against every cell above it for row spans): 500 rows take ~0.3 s and 10,000 rows ~10 s, most
 * of `status`'s time. This renders 10,000 rows in a few milliseconds.
 *
 * It measures width as the number of characters once ANSI colour codes are removed, which is
 * what cli-table3 measures for printable ASCII. For any other text (wide or combining
 * characters, emoji), {@link renderAsciiTable} returns undefined and the caller uses cli-table3,
 * whose string-width rules then apply.
 */

// ESC [ ... m, built from its code so the pattern holds no control character.
const SGR = new RegExp(`${String.fromCharCode(0x1b)}\\[[0-9;]*m`, 'g');
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** The text without ANSI colour codes (most cells have none: skip the regex then). */
function visibleText(text: string): string {
  return text.includes('\u001b') ? text.replace(SGR, '') : text;
}

/** Colours for the head cells and the border lines; identity when output is not coloured. */
export interface TableColours {
  head(text: string): string;
  border(text: string): string;
}

/**
 * Renders `head` and `rows` as cli-table3 would; undefined when some cell is not printable
 * ASCII (colour codes aside).
 */
export function renderAsciiTable(head: readonly string[], rows: readonly (readonly string[])[], colours: TableColours): string | undefined {
  const all = [head, ...rows];
  const columns = head.length;
  const widths = new Array<number>(columns).fill(0);
  for (const row of all) {
    if (row.length !== columns) return undefined;
    for (let c = 0; c < columns; c++) {
      const visible = visibleText(row[c] as string);
      if (!PRINTABLE_ASCII.test(visible)) return undefined;
      // cli-table3: content width + 1 space of padding on each side.
      if (visible.length + 2 > (widths[c] as number)) widths[c] = visible.length + 2;
    }
  }
  const { border } = colours;
  const rule = (left: string, fill: string, middle: string, right: string): string =>
    // cli-table3 colours each cell's segment of a rule separately.
    widths.map((w, c) => border((c === 0 ? left : middle) + fill.repeat(w) + (c === columns - 1 ? right : ''))).join('');
  const line = (row: readonly string[], isHead: boolean): string => {
    let out = '';
    for (let c = 0; c < columns; c++) {
      const text = row[c] as string;
      const visible = visibleText(text).length;
      const content = ` ${text}${' '.repeat((widths[c] as number) - 2 - visible)} `;
      out += border('│') + (isHead ? colours.head(content) : content);
      if (c === columns - 1) out += border('│');
    }
    return out;
  };
  const lines: string[] = [rule('┌', '─', '┬', '┐'), line(head, true)];
  const between = rule('├', '─', '┼', '┤');
  for (const row of rows) {
    lines.push(between, line(row, false));
  }
  lines.push(rule('└', '─', '┴', '┘'));
  return lines.join('\n');
}
