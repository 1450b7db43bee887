import type { CommonOptions } from '../api/options.js';

/** One row of the `status` matrix across a fleet. */
export interface FleetStatusRow {
  /** The newest applied version ('' when nothing is applied). */
  version: string;
  applied: number;
  pending: number;
  problems: string[];
}

/**
 * A command as the fleet runs it: how to run it on one database, how to print that result
 * without --targets, and how its result reads in the summary and in --json.
 */
export interface FleetCommand<R> {
  /** Runs the command on one database: `options` are the command's own (with --targets: a target's URL and events). Throws on failure. */
  run(options: CommonOptions): Promise<R>;
  /** Prints the result of a run on one database (no --targets). */
  report?(result: R): void | Promise<void>;
  /** The summary shows version before → after: `track` for up and down, `reread` for commands recording rows without running migrations (adopt, baseline). */
  journal?: 'track' | 'reread';
  /** The summary's Result cell of a target that succeeded (default `ok`). */
  describe?(result: R): string;
  /** A target's `result` in --json (default: the result as it is). */
  json?(result: R): unknown;
  /** With this, the summary is a matrix: one row per target with its version, pending count and problems. */
  statusRow?(result: R): FleetStatusRow;
}

/**
 * What the fleet keeps of a target's result once it ends: only what the summary and --json
 * print, so memory does not grow with the results of thousands of targets.
 */
export interface PrintedResult {
  /** The Result cell (and the end of the target's last line). */
  text: string;
  /** Its `result` in --json (kept only with --json). */
  json?: unknown;
  /** Its row in the status matrix. */
  statusRow?: FleetStatusRow | undefined;
}

/**
 * Reduces a result to what will be printed of it.
 */
export function printed<R>(spec: FleetCommand<R>, result: R, json: boolean): PrintedResult {
  return {
    text: spec.describe ? spec.describe(result) : 'ok',
    ...(json ? { json: spec.json ? spec.json(result) : result } : {}),
    statusRow: spec.statusRow?.(result),
  };
}
