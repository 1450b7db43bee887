import type { Output } from './output.js';

/** One function per event kind: a kind without one is a compile error where the table is built. */
export type Renderers<E extends { type: string }> = { [K in E['type']]: (event: Extract<E, { type: K }>, output: Output) => void };
