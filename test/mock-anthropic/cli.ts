/**
 * Runs the mock Messages API on its own, for benchmarks and manual runs:
 *
 *   npx tsx test/mock-anthropic/cli.ts [port]
 *
 * The port comes from argv, else MOCK_ANTHROPIC_PORT, else a free one. The URL is printed alone on
 * the first stdout line so scripts can read it. Every request gets the echo reply; set
 * MOCK_ANTHROPIC_CHUNK_DELAY_MS to pace its deltas like a real model.
 */
import { echoHandler, type MockHandler, startMockAnthropic } from './server.js';

function parseNonNegativeInt(value: string | undefined, what: string): number | undefined {
  if (value === undefined || value === '') {
    return undefined;
  }
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`${what} must be a non-negative integer, got ${JSON.stringify(value)}`);
  }
  return parsed;
}

function pacedEcho(chunkDelayMs: number | undefined): MockHandler {
  if (chunkDelayMs === undefined) {
    return echoHandler;
  }
  return async (req) => {
    const reply = await echoHandler(req);
    return reply.kind === 'message' ? { ...reply, chunkDelayMs } : reply;
  };
}

async function main(): Promise<void> {
  const port =
    parseNonNegativeInt(process.argv[2], 'port argument') ??
    parseNonNegativeInt(process.env.MOCK_ANTHROPIC_PORT, 'MOCK_ANTHROPIC_PORT') ??
    0;
  const chunkDelayMs = parseNonNegativeInt(
    process.env.MOCK_ANTHROPIC_CHUNK_DELAY_MS,
    'MOCK_ANTHROPIC_CHUNK_DELAY_MS',
  );
  const mock = await startMockAnthropic({ port, handler: pacedEcho(chunkDelayMs) });
  process.stdout.write(`${mock.url}\n`);
  const stop = () => {
    mock.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock-anthropic: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
