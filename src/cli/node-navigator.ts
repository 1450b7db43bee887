/**
 * Start-up speed. `pg` checks, when it loads, whether it runs in a Cloudflare Worker: with no
 * `navigator` global (Node 20) that check constructs a `Response`, which makes Node load its
 * whole fetch stack (undici, http, http2, tls, zlib, worker_threads) — about 30 ms of every
 * command's start-up, for nothing. Node 21+ defines `navigator` (`userAgent` 'Node.js/21', ...)
 * and pg then skips that work; defining the same minimal object here, before `pg` loads, does on
 * Node 20 what newer Node versions do anyway. No other module the CLI loads looks at `navigator`.
 *
 * Imported first by the CLI entry point (main.ts) only: the library API leaves globals alone.
 */
if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
  Object.defineProperty(globalThis, 'navigator', {
    value: { userAgent: `Node.js/${process.versions.node.split('.')[0] ?? ''}` },
    configurable: true,
    enumerable: false,
    writable: true,
  });
}

export {};
