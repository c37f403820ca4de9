/**
 * `npm run bench:shared`: only the continued-turns comparison of `npm run bench` (a gateway on a
 * shared PostgreSQL against a lone SQLite gateway, interleaved; then turns alternating between two
 * gateways), on the plain mock Messages API.
 *
 *   npm run bench:shared [-- --conversations 6 --turns 4]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchServers } from './gateways.js';
import { runBench } from './processes.js';
import { formatSharedTurns, sharedTurns } from './shared-turns.js';

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '6' },
    turns: { type: 'string', default: '4' },
  },
});
const clamp = (value: number, min: number, max: number) =>
  Number.isFinite(value) ? Math.min(max, Math.max(min, Math.round(value))) : min;

runBench(async () => {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'claude-gateway-bench-shared-'));
  const servers = await startBenchServers(scratch);
  try {
    const figures = await sharedTurns({
      startGateway: servers.startGateway,
      scratch,
      model: 'sonnet',
      conversations: clamp(Number(args.conversations), 1, 20),
      turns: clamp(Number(args.turns), 2, 10),
    });
    process.stdout.write(`${formatSharedTurns(figures).join('\n')}\n`);
  } finally {
    await servers.stop();
    await rm(scratch, { recursive: true, force: true });
  }
});
