/**
 * A string stand-in that counts how many characters a scanner reads, so a test can show that
 * the work grows linearly with the input by counting instead of timing (counts never flake).
 *
 * It knows the cost of the string operations a scanner like src/migrations/split.ts uses:
 * `charCodeAt` reads one character, `indexOf` reads every character from its start to the
 * end of the match (or to the end of the text when there is none), `slice` copies its piece.
 * Any other property (an index, `includes`, turning it into a primitive) throws: a scanner
 * that starts using one must teach this counter its cost, or its reads would go uncounted.
 */
export interface CountingText {
  /** Pass this where the scanner expects a string. */
  readonly text: string;
  /** Characters read so far. */
  visits(): number;
}

export function countingText(source: string): CountingText {
  let visits = 0;
  const operations: Record<string, unknown> = {
    charCodeAt(index: number): number {
      visits++;
      return source.charCodeAt(index);
    },
    indexOf(search: string, position = 0): number {
      const from = Math.min(Math.max(Math.trunc(position), 0), source.length);
      const found = source.indexOf(search, from);
      visits += found < 0 ? source.length - from : found - from + search.length;
      return found;
    },
    slice(start?: number, end?: number): string {
      const piece = source.slice(start, end);
      visits += piece.length;
      return piece;
    },
  };
  const text = new Proxy(new String(source), {
    get(_target, key) {
      if (key === 'length') return source.length;
      if (typeof key === 'string' && Object.hasOwn(operations, key)) return operations[key];
      throw new Error(`countingText: the scanner used ${String(key)}, whose cost this counter does not know`);
    },
  });
  return { text: text as unknown as string, visits: () => visits };
}
