import { describe, expect, it } from 'vitest';
import { rollOut, type RolloutOptions } from '../../src/fleet/runner.js';

/** Work that records when each item starts and ends; items listed in `failing` fail. */
function recorder(failing: readonly string[] = [], ms = 5) {
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const work = async (item: string) => {
    running += 1;
    peak = Math.max(peak, running);
    log.push(`start ${item}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    running -= 1;
    log.push(`end ${item}`);
    return { item, ok: !failing.includes(item) };
  };
  return { log, work, peak: () => peak };
}

const run = (items: string[], failing: string[], options: Partial<RolloutOptions>) => {
  const r = recorder(failing);
  return rollOut(items, r.work, (o) => !o.ok, { concurrency: 1, ...options }).then((slots) => ({ slots, ...r }));
};

const states = (slots: Awaited<ReturnType<typeof run>>['slots']) =>
  slots.map((s) => (s.started ? (s.outcome.ok ? 'ok' : 'failed') : s.reason));

describe('rollOut', () => {
  it('runs every item, at most `concurrency` at once, in order, and returns slots in the items order', async () => {
    const items = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const { slots, log, peak } = await run(items, [], { concurrency: 3 });
    expect(peak()).toBe(3);
    expect(slots.map((s) => s.started && s.outcome.item)).toEqual(items);
    expect(log.filter((l) => l.startsWith('start')).slice(0, 3)).toEqual(['start t0', 'start t1', 'start t2']);
  });

  it('without --fail-fast a failure does not stop the others', async () => {
    const { slots } = await run(['a', 'b', 'c', 'd'], ['b'], { concurrency: 2 });
    expect(states(slots)).toEqual(['ok', 'failed', 'ok', 'ok']);
  });

  it('with --fail-fast no item starts after the first failure; running ones finish', async () => {
    const { slots } = await run(['a', 'b', 'c', 'd', 'e'], ['b'], { concurrency: 2, failFast: true });
    // a and b start together; a ends first and its worker starts c before b's failure is known.
    expect(states(slots).slice(0, 2)).toEqual(['ok', 'failed']);
    expect(states(slots).slice(3)).toEqual(['fail-fast', 'fail-fast']);
  });

  it('canaries run alone first; the rest starts only after all of them succeeded', async () => {
    const { log } = await run(['c1', 'c2', 'x', 'y'], [], { concurrency: 4, canary: 2 });
    expect(log.indexOf('end c1')).toBeLessThan(log.indexOf('start x'));
    expect(log.indexOf('end c2')).toBeLessThan(log.indexOf('start x'));
  });

  it('a failing canary stops the rollout: the others never start', async () => {
    const { slots, log } = await run(['c1', 'c2', 'x', 'y'], ['c2'], { concurrency: 4, canary: 2 });
    expect(states(slots)).toEqual(['ok', 'failed', 'canary-failed', 'canary-failed']);
    expect(log).not.toContain('start x');
  });

  it('an abort starts nothing more; what runs finishes', async () => {
    const controller = new AbortController();
    const r = recorder();
    const work = async (item: string) => {
      const outcome = await r.work(item);
      if (item === 'b') controller.abort('SIGINT');
      return outcome;
    };
    const slots = await rollOut(['a', 'b', 'c', 'd'], work, (o) => !o.ok, { concurrency: 1, signal: controller.signal });
    expect(states(slots)).toEqual(['ok', 'ok', 'interrupted', 'interrupted']);
  });

  it('a canary count larger than the list runs every item as a canary', async () => {
    const { slots } = await run(['a', 'b'], [], { concurrency: 2, canary: 5 });
    expect(states(slots)).toEqual(['ok', 'ok']);
  });
});
