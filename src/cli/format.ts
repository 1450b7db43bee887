/**
 * Milliseconds for people: `12 ms`, `1.4 s`.
 */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.max(0, Math.round(ms))} ms` : `${(ms / 1000).toFixed(1)} s`;
}
