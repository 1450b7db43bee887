/**
 * Counted words for messages, one helper for all of them. A leaf: anything may use it.
 *
 * @example
 * plural(1, 'migration') // '1 migration'
 * plural(3, 'index', 'indexes') // '3 indexes'
 */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
