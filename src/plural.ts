/**
 * Counted words for messages, one helper for all of them. A leaf: anything may use it.
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
