import type { FilePosition } from '../migrations/position.js';
import type { Section } from '../migrations/parse.js';

/**
 * Where a section's text lies in its migration file. A section starts at the beginning of a
 * line (`section.startLine`), so a line inside it maps by an offset and a column stays as it
 * is. Columns are 1-based and count characters (code points), as editors and the rest of
 * aeturnis-db do.
 */

/**
 * Maps a squawk position in a section — 0-based line, 0-based column counted in UTF-8 bytes
 * (squawk's JSON reporter) — to the file's line and column.
 */
export function squawkPositionInFile(section: Section, line: number, byteColumn: number): FilePosition {
  const lineText = sectionLine(section.sql, Math.max(0, line));
  return { line: section.startLine + Math.max(0, line), column: charactersInBytes(lineText, Math.max(0, byteColumn)) + 1 };
}

/**
 * Maps a 0-based offset (JS string index) into a section's SQL to the file's line and column.
 */
export function offsetInFile(section: Section, offset: number): FilePosition {
  const sql = section.sql;
  let line = section.startLine;
  let lineStart = 0;
  for (let i = sql.indexOf('\n'); i !== -1 && i < offset; i = sql.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: codePoints(sql.slice(lineStart, offset)) + 1 };
}

/** Line `index` (0-based) of a text, without its line feed; '' past the end. */
function sectionLine(sql: string, index: number): string {
  let start = 0;
  for (let k = 0; k < index; k++) {
    const feed = sql.indexOf('\n', start);
    if (feed === -1) return '';
    start = feed + 1;
  }
  const end = sql.indexOf('\n', start);
  return sql.slice(start, end === -1 ? sql.length : end);
}

/** How many characters of `text` its first `bytes` UTF-8 bytes hold. */
function charactersInBytes(text: string, bytes: number): number {
  let used = 0;
  let characters = 0;
  for (const character of text) {
    if (used >= bytes) break;
    used += utf8Length(character.codePointAt(0) ?? 0);
    characters++;
  }
  return characters;
}

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

function codePoints(text: string): number {
  let count = 0;
  for (const _character of text) count++;
  return count;
}

/**
 * The inverse of {@link offsetInFile}: the 0-based offset (JS string index) in a section's SQL
 * of a file position; positions before the section map to 0, past its end to its length.
 */
export function offsetInSection(section: Section, position: FilePosition): number {
  const sql = section.sql;
  let offset = 0;
  for (let line = section.startLine; line < position.line; line++) {
    const feed = sql.indexOf('\n', offset);
    if (feed === -1) return sql.length;
    offset = feed + 1;
  }
  let characters = 0;
  while (characters < position.column - 1 && offset < sql.length && sql[offset] !== '\n') {
    offset += (sql.codePointAt(offset) ?? 0) > 0xffff ? 2 : 1;
    characters++;
  }
  return offset;
}
