/**
 * Scaling out (issue 12): the same load on one gateway and on two gateways sharing one PostgreSQL
 * database, each behind the test round-robin balancer (so both pay the same proxy hop). The load is
 * `clients` conversations at once, `turns` streamed turns each of a few seconds, every turn continuing the
 * conversation; with two gateways consecutive requests alternate, so most turns resume a session
 * the other gateway ran (from the shared store). Bounded: clients x turns requests per setup.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { openGatewayStore } from '../src/store/gateway-store.js';
import { startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { startRoundRobinBalancer } from '../test/helpers/round-robin-balancer.js';
import type { GatewayProcess } from './processes.js';
import { type Scenario, scenario } from './scenarios.js';
import { type ChatMessage, type TimedChat, timedChat } from './timed-chat.js';

export interface Throughput extends Scenario {
  instances: number;
  requests: number;
  wallSeconds: number;
  /** Successful streamed turns per second of wall time. */
  requestsPerSecond: number;
}

export interface MultiInstanceFigures {
  clients: number;
  turns: number;
  promptWords: number;
  one: Throughput;
  two: Throughput;
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

export async function multiInstance(options: MultiInstanceOptions): Promise<MultiInstanceFigures> {
  const cluster = await startPostgresCluster();
  try {
    const one = await measureInstances(1, options, await cluster.createDatabase());
    const two = await measureInstances(2, options, await cluster.createDatabase());
    return { clients: options.clients, turns: options.turns, promptWords: options.promptWords, one, two };
  } finally {
    await cluster.stop();
  }
}

async function measureInstances(
  instances: number,
  options: MultiInstanceOptions,
  databaseUrl: string,
): Promise<Throughput> {
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
        }),
      );
    }
    const balancer = await startRoundRobinBalancer(gateways.map((gateway) => gateway.url));
    try {
      const headers = { authorization: `Bearer ${key}` };
      // One turn per gateway first, so no figure includes a gateway's first start.
      for (let i = 0; i < instances; i++) {
        await timedChat(balancer.origin, { model: options.model, messages: [user('warm-up')] }, headers);
      }
      const started = performance.now();
      const runs = (
        await Promise.all(
          Array.from({ length: options.clients }, () => conversation(balancer.origin, headers, options)),
        )
      ).flat();
      const wallSeconds = (performance.now() - started) / 1000;
      const figures = scenario(runs);
      return {
        instances,
        requests: runs.length,
        wallSeconds,
        requestsPerSecond: (runs.length - figures.errors) / wallSeconds,
        ...figures,
      };
    } finally {
      await balancer.close();
    }
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
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
    `| ${t.instances} gateway${t.instances > 1 ? 's' : ''} | ${t.requestsPerSecond.toFixed(2)} | ` +
    `${ms(t.ttft.median)} / ${ms(t.ttft.p95)} | ${ms(t.ttlb.median)} / ${ms(t.ttlb.p95)} | ` +
    `${t.requests - t.errors}/${t.requests} in ${t.wallSeconds.toFixed(1)} s |`;
  return [
    `Scaling out: ${figures.clients} conversations at once, ${figures.turns} streamed turns each (~${figures.promptWords}-word answers), one PostgreSQL, round-robin balancer`,
    '',
    '| Setup | Turns/s | TTFT p50 / p95 | Last byte p50 / p95 | OK |',
    '| --- | --- | --- | --- | --- |',
    line(figures.one),
    line(figures.two),
    '',
    `- Two gateways vs one: ${(figures.two.requestsPerSecond / figures.one.requestsPerSecond).toFixed(2)}x the turns per second`,
  ];
}

function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${value.toFixed(0)} ms`;
}
