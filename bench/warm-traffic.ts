/**
 * `npm run bench:warm`: the warm-traffic scenarios alone, in one run, faster than `npm run bench`:
 * new conversations and rebuilt 2-turn histories on a gateway without spares (cold) and with them
 * (warm spares, rebuilds served by a pre-started process, quiet and right after a spare was used),
 * then steady arrivals every 1 s and every 500 ms, adaptive spares against one fixed spare.
 *
 *   npm run bench:warm [-- --runs 7] [-- --only arrivals|rebuilds]
 *
 * Prints a table and writes bench/results/warm-traffic.json (not committed).
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type BenchServers, startBenchServers } from './gateways.js';
import { waitForQuiet } from './proc-stats.js';
import { runBench } from './processes.js';
import {
  arrivalRows,
  rebuilds,
  rebuilt,
  type Scenario,
  scenario,
  steadyArrivalsCompared,
  streamEnd,
} from './scenarios.js';
import { formatSummary, type Summary } from './stats.js';
import { type TimedChat, timedChat } from './timed-chat.js';

const MODEL = 'sonnet';
const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '7' }, only: { type: 'string' } },
});
const wanted = (part: 'arrivals' | 'rebuilds') => args.only === undefined || args.only === part;
const RUNS = Math.min(25, Math.max(3, Math.round(Number(args.runs)) || 7));

const failed = (): TimedChat => ({
  ok: false,
  status: 0,
  ttftMs: Number.NaN,
  ttlbMs: Number.NaN,
  content: '',
});

function newConversation(url: string, text: string): Promise<TimedChat> {
  return timedChat(url, {
    model: MODEL,
    messages: [{ role: 'user', content: `${text} ${randomUUID()}` }],
  }).catch(failed);
}

/** New conversations and rebuilt histories in turn, each on a quiet machine. */
async function alternate(
  url: string,
  rootPid: number,
  runs: number,
): Promise<{ fresh: TimedChat[]; rebuilt: TimedChat[] }> {
  const fresh: TimedChat[] = [];
  const rebuiltRuns: TimedChat[] = [];
  for (let i = 0; i < runs; i++) {
    await waitForQuiet(rootPid);
    fresh.push(await newConversation(url, `new ${i}`));
    await waitForQuiet(rootPid);
    rebuiltRuns.push(await rebuilt(url, MODEL, `rebuild ${i}`).catch(failed));
  }
  return { fresh, rebuilt: rebuiltRuns };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'claude-gateway-bench-warm-'));
  const servers = await startBenchServers(scratch);
  const figures: Record<string, Scenario> = {};
  const streamEnds: Record<string, Summary> = {};
  let arrivals: Record<string, Scenario> = {};
  try {
    if (wanted('rebuilds')) await coldWarmAndRebuilds(servers, figures, streamEnds);
    if (wanted('arrivals')) arrivals = await steadyArrivalsCompared(servers, MODEL);
  } finally {
    await servers.stop();
    await rm(scratch, { recursive: true, force: true });
  }
  const results = {
    generatedAt: new Date().toISOString(),
    cpus: os.cpus().length,
    loadAverage: os.loadavg(),
    runs: RUNS,
    scenarios: figures,
    steadyArrivals: arrivals,
    streamEndMs: streamEnds,
  };
  printTable(results.scenarios, arrivals, streamEnds);
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/warm-traffic.json', `${JSON.stringify(results, null, 2)}\n`);
}

/** Cold against warm, for new conversations and rebuilt histories. */
async function coldWarmAndRebuilds(
  servers: BenchServers,
  figures: Record<string, Scenario>,
  streamEnds: Record<string, Summary>,
): Promise<void> {
  const cold = await servers.startGateway({ WARM_SPARES: '0', HOT_SESSIONS_MAX: '0' });
  try {
    await newConversation(cold.url, 'warm-up');
    const runs = await alternate(cold.url, cold.child.pid as number, RUNS);
    figures.cold = scenario(runs.fresh);
    streamEnds.cold = streamEnd(runs.fresh);
    figures.rebuildCold = scenario(runs.rebuilt);
  } finally {
    await cold.stop();
  }
  const warm = await servers.startGateway({ WARM_SPARES: '1', HOT_SESSIONS_MAX: '0' });
  try {
    const pid = warm.child.pid as number;
    const rebuiltRuns = await rebuilds(warm.url, pid, MODEL, RUNS);
    figures.rebuildWarmQuiet = scenario(rebuiltRuns.quiet);
    figures.rebuildWarmAfterSpareUse = scenario(rebuiltRuns.afterSpareUse);
    const runs = await alternate(warm.url, pid, RUNS);
    figures.warmSpare = scenario(runs.fresh);
    streamEnds.warmSpare = streamEnd(runs.fresh);
    figures.rebuildWarmAlternating = scenario(runs.rebuilt);
  } finally {
    await warm.stop();
  }
}

function printTable(
  figures: Record<string, Scenario>,
  arrivals: Record<string, Scenario>,
  streamEnds: Record<string, Summary>,
): void {
  const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
  const cell = (figure: Scenario | undefined, part: 'ttft' | 'ttlb') =>
    figure && figure[part].n > 0 ? `${formatSummary(figure[part])}, p95 ${ms(figure[part].p95)} ms` : 'n/a';
  const rows: Array<[string, Scenario | undefined]> = (
    [
      ['New conversation, cold (WARM_SPARES=0)', figures.cold],
      ['Rebuilt 2-turn history, cold (WARM_SPARES=0)', figures.rebuildCold],
      ['New conversation, warm spare', figures.warmSpare],
      ['Rebuilt 2-turn history, spares on, quiet', figures.rebuildWarmQuiet],
      ['Rebuilt 2-turn history, spares on, right after a spare was used', figures.rebuildWarmAfterSpareUse],
      [
        'Rebuilt 2-turn history, spares on, alternating with new conversations',
        figures.rebuildWarmAlternating,
      ],
      ...arrivalRows().map(([label, key]): [string, Scenario | undefined] => [label, arrivals[key]]),
    ] as Array<[string, Scenario | undefined]>
  ).filter(([, figure]) => figure !== undefined);
  const lines = [
    `claude-gateway warm traffic — ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}, ${RUNS} runs each`,
    '',
    '| Scenario | Time to first token, median (min–max), p95 | Time to last byte, median (min–max), p95 | Errors |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      ([label, figure]) =>
        `| ${label} | ${cell(figure, 'ttft')} | ${cell(figure, 'ttlb')} | ${figure?.errors ?? 'n/a'} |`,
    ),
  ];
  for (const [label, key] of [
    ['cold', 'cold'],
    ['warm spare', 'warmSpare'],
  ] as const) {
    const end = streamEnds[key];
    if (end && end.n > 0) lines.push(`- Last content to end of stream, ${label}: ${formatSummary(end)}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

runBench(main);
