/**
 * Milliseconds for people: `12 ms`, `1.4 s`.
 */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Placeholder for a version beyond 2^53 in JSON text, written back as the exact integer by {@link withExactVersions}. */
const BIG_VERSION = '\u0000aeturnis-version:';

/**
 * A version for JSON: a number, or a placeholder when it is beyond 2^53 (JSON.stringify would round it).
 */
export function exactVersion(text: string): number | string {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : `${BIG_VERSION}${text}`;
}

/**
 * JSON text with each placeholder of {@link exactVersion} written as the exact integer.
 */
export function withExactVersions(json: string): string {
  return json.replace(/"\\u0000aeturnis-version:(\d+)"/g, '$1');
}
