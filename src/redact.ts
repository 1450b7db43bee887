/**
 * Keeping passwords out of every output. A leaf: anything may use it.
 */

/**
 * Hides the password of a connection URL (and of `password=` parameters) for display.
 *
 * @example
 * maskPassword('postgres://app:s3cret@db:5432/game') // 'postgres://app:*****@db:5432/game'
 */
export function maskPassword(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)([^@\s]*)(@)/gi, '$1*****$3').replace(/(password=)([^&\s]*)/gi, '$1*****');
}
