/**
 * The benchmark's servers: the mock Messages API (plain, and paced so each answer streams about a
 * second) and gateways on 127.0.0.1 pointed at it, each with its own data dir under `scratch`.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type GatewayProcess, gatewayLauncher, startTs } from './processes.js';

export const BENCH_MAX_CONCURRENCY = 4;

export type BenchGateway = GatewayProcess;

export interface BenchServers {
  /** The environment every Claude Code process gets (HOME, the mock's URL, a mock key). */
  baseEnv: NodeJS.ProcessEnv;
  /** The mock that paces its deltas (100 ms each). */
  pacedMockUrl: string;
  startGateway(config: Record<string, string>): Promise<BenchGateway>;
  stop(): Promise<void>;
}

const announcedUrl = (line: string) => (line.startsWith('http://') ? line.trim() : undefined);

export async function startBenchServers(scratch: string): Promise<BenchServers> {
  const mock = await startTs('test/mock-anthropic/cli.ts', { PATH: process.env.PATH }, announcedUrl);
  const pacedMock = await startTs(
    'test/mock-anthropic/cli.ts',
    { PATH: process.env.PATH, MOCK_ANTHROPIC_CHUNK_DELAY_MS: '100' },
    announcedUrl,
  ).catch(async (error: unknown) => {
    await mock.stop();
    throw error;
  });
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: path.join(scratch, 'home'),
    ANTHROPIC_BASE_URL: mock.announced,
    ANTHROPIC_API_KEY: 'sk-ant-mock',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  await mkdir(baseEnv.HOME as string, { recursive: true });
  return {
    baseEnv,
    pacedMockUrl: pacedMock.announced,
    startGateway: gatewayLauncher(baseEnv, scratch, BENCH_MAX_CONCURRENCY),
    async stop() {
      await Promise.all([mock.stop(), pacedMock.stop()]);
    },
  };
}
