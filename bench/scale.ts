/**
 * `npm run bench:scale`: only the scaling-out scenario of `npm run bench` (one gateway against two on
 * one PostgreSQL, behind the test balancer, round robin and with affinity), on the paced mock
 * Messages API.
 *
 *   npm run bench:scale [-- --clients 8 --turns 3 --words 30]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchServers } from './gateways.js';
import { formatMultiInstance, multiInstance } from './multi-instance.js';

const { values: args } = parseArgs({
  options: {
    clients: { type: 'string', default: '8' },
    turns: { type: 'string', default: '3' },
    words: { type: 'string', default: '30' },
  },
});
const clamp = (value: number, min: number, max: number) =>
  Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : min;

const scratch = await mkdtemp(path.join(os.tmpdir(), 'claude-gateway-bench-scale-'));
// The paced mock: each delta 100 ms apart, so an answer streams for about a second, as in the
// arrivals scenario.
const servers = await startBenchServers(scratch);
try {
  const figures = await multiInstance({
    startGateway: servers.startGateway,
    anthropicUrl: servers.pacedMockUrl,
    scratch,
    model: 'sonnet',
    clients: clamp(Number(args.clients), 2, 32),
    turns: clamp(Number(args.turns), 1, 10),
    promptWords: clamp(Number(args.words), 5, 200),
  });
  process.stdout.write(`${formatMultiInstance(figures).join('\n')}\n`);
} finally {
  await servers.stop();
  await rm(scratch, { recursive: true, force: true });
}
