/**
 * The one way a name from the database (table, column, schema, enum type or label) reaches the
 * generated TypeScript: as an identifier, a string literal, a property key or comment text. A
 * name is data: whatever it holds (`*\/`, quotes, backslashes, line breaks, `${`), it cannot end
 * the comment or string it is written into and become code. Pure.
 */

/** A JavaScript identifier (ASCII `$`/`_` and Unicode ID_Start/ID_Continue; ZWJ/ZWNJ left out on purpose). */
const IDENTIFIER = /^[\p{ID_Start}_$][\p{ID_Continue}$]*$/u;

/** Line terminators, control and format characters (bidi overrides): written as \u escapes. */
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

function unicodeEscape(char: string): string {
  return `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
}

/**
 * A double-quoted string literal holding exactly `text` (JSON's escapes, and line separators,
 * control and format characters as \u escapes so the line reads as it is).
 */
export function stringLiteral(text: string): string {
  return JSON.stringify(text).replace(INVISIBLE, unicodeEscape);
}

/**
 * A property name as TypeScript source: bare when it is an identifier, else a string literal.
 */
export function propertyKey(name: string): string {
  return IDENTIFIER.test(name) ? name : stringLiteral(name);
}

/**
 * An identifier for a declaration: `name` when it is one, else with each character an
 * identifier may not hold replaced by `_` (and `_` in front of a leading digit). The names
 * naming.ts makes are identifiers already: this is the guard that nothing else reaches code.
 */
export function identifier(name: string): string {
  if (IDENTIFIER.test(name)) return name;
  const safe = [...name].map((char) => (/[\p{ID_Continue}$]/u.test(char) ? char : '_')).join('');
  return /^[\p{ID_Start}_$]/u.test(safe) ? safe : `_${safe}`;
}

/**
 * A one-line doc comment saying `text`: a star then a slash in it cannot end the comment (a
 * backslash goes between them), and a line break, control or format character is written as a
 * \u escape.
 */
export function docComment(text: string): string {
  return `/** ${text.replace(/\*\//g, '*\\/').replace(INVISIBLE, unicodeEscape)} */`;
}
