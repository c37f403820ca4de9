/**
 * The gateway's overhead over the Agent SDK on a live process, as `bench:hot` and `npm run bench`
 * measure it. One gateway keeps a conversation hot; turns through it alternate with turns on a live
 * SDK query built with the same options, so background load falls on both alike. Warm-up turns of
 * another conversation go first (each side its own) and are not counted: what is measured is a
 * gateway that has served traffic, its code compiled (0 measures a fresh one).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type PostgresCluster, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { type Direct, directOptions, hotConversations, warmUpHotTurns } from './direct-sdk.js';
import type { BenchGateway, BenchServers } from './gateways.js';
import { aroundClaude, type Summary, summarize } from './stats.js';
import type { TimedChat } from './timed-chat.js';

export interface HotTurnsOptions {
  turns: number;
  warmup: number;
  /** Claude Code's API requests through the gateway's relay (the default), or directly. */
  relay: boolean;
  /** The gateway's store on a throw-away local PostgreSQL server, as a gateway of several has it. */
  postgres: boolean;
}

export interface HotTurns {
  gateway: TimedChat[];
  direct: TimedChat[];
  /** Time to first token less Claude Code's own part of the turn, per side. */
  gatewayAround: Summary;
  sdkAround: Summary;
  /** What the gateway adds: the difference of those medians. */
  addsMs: number;
  /** The gateway's part before the turn reached Claude Code (Server-Timing `gateway;dur`). */
  beforeTurn: Summary;
}

export async function measureHotTurns(
  servers: BenchServers,
  scratch: string,
  options: HotTurnsOptions,
): Promise<HotTurns> {
  let cluster: PostgresCluster | undefined;
  try {
    cluster = options.postgres ? await startPostgresCluster() : undefined;
    const gateway = await servers.startGateway({
      WARM_SPARES: '1',
      HOT_SESSIONS_MAX: '2',
      SCRUB_UPSTREAM_ENVIRONMENT: options.relay ? 'true' : 'false',
      ...(cluster ? { DATABASE_URL: await cluster.createDatabase() } : {}),
    });
    try {
      const direct = directOptions(
        servers.baseEnv,
        path.join(scratch, options.postgres ? 'direct-hot-postgres' : 'direct-hot'),
      );
      await mkdir(direct.workspaceDir, { recursive: true });
      return await hotTurnsThrough(gateway, direct, options);
    } finally {
      await gateway.stop();
    }
  } finally {
    await cluster?.stop();
  }
}

/** Warm-up turns, then the measured ones, through a running gateway and a live SDK query alike. */
export async function hotTurnsThrough(
  gateway: BenchGateway,
  direct: Direct,
  { turns, warmup }: Pick<HotTurnsOptions, 'turns' | 'warmup'>,
): Promise<HotTurns> {
  const pid = gateway.child.pid as number;
  await warmUpHotTurns(gateway.url, pid, direct.options(), warmup);
  const runs = await hotConversations(gateway.url, pid, direct.options(), turns);
  const gatewayAround = aroundClaude(runs.gateway);
  const sdkAround = aroundClaude(runs.direct);
  return {
    ...runs,
    gatewayAround,
    sdkAround,
    addsMs: gatewayAround.median - sdkAround.median,
    beforeTurn: summarize(
      runs.gateway.flatMap((s) => (s.ok && s.gatewayMs !== undefined ? [s.gatewayMs] : [])),
    ),
  };
}
