import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import type { Logger } from 'pino';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { serverLimitsFrom, startNodeServer } from '../../src/http/node-server.js';
import { createLogger } from '../../src/logger.js';
import { type MockAnthropic, startMockAnthropic } from '../mock-anthropic/server.js';
import { mockCliEnv } from './cli-options.js';

export interface Harness {
  mock: MockAnthropic;
  gateway: Gateway;
  /** e.g. http://127.0.0.1:PORT/v1 — what a user types as an OpenAI base URL. */
  baseURL: string;
  origin: string;
  openai: OpenAI;
  dataDir: string;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Gateway settings (the same names as the environment variables). */
  config?: Record<string, string>;
  /** Extra variables for the Claude Code processes; `undefined` removes one the sandbox sets. */
  cliEnv?: Record<string, string | undefined>;
  mock?: MockAnthropic;
  /** Where the gateway logs (default: a logger at LOG_LEVEL, silent unless the config says). */
  logger?: Logger;
}

/**
 * The real gateway (in-process, on 127.0.0.1) driving the real Claude Code CLI against the
 * project's mock Messages API, with everything Claude Code writes kept in a scratch directory.
 */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const mock = options.mock ?? (await startMockAnthropic());
  const dataDir = await mkdtemp(path.join(tmpdir(), 'claude-gateway-test-'));
  const config = loadConfig({
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    // Idle processes (spares, hot conversations) are opt-in per test: most tests count live processes.
    WARM_SPARES: '0',
    HOT_SESSIONS_MAX: '0',
    ...options.config,
  });
  const env: NodeJS.ProcessEnv = {
    ...mockCliEnv({ mockUrl: mock.url, home: dataDir, configDir: path.join(dataDir, 'claude') }),
    ...options.cliEnv,
  };
  const gateway = await createGateway(config, env, options.logger ?? createLogger(config.LOG_LEVEL));
  const server = startNodeServer({
    fetch: gateway.app.fetch,
    port: 0,
    hostname: '127.0.0.1',
    limits: serverLimitsFrom(config),
    websocket: gateway.websocket,
  });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const baseURL = `${origin}/v1`;
  const openai = new OpenAI({ baseURL, apiKey: 'sk-test-client', maxRetries: 0, timeout: 60_000 });
  return {
    mock,
    gateway,
    baseURL,
    origin,
    openai,
    dataDir,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.shutdown();
      if (!options.mock) await mock.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface UseHarnessOptions extends HarnessOptions {
  /** Reset the mock (its queued replies and recorded requests) before each test; on by default. */
  resetMockBeforeEach?: boolean;
}

/**
 * One harness for the enclosing suite (file or describe block): registers the vitest hooks that
 * start it before the first test and close it after the last. The returned object reads through
 * to the running harness, so tests and later hooks use it like the harness itself.
 */
export function useHarness(options: UseHarnessOptions = {}): Harness {
  const { resetMockBeforeEach = true, ...harnessOptions } = options;
  let current: Harness | undefined;
  const running = (): Harness => {
    if (current === undefined) throw new Error('the harness is used before its beforeAll hook has run');
    return current;
  };
  beforeAll(async () => {
    current = await startHarness(harnessOptions);
  });
  afterAll(async () => {
    await current?.close();
  });
  if (resetMockBeforeEach) {
    beforeEach(() => {
      running().mock.reset();
    });
  }
  return {
    get mock() {
      return running().mock;
    },
    get gateway() {
      return running().gateway;
    },
    get baseURL() {
      return running().baseURL;
    },
    get origin() {
      return running().origin;
    },
    get openai() {
      return running().openai;
    },
    get dataDir() {
      return running().dataDir;
    },
    close: () => running().close(),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `check` holds or the deadline passes; returns whether it held. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 3_000,
  stepMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, stepMs));
  }
  return check();
}
