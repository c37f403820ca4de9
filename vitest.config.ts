import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration and compat tests spawn the real Claude Code CLI
// against the project's mock Messages API, so they get longer timeouts and limited parallelism
// (each CLI process is CPU-bound at start-up and the machine has 2 cores).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'web/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts', 'compat-tests/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
          // src/ compiled once for the tests that start the `claude-gateway` CLI as a process.
          globalSetup: ['test/setup/build-cli.ts'],
        },
      },
    ],
  },
});
