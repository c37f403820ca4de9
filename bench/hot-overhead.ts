/**
 * `npm run bench:hot`: the gateway's overhead over the Agent SDK on a live process, alone (the full
 * `npm run bench` measures it among everything else). One gateway keeps a conversation hot; turns
 * through it alternate with turns on a live SDK query built with the same options, so background
 * load falls on both alike. Prints the median and p95 time to first token of each and the overhead.
 *
 *   npm run bench:hot [-- --turns 40 --warmup 150 --scrub false --postgres]
 *
 * `--warmup` hot turns of another conversation (each side its own) go first and are not counted:
 * what is measured is a gateway that has served traffic, its code compiled (0 measures a fresh one).
 * `--scrub false` starts the gateway with SCRUB_UPSTREAM_ENVIRONMENT=false: Claude Code then reaches
 * the API directly, as the SDK baseline does, instead of through the gateway's relay. `--postgres`
 * keeps the gateway's store on a throw-away local PostgreSQL server (DATABASE_URL), as a gateway of
 * several is: the conversation is then claimed in the shared index before each turn.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type PostgresCluster, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { directOptions, hotConversations, warmUpHotTurns } from './direct-sdk.js';
import { startBenchServers } from './gateways.js';
import { runBench } from './processes.js';
import { aroundClaude, formatSummary, summarize } from './stats.js';

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
  let cluster: PostgresCluster | undefined;
  try {
    cluster = args.postgres ? await startPostgresCluster() : undefined;
    const gateway = await servers.startGateway({
      WARM_SPARES: '1',
      HOT_SESSIONS_MAX: '2',
      SCRUB_UPSTREAM_ENVIRONMENT: args.scrub === 'false' ? 'false' : 'true',
      ...(cluster ? { DATABASE_URL: await cluster.createDatabase() } : {}),
    });
    try {
      const direct = directOptions(servers.baseEnv, path.join(scratch, 'direct'));
      await mkdir(direct.workspaceDir, { recursive: true });
      const pid = gateway.child.pid as number;
      await warmUpHotTurns(gateway.url, pid, direct.options(), WARMUP);
      const runs = await hotConversations(gateway.url, pid, direct.options(), TURNS);
      const ttft = (samples: typeof runs.gateway) =>
        summarize(samples.filter((s) => s.ok).map((s) => s.ttftMs));
      const viaGateway = ttft(runs.gateway);
      const viaSdk = ttft(runs.direct);
      const gatewayAround = aroundClaude(runs.gateway);
      const sdkAround = aroundClaude(runs.direct);
      process.stdout.write(
        [
          `Hot turns, ${TURNS} each after ${WARMUP} warm-up turns, interleaved (time to first token; relay ${args.scrub === 'false' ? 'off' : 'on'}; ${cluster ? 'PostgreSQL' : 'SQLite'}):`,
          `  gateway          ${formatSummary(viaGateway)}`,
          `  Agent SDK direct ${formatSummary(viaSdk)}`,
          `  overhead (median) ${(viaGateway.median - viaSdk.median).toFixed(1)} ms`,
          "Time to first token less Claude Code's own part (turn sent to its first event), per turn:",
          `  gateway          ${formatSummary(gatewayAround)}`,
          `  Agent SDK direct ${formatSummary(sdkAround)}`,
          `  gateway adds (median) ${(gatewayAround.median - sdkAround.median).toFixed(1)} ms, of which before the turn reached Claude Code (Server-Timing gateway;dur) ${formatSummary(
            summarize(runs.gateway.flatMap((s) => (s.ok && s.gatewayMs !== undefined ? [s.gatewayMs] : []))),
          )}`,
          `  load average ${os
            .loadavg()
            .map((load) => load.toFixed(2))
            .join(' ')}`,
          '',
        ].join('\n'),
      );
    } finally {
      await gateway.stop();
    }
  } finally {
    await cluster?.stop();
    await servers.stop();
    await rm(scratch, { recursive: true, force: true });
  }
}

runBench(main);
