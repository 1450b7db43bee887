/**
 * Runs one piece of work per target, at most `concurrency` at once, in the targets' order:
 * first the canaries alone, then the rest only when every canary succeeded; with `failFast`
 * no target starts after a failure; after an abort none starts at all. Work that has started
 * always runs to its end (the work itself watches the signal). Knows nothing of databases.
 */

/** How a fleet is rolled out. */
export interface RolloutOptions {
  /** Targets running at once (at least 1). */
  concurrency: number;
  /** Stop starting targets after the first failure. */
  failFast?: boolean | undefined;
  /** Run the first N targets alone first; start the others only if all of them succeed. */
  canary?: number | undefined;
  signal?: AbortSignal | undefined;
}

/** Why a target never started. */
export type NotStartedReason = 'fail-fast' | 'canary-failed' | 'interrupted';

/** What became of one target: its work's result, or why it never started. */
export type Slot<O> = { started: true; outcome: O } | { started: false; reason: NotStartedReason };

/**
 * Runs `work` for every item and returns one slot per item, in the items' order.
 * `work` must not throw: it turns its failures into outcomes, which `failed` recognises.
 */
export async function rollOut<T, O>(
  items: readonly T[],
  work: (item: T, index: number) => Promise<O>,
  failed: (outcome: O) => boolean,
  options: RolloutOptions,
): Promise<Slot<O>[]> {
  const slots: (Slot<O> | undefined)[] = new Array<Slot<O> | undefined>(items.length).fill(undefined);
  let stopReason: NotStartedReason | undefined;
  const stopped = (): NotStartedReason | undefined => (options.signal?.aborted ? 'interrupted' : stopReason);
  const launch = async (index: number): Promise<void> => {
    const outcome = await work(items[index] as T, index);
    slots[index] = { started: true, outcome };
    if (failed(outcome) && options.failFast) stopReason ??= 'fail-fast';
  };
  const indices = items.map((_, index) => index);
  const canaries = Math.min(Math.max(options.canary ?? 0, 0), items.length);
  await pool(indices.slice(0, canaries), options.concurrency, launch, stopped);
  const canaryFailed = slots.slice(0, canaries).some((slot) => slot?.started && failed(slot.outcome));
  if (canaryFailed) stopReason ??= 'canary-failed';
  await pool(indices.slice(canaries), options.concurrency, launch, stopped);
  return slots.map((slot) => slot ?? { started: false, reason: stopped() ?? 'interrupted' });
}

/** Starts `launch` for each index in order, `limit` at a time, until `stopped` says stop. */
async function pool(
  indices: readonly number[],
  limit: number,
  launch: (index: number) => Promise<void>,
  stopped: () => unknown,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < indices.length && !stopped()) {
      const index = indices[next++] as number;
      await launch(index);
    }
  };
  const workers = Math.max(1, Math.min(limit, indices.length));
  await Promise.all(Array.from({ length: workers }, worker));
}
