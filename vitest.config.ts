import { defineConfig } from 'vitest/config';

// Two projects: `unit` tests pure functions and must run with no PostgreSQL at all, so only the
// `integration` project has the global setup that finds (or starts) a test server.
// `npx vitest run --project unit` (or a path under test/unit) never connects to anything.
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn CLI processes; two cores: keep the pool small.
    maxWorkers: 3,
    reporters: ['default'],
    // afterEach hooks run in reverse order of registration, so a file's own afterEach
    // (registered after useTestProject) runs before the shared one drops the database.
    sequence: { hooks: 'stack' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          // Fails any test that opens a connection: unit tests must not need a server.
          setupFiles: ['test/support/no-connections.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
