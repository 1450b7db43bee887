import { describe, expect, it } from 'vitest';
import { ExpectedSchemaCache, type ExpectedSchema } from '../../src/drift/history.js';

const schema = (database: string): ExpectedSchema => ({
  snapshot: new Map(),
  relations: { journalTables: [], registered: [] },
  database,
  steps: 0,
  ms: 0,
});

describe('expected schema cache', () => {
  it('targets with one history share one build, also while it is still running; another history builds its own', async () => {
    const cache = new ExpectedSchemaCache();
    let builds = 0;
    let finish: (value: ExpectedSchema) => void = () => {};
    const slow = (): Promise<ExpectedSchema> => {
      builds++;
      return new Promise((resolve) => {
        finish = resolve;
      });
    };
    const first = cache.get('h1', slow);
    const second = cache.get('h1', slow);
    finish(schema('scratch_1'));
    expect(await first).toEqual({ schema: schema('scratch_1'), built: true });
    expect(await second).toEqual({ schema: schema('scratch_1'), built: false });
    expect(
      (
        await cache.get('h2', async () => {
          builds++;
          return schema('scratch_2');
        })
      ).built,
    ).toBe(true);
    expect(builds).toBe(2);
  });

  it('a build that failed is forgotten: the next target builds again', async () => {
    const cache = new ExpectedSchemaCache();
    await expect(cache.get('h', () => Promise.reject(new Error('unreachable')))).rejects.toThrow('unreachable');
    expect((await cache.get('h', async () => schema('again'))).schema.database).toBe('again');
  });
});
