import type { ExpectedSchema } from './build.js';

/**
 * Expected schemas by applied history (see historyKey): a fleet run shares one, so databases
 * with the same history are compared with one build. Concurrent targets with the same history
 * wait for the same build; a build that failed is forgotten, so the next target tries again.
 */
export class ExpectedSchemaCache {
  private readonly schemas = new Map<string, Promise<ExpectedSchema>>();

  /** The schema of `key`, built by `build` only when no one has (or is building) it. */
  async get(key: string, build: () => Promise<ExpectedSchema>): Promise<{ schema: ExpectedSchema; built: boolean }> {
    const known = this.schemas.get(key);
    if (known) return { schema: await known, built: false };
    const building = build();
    this.schemas.set(key, building);
    building.catch(() => this.schemas.delete(key));
    return { schema: await building, built: true };
  }

  /** Distinct histories built or being built. */
  get size(): number {
    return this.schemas.size;
  }
}
