/**
 * Keeping passwords out of every output. A leaf: anything may use it.
 */

/** What a hidden URL or keyword password reads as. */
const URL_MASK = '*****';
/** What a hidden SQL password literal reads as (inside the quotes it had). */
const SQL_MASK = '***';

/**
 * The user's `:` in a URL, then the password up to the last `@` before a space (a password may
 * hold an unencoded `@` or quote; URL parsers split at the last `@`).
 */
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s"'<>]*:)(\S*)(@)/gi;

/**
 * `password` as a URL parameter or a libpq keyword may have any letter percent-encoded
 * (`%70assword=` is read as `password=`), and `sslpassword` ends the same way.
 */
const PASSWORD_NAME = [...'password']
  .map((letter) => {
    const hex = (c: string) => c.charCodeAt(0).toString(16);
    return `(?:${letter}|%${hex(letter)}|%${hex(letter.toUpperCase())})`;
  })
  .join('');

/** `password=VALUE` (URL parameter, keyword/value string): a quoted libpq value or up to `&` or a space. */
const KEYWORD_PASSWORD = new RegExp(`(${PASSWORD_NAME}\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'?|[^&\\s]*)`, 'gi');

/** The SQL keyword after which a string constant is a password (PASSWORD, ENCRYPTED PASSWORD, OPTIONS (password '...')). */
const SQL_PASSWORD = 'password\\b\\s*';

/**
 * Hides passwords for display: the password of a connection URL, `password=` parameters (also
 * percent-encoded or quoted) and the string constant after an SQL PASSWORD (quoted, E'...',
 * dollar-quoted, or nested in another literal with its quotes doubled). Every output goes
 * through it; when unsure where a password ends it hides too much rather than too little.
 */
export function maskPassword(text: string): string {
  const urls = text.replace(URL_PASSWORD, `$1${URL_MASK}$3`).replace(KEYWORD_PASSWORD, `$1${URL_MASK}`);
  return maskSqlPasswords(urls);
}

/**
 * Every string in `value` (arrays and plain objects walked) through {@link maskPassword}: for
 * structured log fields, where masking the JSON text could cut through its quotes.
 */
export function maskPasswordsIn<T>(value: T): T {
  if (typeof value === 'string') return maskPassword(value) as T;
  if (Array.isArray(value)) return value.map((item) => maskPasswordsIn(item)) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, maskPasswordsIn(item)])) as T;
  }
  return value;
}

function maskSqlPasswords(text: string): string {
  let out = '';
  let from = 0;
  const keyword = new RegExp(SQL_PASSWORD, 'gi');
  for (let match = keyword.exec(text); match; match = keyword.exec(text)) {
    const start = match.index + match[0].length;
    const literal = literalAt(text, start);
    if (!literal) continue;
    out += `${text.slice(from, start)}${literal.mask}`;
    from = literal.end;
    keyword.lastIndex = literal.end;
  }
  return out + text.slice(from);
}

/**
 * The SQL string constant starting at `start`, if one does: where it ends (the text's end when
 * it is not closed, as in a query cut at 300 characters) and what replaces it.
 */
function literalAt(text: string, start: number): { end: number; mask: string } | undefined {
  const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(start));
  if (dollar) {
    const close = text.indexOf(dollar[0], start + dollar[0].length);
    return { end: close < 0 ? text.length : close + dollar[0].length, mask: `'${SQL_MASK}'` };
  }
  const escapes = /^[eE]'/.test(text.slice(start, start + 2));
  const open = escapes ? start + 1 : start;
  const quotes = quoteRun(text, open);
  if (quotes === 0) return undefined;
  const end = quotedEnd(text, open + quotes, quotes, escapes);
  // Nested in another literal, its quotes are doubled: ''secret'' is written back as ''***''.
  const quote = "'".repeat(quotes);
  return { end, mask: `${quote}${SQL_MASK}${quote}` };
}

/**
 * Where a literal opened by `level` quotes ends: a run of 2×level quotes is one quote inside it,
 * a run of at least `level` closes it; with `escapes` (E'...') a backslash escapes the next character.
 */
function quotedEnd(text: string, from: number, level: number, escapes: boolean): number {
  let index = from;
  while (index < text.length) {
    if (escapes && text[index] === '\\') {
      index += 2;
      continue;
    }
    if (text[index] !== "'") {
      index += 1;
      continue;
    }
    let run = quoteRun(text, index);
    while (run >= 2 * level) {
      index += 2 * level;
      run -= 2 * level;
    }
    if (run >= level) return index + level;
    index += run;
  }
  return text.length;
}

function quoteRun(text: string, from: number): number {
  let index = from;
  while (text[index] === "'") index += 1;
  return index - from;
}

/**
 * {@link maskPassword} for a URL that may not parse (so its pattern may not match): everything
 * between the user's `:` and the last `@` is hidden, and `password=` parameters too.
 */
export function maskUrl(url: string): string {
  const at = url.lastIndexOf('@');
  const userStart = /^[a-z][a-z0-9+.-]*:\/*/i.exec(url)?.[0].length ?? 0;
  const colon = url.indexOf(':', userStart);
  const masked = at >= 0 && colon >= 0 && colon < at ? `${url.slice(0, colon + 1)}*****${url.slice(at)}` : url;
  return maskPassword(masked);
}
