import type { Section } from './parse.js';

/** A 1-based line and column in a file. */
export interface FilePosition {
  line: number;
  column: number;
}

/**
 * Maps PostgreSQL's error `position` (1-based, in characters, into the exact text that was
 * sent) back to a line and column of the migration file. `textOffset` is where the sent text
 * starts inside the section (in JS string units), minus anything the runner prepended
 * (`prefixLength`). Pure.
 */
export function positionInFile(
  section: Section,
  position: number,
  options: { prefixLength?: number; textOffset?: number } = {},
): FilePosition | undefined {
  const { prefixLength = 0, textOffset = 0 } = options;
  let charsLeft = position - 1 - prefixLength;
  if (!Number.isFinite(charsLeft) || charsLeft < 0) return undefined;
  const sql = section.sql;
  // PostgreSQL counts characters (code points); JS strings count UTF-16 units.
  let index = textOffset;
  while (charsLeft > 0 && index < sql.length) {
    const code = sql.charCodeAt(index);
    index += code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    charsLeft--;
  }
  let line = section.startLine;
  let lineStart = 0;
  for (let i = sql.indexOf('\n'); i !== -1 && i < index; i = sql.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  let column = 1;
  for (let i = lineStart; i < index; i++) {
    const code = sql.charCodeAt(i);
    if (code >= 0xdc00 && code <= 0xdfff) continue;
    column++;
  }
  return { line, column };
}

/**
 * 1-based line, within a file, of the character at `offset` of a section's SQL.
 */
export function lineOfOffset(section: Section, offset: number): number {
  let line = section.startLine;
  for (let i = section.sql.indexOf('\n'); i !== -1 && i < offset; i = section.sql.indexOf('\n', i + 1)) line++;
  return line;
}
