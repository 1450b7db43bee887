import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests spawn CLI processes; two cores: keep the pool small.
    maxWorkers: 3,
    reporters: ['default'],
  },
});
