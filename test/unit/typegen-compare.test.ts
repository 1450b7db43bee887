import { describe, expect, it } from 'vitest';
import { describeDifferences, summarizeDifferences } from '../../src/typegen/compare.js';

const file = (users: string, extra = ''): string =>
  [
    '// header',
    '',
    'export type Mood = "happy" | "sad";',
    '',
    '/** table users */',
    'export interface Users {',
    users,
    '}',
    extra,
    'export interface Database {',
    '  users: Users;',
    '}',
    '',
  ].join('\n');

describe('types --check: naming what differs', () => {
  const generated = file('  id: Generated<string>;\n  status: Mood;\n  bio: string | null;');

  it('finds nothing when the file is what would be generated, CRLF line endings included', () => {
    expect(describeDifferences(generated, generated)).toEqual([]);
    expect(describeDifferences(generated.replace(/\n/g, '\r\n'), generated)).toEqual([]);
  });

  it('names missing, extra and changed properties and declarations', () => {
    const old = file('  id: Generated<string>;\n  status: string;\n  legacy: number;', 'export interface Gone {\n  x: number;\n}\n');
    expect(describeDifferences(old, generated)).toEqual([
      'Users.status is string in the file, Mood in the schema',
      'Users.bio is missing',
      'Users.legacy is not in the schema',
      'Gone is not in the schema',
    ]);
    expect(describeDifferences(old.replace('"sad"', '"glad"'), generated)[0]).toBe('Mood differs');
  });

  it('names a reordering, and falls back to the first differing line for anything else', () => {
    expect(describeDifferences(file('  id: Generated<string>;\n  bio: string | null;\n  status: Mood;'), generated)).toEqual([
      'Users has its properties in another order',
    ]);
    expect(describeDifferences(generated.replace('// header', '// edited'), generated)).toEqual(['the text differs from line 1']);
  });

  it('summarises in one line, at most three differences named', () => {
    const line = summarizeDifferences('src/db.ts', ['a', 'b', 'c', 'd', 'e']);
    expect(line).toBe(
      'src/db.ts is out of date with the schema: a; b; c; and 2 more (regenerate it with aeturnis-db types --out src/db.ts)',
    );
    expect(line).not.toContain('\n');
  });
});
