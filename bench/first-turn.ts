/**
 * `npm run bench:first-turn`: why a warm spare's first turn is slower than a hot turn, on one Claude
 * Code process at a time (no gateway around it). Each round starts a spare with the options the
 * gateway builds for a new plain chat (`startup()`), waits until it is idle, hands it a prompt, then
 * a second one: claim to the API request (as the mock received it), claim to the first text delta,
 * and the CPU the process spent on the turn. Rounds alternate between the gateway's options and the
 * same options with Claude Code's CLAUDE.md plugin switched off, so background load falls on both alike.
 *
 *   npm run bench:first-turn [-- --rounds 8 --claim-after-ms 1500]
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type Options, type SDKMessage, type SDKUserMessage, startup } from '@anthropic-ai/claude-agent-sdk';
import { loadConfig } from '../src/config.js';
import { plainConversationPlan } from '../src/core/plain-conversation.js';
import { InputChannel } from '../src/engine/input-channel.js';
import { sdkOptions } from '../src/engine/options/claude-options.js';
import { createLaunchPlanner } from '../src/engine/options/plan-launch.js';
import { buildChildEnv } from '../src/engine/processes/child-env.js';
import { ProcessRegistry, type SpawnedRun } from '../src/engine/processes/process-registry.js';
import { type MockAnthropic, startMockAnthropic } from '../test/mock-anthropic/server.js';
import { waitForQuiet } from './proc-stats.js';
import { formatSummary, summarize } from './stats.js';

const { values: args } = parseArgs({
  options: { rounds: { type: 'string', default: '8' }, 'claim-after-ms': { type: 'string' } },
});
const ROUNDS = Math.min(25, Math.max(2, Math.round(Number(args.rounds)) || 8));
/** Claim each spare this long after `startup()` resolved instead of once it is idle. */
const CLAIM_AFTER_MS =
  args['claim-after-ms'] === undefined
    ? undefined
    : Math.min(60_000, Math.max(0, Number(args['claim-after-ms'])));

interface Turn {
  apiMs: number;
  ttftMs: number;
  cpuMs: number;
}

type Variant = 'gateway options' | 'CLAUDE.md plugin off';

/**
 * Claude Code's built-in plugin that loads CLAUDE.md / AGENTS.md: under `settingSources: []` it
 * adds nothing to the request, but its hooks run on every prompt (40-120 ms on a first prompt in
 * Claude Code's debug log), so it was the first suspect. Off through the flag settings.
 */
const PLUGIN_OFF: Options['settings'] = { enabledPlugins: { 'agents-md@builtin': false } };

/** CPU time of every thread of a process so far, in ms (Linux `schedstat`). */
async function cpuMs(pid: number): Promise<number> {
  let total = 0;
  for (const task of await readdir(`/proc/${pid}/task`).catch(() => [])) {
    const stat = await readFile(`/proc/${pid}/task/${task}/schedstat`, 'utf8').catch(() => '0');
    total += Number(stat.split(' ')[0]) / 1e6;
  }
  return total;
}

function userMessage(text: string): SDKUserMessage {
  return {
    type: 'user',
    message: { role: 'user', content: [{ type: 'text', text }] },
    parent_tool_use_id: null,
  };
}

async function timeTurn(
  mock: MockAnthropic,
  pid: number,
  messages: AsyncIterator<SDKMessage, void>,
  input: InputChannel,
): Promise<Turn> {
  const before = mock.requests.length;
  const cpuBefore = await cpuMs(pid);
  const claimedAt = Date.now();
  const started = performance.now();
  input.push(userMessage(`turn ${randomUUID()}`));
  let ttftMs = Number.NaN;
  for (;;) {
    const next = await messages.next();
    if (next.done) throw new Error('Claude Code ended before its result');
    const message = next.value;
    if (
      Number.isNaN(ttftMs) &&
      message.type === 'stream_event' &&
      message.event.type === 'content_block_delta'
    )
      ttftMs = performance.now() - started;
    if (message.type === 'result') break;
  }
  const request = mock.requests[before];
  return {
    apiMs: request ? request.receivedAt - claimedAt : Number.NaN,
    ttftMs,
    cpuMs: (await cpuMs(pid)) - cpuBefore,
  };
}

/** The gateway's options for a new tracked plain chat, as its warm pool starts spares with them. */
function spareOptions(scratch: string, mockUrl: string, processes: ProcessRegistry) {
  const config = loadConfig({ DATA_DIR: scratch });
  const configDir = path.join(scratch, 'claude');
  const env = buildChildEnv(
    {
      PATH: process.env.PATH,
      HOME: scratch,
      ANTHROPIC_BASE_URL: mockUrl,
      ANTHROPIC_API_KEY: 'sk-ant-mock',
      CLAUDE_CODE_TMPDIR: path.join(scratch, 'claude-tmp'),
    },
    { configDir, maxRetries: 0, apiTimeoutMs: 60_000, clientApp: 'claude-gateway/bench' },
  );
  const launches = createLaunchPlanner({
    executablePath: undefined,
    env,
    workspaceDir: config.workspaceDir,
    // As in the gateway with open spares on: every launch waits for `initialize`.
    awaitInitialize: true,
    extenders: [],
  });
  const plan = plainConversationPlan('sonnet', config.SYSTEM_PROMPT_PLACEMENT);
  return {
    workspaceDir: config.workspaceDir,
    options(variant: Variant, spawned: (run: SpawnedRun) => void): Options {
      const launch = launches.plan({ ...plan, session: { id: randomUUID(), continues: false } });
      const planned = sdkOptions(launch, {
        abortController: new AbortController(),
        spawnClaudeCodeProcess: (spawnOptions) => {
          const run = processes.spawn(spawnOptions);
          spawned(run);
          return run.process;
        },
      });
      return { ...planned, ...(variant === 'CLAUDE.md plugin off' ? { settings: PLUGIN_OFF } : {}) };
    },
  };
}

async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'claude-gateway-first-turn-'));
  const mock = await startMockAnthropic();
  const processes = new ProcessRegistry({ killGraceMs: 1_000 });
  const spares = spareOptions(scratch, mock.url, processes);
  await mkdir(spares.workspaceDir, { recursive: true });
  const variants: Variant[] = ['gateway options', 'CLAUDE.md plugin off'];
  const idleAfterMs: number[] = [];
  const figures = new Map<Variant, { first: Turn[]; hot: Turn[] }>(
    variants.map((variant) => [variant, { first: [], hot: [] }]),
  );
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const variant of variants) {
        let run: SpawnedRun | undefined;
        const warm = await startup({ options: spares.options(variant, (spawned) => (run = spawned)) });
        const pid = run?.child.pid;
        if (pid === undefined) throw new Error('the spare has no process id');
        // By default idle, as a spare is on a quiet gateway: its start-up work has settled.
        const ready = performance.now();
        if (CLAIM_AFTER_MS === undefined) {
          await waitForQuiet(pid);
          idleAfterMs.push(performance.now() - ready);
        } else await new Promise((resolve) => setTimeout(resolve, CLAIM_AFTER_MS));
        const input = new InputChannel();
        const conversation = warm.query(input);
        const messages = conversation[Symbol.asyncIterator]();
        const bucket = figures.get(variant);
        bucket?.first.push(await timeTurn(mock, pid, messages, input));
        bucket?.hot.push(await timeTurn(mock, pid, messages, input));
        input.close();
        conversation.close();
        if (run) await processes.terminate(run.child);
      }
    }
  } finally {
    await mock.close();
    await rm(scratch, { recursive: true, force: true });
  }
  const row = (label: string, turns: Turn[]) =>
    `| ${label} | ${formatSummary(summarize(turns.map((t) => t.apiMs)))} | ${formatSummary(
      summarize(turns.map((t) => t.ttftMs)),
    )} | ${formatSummary(summarize(turns.map((t) => t.cpuMs)))} |`;
  const lines = [
    `First turn of a started Claude Code process against its second, ${ROUNDS} rounds, claimed ${
      CLAIM_AFTER_MS === undefined ? 'once idle' : `${CLAIM_AFTER_MS} ms after startup()`
    }, ${os.cpus().length} CPUs, load ${os
      .loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}`,
    '',
    ...(idleAfterMs.length > 0
      ? [
          `A spare was idle (under 20 ms of CPU in 250 ms) ${formatSummary(summarize(idleAfterMs))} after startup() resolved`,
          '',
        ]
      : []),
    '| Turn | Claim to API request | Claim to first token | CPU of the process |',
    '| --- | --- | --- | --- |',
    ...variants.flatMap((variant) => {
      const bucket = figures.get(variant);
      return bucket ? [row(`First, ${variant}`, bucket.first), row(`Second, ${variant}`, bucket.hot)] : [];
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:first-turn: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
