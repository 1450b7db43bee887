import { describe, expect, it } from 'vitest';
import { docComment, identifier, propertyKey, stringLiteral } from '../../src/typegen/escape.js';

/** What JavaScript reads back from a string literal the renderer wrote. */
const evaluate = (literal: string): unknown => new Function(`return ${literal};`)();

const HOSTILE = [
  'x */ globalThis.pwned = 1; /*',
  'it\'s "q"',
  'back\\slash\\',
  'line\nbreak\r',
  'sep\u2028par\u2029',
  '${globalThis.pwned}',
  'rlo\u202e',
];

describe('typegen escaping', () => {
  it('stringLiteral: a double-quoted literal that reads back as the very name, on one line', () => {
    for (const name of HOSTILE) {
      const literal = stringLiteral(name);
      expect(literal).toMatch(/^"[^\n\r\u2028\u2029\u202e]*"$/);
      expect(evaluate(literal)).toBe(name);
    }
    expect(stringLiteral('sep\u2028')).toBe('"sep\\u2028"');
  });

  it('propertyKey: bare for an identifier, else the string literal', () => {
    expect(propertyKey('created_at')).toBe('created_at');
    expect(propertyKey('état')).toBe('état');
    expect(propertyKey('app.users')).toBe('"app.users"');
    expect(propertyKey('a²')).toBe('"a²"'); // ² is a digit to \p{N} but not an identifier character
    for (const name of HOSTILE) expect(evaluate(`({ ${propertyKey(name)}: 1 })`)).toEqual({ [name]: 1 });
  });

  it('identifier: identifiers unchanged; anything else made one', () => {
    expect(identifier('Users2')).toBe('Users2');
    expect(identifier('A²b')).toBe('A_b');
    expect(identifier('2fa')).toBe('_2fa');
    expect(identifier('X */ run(); /*')).toBe('X____run______');
  });

  it('docComment: one line the name cannot end or break', () => {
    expect(docComment('table users')).toBe('/** table users */');
    for (const name of HOSTILE) {
      const comment = docComment(`table ${name}`);
      expect(comment.slice(3, -2)).not.toContain('*/');
      expect(comment).toMatch(/^\/\*\* [^\n\r\u2028\u2029\u202e]* \*\/$/);
      expect(evaluate(`${comment} 1`)).toBe(1); // nothing of it is code
    }
    expect(docComment('table x */ globalThis.pwned = 1; /*')).toBe('/** table x *\\/ globalThis.pwned = 1; /* */');
  });
});
