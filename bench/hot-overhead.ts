/**
 * `npm run bench:hot`: the gateway's overhead over the Agent SDK on a live process, alone (the full
 * `npm run bench` measures it among everything else, on SQLite and on PostgreSQL; see hot-turns.ts).
 * Prints the median and p95 time to first token of each side and the overhead.
 *
 *   npm run bench:hot [-- --turns 40 --warmup 150 --scrub false --postgres]
 *
 * `--scrub false` starts the gateway with SCRUB_UPSTREAM_ENVIRONMENT=false: Claude Code then reaches
 * the API directly, as the SDK baseline does, instead of through the gateway's relay. `--postgres`
 * keeps the gateway's store on a throw-away local PostgreSQL server (DATABASE_URL), as a gateway of
 * several is: the conversation is then claimed in the shared index on each turn.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchServers } from './gateways.js';
import { measureHotTurns } from './hot-turns.js';
import { runBench } from './processes.js';
import { formatSummary, summarize } from './stats.js';

const { values: args } = parseArgs({
  options: {
    turns: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '150' },
    scrub: { type: 'string', default: 'true' },
    postgres: { type: 'boolean', default: false },
  },
});
const TURNS = Math.min(200, Math.max(3, Math.round(Number(args.turns)) || 40));
const WARMUP = Math.min(1000, Math.max(0, Math.round(Number(args.warmup)) || 0));

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'claude-gateway-bench-hot-'));
  const servers = await startBenchServers(scratch);
  try {
    const relay = args.scrub !== 'false';
    const hot = await measureHotTurns(servers, scratch, {
      turns: TURNS,
      warmup: WARMUP,
      relay,
      postgres: args.postgres,
    });
    const ttft = (samples: typeof hot.gateway) => summarize(samples.filter((s) => s.ok).map((s) => s.ttftMs));
    const viaGateway = ttft(hot.gateway);
    const viaSdk = ttft(hot.direct);
    process.stdout.write(
      [
        `Hot turns, ${TURNS} each after ${WARMUP} warm-up turns, interleaved (time to first token; relay ${relay ? 'on' : 'off'}; ${args.postgres ? 'PostgreSQL' : 'SQLite'}):`,
        `  gateway          ${formatSummary(viaGateway)}`,
        `  Agent SDK direct ${formatSummary(viaSdk)}`,
        `  overhead (median) ${(viaGateway.median - viaSdk.median).toFixed(1)} ms`,
        "Time to first token less Claude Code's own part (turn sent to its first event), per turn:",
        `  gateway          ${formatSummary(hot.gatewayAround)}`,
        `  Agent SDK direct ${formatSummary(hot.sdkAround)}`,
        `  gateway adds (median) ${hot.addsMs.toFixed(1)} ms, of which before the turn reached Claude Code (Server-Timing gateway;dur) ${formatSummary(hot.beforeTurn)}`,
        `  load average ${os
          .loadavg()
          .map((load) => load.toFixed(2))
          .join(' ')}`,
        '',
      ].join('\n'),
    );
  } finally {
    await servers.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

runBench(main);
