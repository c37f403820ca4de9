import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration and compat tests spawn the real Claude Code CLI
// against the project's mock Messages API, so they get longer timeouts. Every core runs a test
// file (Vitest's default keeps one core for itself, which on 2 cores means one file at a time);
// each file has its own gateway, mock, ports and scratch directories, so files run side by side.
const WORKERS = Math.max(2, availableParallelism());

// The adaptive-spares test sizes the pool from how many requests arrive within a time window and
// checks how far it grows: it runs after the rest, with the CPU to itself. (The other warm-pool
// tests wait for a spare to be ready before they check what it serves, so they run with the rest.)
const SERIAL = ['test/warm/adaptive-spares.test.ts'];

// The files of a worker share one module cache (isolate: false). src/ and the test helpers keep no
// module-level state, and evaluating the gateway's whole module graph again for every file was
// most of the suite's import time.
const integration = {
  testTimeout: 60_000,
  hookTimeout: 60_000,
  isolate: false,
  // src/ compiled once for the tests that start the `claude-gateway` CLI as a process.
  globalSetup: ['test/setup/build-cli.ts'],
};

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts', 'web/**/*.test.ts', 'docs/**/*.test.ts'],
          maxWorkers: WORKERS,
          isolate: false,
        },
      },
      {
        test: {
          ...integration,
          name: 'integration',
          include: ['test/**/*.test.ts', 'compat-tests/**/*.test.ts'],
          exclude: SERIAL,
          maxWorkers: WORKERS,
        },
      },
      {
        test: {
          ...integration,
          name: 'integration-serial',
          include: SERIAL,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
