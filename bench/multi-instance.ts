/**
 * Scaling out (issues 12 and 22): the same load on one gateway and on two gateways sharing one
 * PostgreSQL database, each behind the test balancer (so every setup pays the same proxy hop). The
 * load is `clients` conversations at once, `turns` streamed turns each of a few seconds, every turn
 * continuing the conversation (named by `x-conversation-id`). Two gateways are measured round robin
 * (consecutive turns alternate, so most resume a session the other gateway ran, from the shared
 * store) and with affinity (the balancer hashes key and conversation, as deploy/nginx.conf does, so
 * turns stay where their process is kept); one gateway also at half the load, the share each of two
 * gateways gets. Bounded: clients x turns requests per setup.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { openGatewayStore } from '../src/store/gateway-store.js';
import { startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import {
  gatewayAffinity,
  startRoundRobinBalancer,
  upstreamFor,
} from '../test/helpers/round-robin-balancer.js';
import type { GatewayProcess } from './processes.js';
import { type Scenario, scenario } from './scenarios.js';
import { type ChatMessage, type TimedChat, timedChat } from './timed-chat.js';

export interface Throughput extends Scenario {
  label: string;
  instances: number;
  /** Conversations at once. */
  clients: number;
  affinity: boolean;
  requests: number;
  wallSeconds: number;
  /** Successful streamed turns per second of wall time. */
  requestsPerSecond: number;
}

export interface MultiInstanceFigures {
  clients: number;
  turns: number;
  promptWords: number;
  setups: Throughput[];
}

export interface MultiInstanceOptions {
  startGateway(config: Record<string, string>): Promise<GatewayProcess>;
  /** The Messages API the gateways' Claude Code talks to (a paced mock: answers take a while). */
  anthropicUrl: string;
  scratch: string;
  model: string;
  clients: number;
  turns: number;
  /**
   * Words in each prompt, which the mock echoes one delta at a time: with the paced mock (100 ms a
   * delta) 30 words make a ~3 s answer, so, as with real answers, a turn mostly streams rather than
   * starts Claude Code, and run slots rather than CPU bound the throughput.
   */
  promptWords: number;
}

interface Load {
  label: string;
  clients: number;
  affinity: boolean;
}

export async function multiInstance(options: MultiInstanceOptions): Promise<MultiInstanceFigures> {
  const cluster = await startPostgresCluster();
  const half = Math.max(1, Math.floor(options.clients / 2));
  try {
    const one = await measureInstances(1, options, await cluster.createDatabase(), [
      { label: `1 gateway, ${half} conversations (half the load)`, clients: half, affinity: false },
      { label: '1 gateway', clients: options.clients, affinity: false },
    ]);
    const two = await measureInstances(2, options, await cluster.createDatabase(), [
      { label: '2 gateways, round robin', clients: options.clients, affinity: false },
      { label: '2 gateways, affinity', clients: options.clients, affinity: true },
    ]);
    return {
      clients: options.clients,
      turns: options.turns,
      promptWords: options.promptWords,
      setups: [...one, ...two],
    };
  } finally {
    await cluster.stop();
  }
}

/** Gateways on one database, then each load in turn through its own balancer. */
async function measureInstances(
  instances: number,
  options: MultiInstanceOptions,
  databaseUrl: string,
  loads: readonly Load[],
): Promise<Throughput[]> {
  // A real key with limits, so every turn pays the shared store's work (lookup, rpm, lease, audit).
  const store = await openGatewayStore({ engine: 'postgres', url: databaseUrl });
  const { key } = await store.keys
    .create({ name: 'bench', policy: { rpm: 100_000, concurrency: 1_000 } })
    .finally(() => store.close());
  // One DATA_DIR for all, as on a shared volume: each gateway keeps its scratch under instances/<id>.
  const dataDir = path.join(options.scratch, `scale-${instances}`);
  await mkdir(dataDir, { recursive: true });
  const gateways: GatewayProcess[] = [];
  try {
    for (let i = 0; i < instances; i++) {
      gateways.push(
        await options.startGateway({
          DATA_DIR: dataDir,
          INSTANCE_ID: `bench-${instances}-${i}`,
          DATABASE_URL: databaseUrl,
          AUTH_DISABLED: 'false',
          ANTHROPIC_BASE_URL: options.anthropicUrl,
          MAX_QUEUE: String(options.clients * 2),
          // Room to keep every conversation's process, in every setup alike.
          HOT_SESSIONS_MAX: String(options.clients),
        }),
      );
    }
    const headers = { authorization: `Bearer ${key}` };
    // One turn on each gateway first, so no figure includes a gateway's first start.
    for (const gateway of gateways) {
      await timedChat(gateway.url, { model: options.model, messages: [user('warm-up')] }, headers);
    }
    const figures: Throughput[] = [];
    for (const load of loads) figures.push(await measureLoad(gateways, load, headers, options, instances));
    return figures;
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function measureLoad(
  gateways: readonly GatewayProcess[],
  load: Load,
  headers: Record<string, string>,
  options: MultiInstanceOptions,
  instances: number,
): Promise<Throughput> {
  const balancer = await startRoundRobinBalancer(
    gateways.map((gateway) => gateway.url),
    load.affinity ? { affinity: gatewayAffinity } : {},
  );
  try {
    const started = performance.now();
    const runs = (
      await Promise.all(
        conversationIds(load, headers, gateways.length).map((id) =>
          conversation(balancer.origin, { ...headers, 'x-conversation-id': id }, options),
        ),
      )
    ).flat();
    const wallSeconds = (performance.now() - started) / 1000;
    const figures = scenario(runs);
    return {
      ...load,
      instances,
      requests: runs.length,
      wallSeconds,
      requestsPerSecond: (runs.length - figures.errors) / wallSeconds,
      ...figures,
    };
  } finally {
    await balancer.close();
  }
}

/**
 * The conversations' names. With affinity, names the balancer's hash spreads evenly over the
 * gateways: a few conversations hash unevenly by chance (8 over 2 gateways split 4/4 only 27% of
 * the time), which many real ones even out; an even split is what "half the load each" compares.
 */
function conversationIds(load: Load, headers: Record<string, string>, gateways: number): string[] {
  const ids: string[] = [];
  while (ids.length < load.clients) {
    const id = randomUUID();
    const upstream = upstreamFor(
      gatewayAffinity({ headers: { ...headers, 'x-conversation-id': id } }) ?? '',
      gateways,
    );
    if (!load.affinity || upstream === ids.length % gateways) ids.push(id);
  }
  return ids;
}

/** One client: a conversation of `turns` streamed turns, each sending the whole history so far. */
async function conversation(
  url: string,
  headers: Record<string, string>,
  options: MultiInstanceOptions,
): Promise<TimedChat[]> {
  const history: ChatMessage[] = [];
  const runs: TimedChat[] = [];
  const id = randomUUID();
  const filler = Array.from({ length: Math.max(0, options.promptWords - 5) }, (_, i) => `w${i}`).join(' ');
  for (let turn = 0; turn < options.turns; turn++) {
    history.push(user(`turn ${turn} of ${id} ${filler}`));
    const run = await timedChat(url, { model: options.model, messages: history }, headers).catch(
      (): TimedChat => ({ ok: false, status: 0, ttftMs: Number.NaN, ttlbMs: Number.NaN, content: '' }),
    );
    runs.push(run);
    if (!run.ok) break;
    history.push({ role: 'assistant', content: run.content });
  }
  return runs;
}

function user(content: string): ChatMessage {
  return { role: 'user', content };
}

/** Lines for the bench's report. */
export function formatMultiInstance(figures: MultiInstanceFigures): string[] {
  const line = (t: Throughput) =>
    `| ${t.label} | ${t.requestsPerSecond.toFixed(2)} | ` +
    `${ms(t.ttft.median)} / ${ms(t.ttft.p95)} | ${ms(t.ttlb.median)} / ${ms(t.ttlb.p95)} | ` +
    `${t.requests - t.errors}/${t.requests} in ${t.wallSeconds.toFixed(1)} s |`;
  const find = (instances: number, affinity: boolean, clients: number) =>
    figures.setups.find((t) => t.instances === instances && t.affinity === affinity && t.clients === clients);
  const half = figures.setups.find((t) => t.instances === 1 && t.clients < figures.clients);
  const one = find(1, false, figures.clients);
  const roundRobin = find(2, false, figures.clients);
  const affine = find(2, true, figures.clients);
  const lines = [
    `Scaling out: ${figures.clients} conversations at once, ${figures.turns} streamed turns each (~${figures.promptWords}-word answers), one PostgreSQL, through a balancer`,
    '',
    '| Setup | Turns/s | TTFT p50 / p95 | Last byte p50 / p95 | OK |',
    '| --- | --- | --- | --- | --- |',
    ...figures.setups.map(line),
    '',
  ];
  if (one && affine) {
    lines.push(
      `- Two gateways with affinity vs one: ${(affine.requestsPerSecond / one.requestsPerSecond).toFixed(2)}x the turns per second`,
    );
  }
  if (half && affine) {
    lines.push(
      `- TTFT p50, two gateways with affinity vs one at half the load: ${ms(affine.ttft.median)} vs ${ms(half.ttft.median)}`,
    );
  }
  if (roundRobin && affine) {
    lines.push(
      `- TTFT p50 / p95, two gateways with affinity vs round robin: ${ms(affine.ttft.median)} / ${ms(affine.ttft.p95)} vs ${ms(roundRobin.ttft.median)} / ${ms(roundRobin.ttft.p95)}`,
    );
  }
  return lines;
}

function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${value.toFixed(0)} ms`;
}
