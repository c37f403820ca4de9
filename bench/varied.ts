/**
 * `npm run bench:varied`: only the varied-request rows of `npm run bench`, quickly — new
 * conversations with their own system prompt and client tools, or with their own effort and
 * max_tokens, on a gateway with warm spares and on one without, each gateway alone on the machine.
 *
 *   npm run bench:varied [-- --runs 9]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBenchServers } from './gateways.js';
import { runBench } from './processes.js';
import { type Scenario, scenario, variedRequests } from './scenarios.js';
import { formatSummary } from './stats.js';

const MODEL = 'sonnet';
const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
const RUNS = Math.min(25, Math.max(3, Math.round(Number(args.runs)) || 3));

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'claude-gateway-bench-varied-'));
  const servers = await startBenchServers(scratch);
  const { startGateway } = servers;
  const rows: Array<[string, Scenario]> = [];
  try {
    for (const [label, config] of [
      ['warm spares', { WARM_SPARES: '1' }],
      ['cold (WARM_SPARES=0)', { WARM_SPARES: '0' }],
    ] as const) {
      const gateway = await startGateway({ ...config, HOT_SESSIONS_MAX: '0' });
      try {
        const varied = await variedRequests(gateway.url, gateway.child.pid as number, MODEL, RUNS);
        rows.push([`New prompt each time, ${label}`, scenario(varied.promptOnly)]);
        rows.push([`New prompt and client tools each time, ${label}`, scenario(varied.tools)]);
        rows.push([`New prompt, effort and max_tokens each time, ${label}`, scenario(varied.effortAndLimit)]);
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    await servers.stop();
    await rm(scratch, { recursive: true, force: true });
  }
  const lines = [
    `${RUNS} runs each, ${os.cpus().length} CPUs, load average ${os.loadavg()[0]?.toFixed(1)} at the end`,
    '',
    '| Scenario | Time to first token, median (min–max) | p95 | errors |',
    '| --- | --- | --- | --- |',
    ...rows.map(
      ([name, figure]) =>
        `| ${name} | ${formatSummary(figure.ttft)} | ${figure.ttft.p95.toFixed(0)} ms | ${figure.errors} |`,
    ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

runBench(main);
