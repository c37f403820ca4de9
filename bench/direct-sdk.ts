/**
 * The Agent SDK driven directly, with the options the gateway builds for the same request: the
 * baseline the bench measures the gateway's overhead against, cold and on a live process.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type Options, query, type SDKMessage, type SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import { loadConfig } from '../src/config.js';
import { plainConversationPlan } from '../src/core/plain-conversation.js';
import { InputChannel } from '../src/engine/input-channel.js';
import { agentOptions } from '../src/engine/options/agent-options.js';
import { sdkOptions } from '../src/engine/options/claude-options.js';
import { createLaunchPlanner } from '../src/engine/options/plan-launch.js';
import { buildChildEnv } from '../src/engine/processes/child-env.js';
import { GATEWAY_VERSION } from '../src/version.js';
import { httpChatClient } from './http-chat.js';
import { waitForQuiet } from './proc-stats.js';
import type { ChatMessage, TimedChat } from './timed-chat.js';

/** The model every bench request names. */
export const BENCH_MODEL = 'sonnet';

export interface HotTurnsOptions {
  model?: string;
  /**
   * Wait before each turn until the processes are quiet (default): what is measured then is the
   * turn, not what the one before left running. Warm-up turns need not.
   */
  quiet?: boolean;
}

/** A conversation through the gateway and one on a live SDK query, a turn of each in turn. */
export async function hotConversations(
  url: string,
  rootPid: number,
  options: Options,
  turns: number,
  { model = BENCH_MODEL, quiet = true }: HotTurnsOptions = {},
): Promise<{ gateway: TimedChat[]; direct: TimedChat[] }> {
  const history: ChatMessage[] = [{ role: 'user', content: `hot conversation ${randomUUID()}` }];
  const client = httpChatClient(url);
  const first = await client.chat({ model, messages: history });
  history.push({ role: 'assistant', content: first.content });
  const input = new InputChannel();
  const conversation = query({ prompt: input, options });
  const messages = conversation[Symbol.asyncIterator]();
  const gateway: TimedChat[] = [];
  const direct: TimedChat[] = [];
  try {
    input.push(userMessage(`direct hot ${randomUUID()}`));
    await readTurn(messages, performance.now());
    for (let turn = 1; turn <= turns; turn++) {
      if (quiet) await waitForQuiet(rootPid);
      history.push({ role: 'user', content: `turn ${turn}` });
      const reply = await client.chat({ model, messages: history });
      history.push({ role: 'assistant', content: reply.content });
      gateway.push(reply);
      if (quiet) await waitForQuiet(process.pid);
      const started = performance.now();
      input.push(userMessage(`turn ${turn}`));
      direct.push(await readTurn(messages, started));
    }
    return { gateway, direct };
  } finally {
    client.close();
    input.close();
    conversation.close();
  }
}

/**
 * Hot turns whose figures are thrown away, before the measured ones: the gateway's request path and
 * the SDK's reader are then compiled by V8's optimising tiers, as in a process that has served
 * traffic for a while. Fresh, both run their first hundred turns or so partly interpreted, and the
 * gateway, which runs more code per turn, pays more for it (see docs/performance.md).
 */
export async function warmUpHotTurns(
  url: string,
  rootPid: number,
  options: Options,
  turns: number,
): Promise<void> {
  if (turns > 0) await hotConversations(url, rootPid, options, turns, { quiet: false });
}

export interface Direct {
  workspaceDir: string;
  /** Fresh options for one run, exactly as the gateway builds them for a new conversation. */
  options(): Options;
}

export function directOptions(env: NodeJS.ProcessEnv, dataDir: string, model = BENCH_MODEL): Direct {
  const config = loadConfig({ DATA_DIR: dataDir });
  const configDir = path.join(dataDir, 'claude');
  const launches = createLaunchPlanner({
    executablePath: undefined,
    env: buildChildEnv(
      { ...env, CLAUDE_CONFIG_DIR: configDir, CLAUDE_CODE_TMPDIR: path.join(dataDir, 'claude-tmp') },
      {
        configDir,
        maxRetries: config.CLAUDE_MAX_RETRIES,
        apiTimeoutMs: config.CLAUDE_API_TIMEOUT_MS,
        clientApp: `claude-gateway/${GATEWAY_VERSION}`,
      },
    ),
    workspaceDir: config.workspaceDir,
    awaitInitialize: false,
    extenders: [agentOptions],
  });
  return {
    workspaceDir: config.workspaceDir,
    options() {
      const plan = plainConversationPlan(model, config.SYSTEM_PROMPT_PLACEMENT);
      plan.session = { id: randomUUID(), continues: false };
      return sdkOptions(launches.plan(plan), { abortController: new AbortController() });
    },
  };
}

function userMessage(text: string): SDKUserMessage {
  return {
    type: 'user',
    message: { role: 'user', content: [{ type: 'text', text }] },
    parent_tool_use_id: null,
  };
}

/** Reads one turn: time to the first text delta and to the result. */
async function readTurn(messages: AsyncIterator<SDKMessage, void>, started: number): Promise<TimedChat> {
  let ttftMs = Number.NaN;
  let claudeMs: number | undefined;
  for (;;) {
    const next = await messages.next();
    if (next.done) return { ok: false, status: 0, ttftMs, ttlbMs: performance.now() - started, content: '' };
    const message = next.value;
    if (claudeMs === undefined && message.type === 'stream_event' && message.event.type === 'message_start') {
      claudeMs = performance.now() - started;
    }
    if (
      Number.isNaN(ttftMs) &&
      message.type === 'stream_event' &&
      message.event.type === 'content_block_delta'
    ) {
      ttftMs = performance.now() - started;
    }
    if (message.type === 'result') {
      return {
        ok: !message.is_error,
        status: 200,
        ttftMs,
        ttlbMs: performance.now() - started,
        content: 'x',
        ...(claudeMs !== undefined ? { claudeMs } : {}),
      };
    }
  }
}

export async function directCold(options: Options, text: string): Promise<TimedChat> {
  const started = performance.now();
  const input = new InputChannel();
  input.push(userMessage(`${text} ${randomUUID()}`));
  input.close();
  const conversation = query({ prompt: input, options });
  try {
    return await readTurn(conversation[Symbol.asyncIterator](), started);
  } finally {
    conversation.close();
  }
}
