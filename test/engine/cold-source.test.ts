/**
 * The runner over the cold-only process source, with the real Claude Code CLI against the mock
 * Messages API: every run starts its own process, which ends with the run.
 */
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunPlan } from '../../src/contract/run-plan.js';
import { createColdSource } from '../../src/engine/cold-source.js';
import { createLaunchPlanner } from '../../src/engine/options/plan-launch.js';
import { ProcessRegistry } from '../../src/engine/processes/process-registry.js';
import { ClaudeRunError } from '../../src/engine/run-error.js';
import { type ClaudeRunner, createClaudeRunner } from '../../src/engine/runner.js';
import { projectDirFor } from '../../src/engine/transcript.js';
import { mockCliEnv } from '../helpers/cli-options.js';
import { eventually } from '../helpers/gateway-harness.js';
import { type MockAnthropic, startMockAnthropic, text, userTexts } from '../mock-anthropic/server.js';

let mock: MockAnthropic;
let scratch: string;
let workspace: string;
let configDir: string;
let processes: ProcessRegistry;
let runner: ClaudeRunner;

beforeAll(async () => {
  mock = await startMockAnthropic();
  scratch = await mkdtemp(join(tmpdir(), 'cold-source-'));
  const home = join(scratch, 'home');
  workspace = join(scratch, 'workspace');
  configDir = join(scratch, 'config');
  await Promise.all([home, workspace, configDir].map((dir) => mkdir(dir)));
  const env = Object.fromEntries(
    Object.entries({
      ...mockCliEnv({ mockUrl: mock.url, home, configDir }),
      CLAUDE_CODE_TMPDIR: join(scratch, 'claude-tmp'),
    }).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  processes = new ProcessRegistry({ killGraceMs: 1_000 });
  const source = createColdSource({ processes });
  const launches = createLaunchPlanner({
    executablePath: undefined,
    env,
    workspaceDir: workspace,
    awaitInitialize: source.awaitsInitialize,
    extenders: [],
  });
  runner = createClaudeRunner({ configDir, launches, source });
});

beforeEach(() => mock.reset());

afterAll(async () => {
  await processes.terminateAll();
  await mock.close();
  await rm(scratch, { recursive: true, force: true });
});

function plan(prompt: string, extra: Partial<RunPlan> = {}): RunPlan {
  return {
    model: 'sonnet',
    history: [],
    prompt: [{ type: 'text', text: prompt }],
    thinking: 'disabled',
    clientTools: [],
    ...extra,
  };
}

async function run(runPlan: RunPlan, signal = new AbortController().signal): Promise<SDKMessage[]> {
  const messages: SDKMessage[] = [];
  for await (const message of runner.run(runPlan, signal)) messages.push(message);
  return messages;
}

function answerText(messages: SDKMessage[]): string {
  return messages
    .flatMap((message) => (message.type === 'assistant' ? message.message.content : []))
    .map((block) => (block.type === 'text' ? block.text : ''))
    .join('');
}

describe('the runner on cold starts only', () => {
  it('answers with a process started for the run, which has exited when the run ends', async () => {
    mock.enqueue(text('a cold answer'));

    const messages = await run(plan('hello cold'));

    expect(answerText(messages)).toBe('a cold answer');
    expect(messages.at(-1)).toMatchObject({ type: 'result', is_error: false });
    expect(userTexts(mock.requests[0] as never)).toEqual(['hello cold']);
    expect(processes.liveCount).toBe(0);
  });

  it('rebuilds a history from a transcript it writes, and removes the transcript afterwards', async () => {
    mock.enqueue(text('the second answer'));
    const history: RunPlan['history'] = [
      { role: 'user', content: [{ type: 'text', text: 'first question' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'first answer' }] },
    ];

    const messages = await run(plan('second question', { history }));

    expect(answerText(messages)).toBe('the second answer');
    // Real turns (Claude Code adds its own `system` messages between them).
    const roles = (mock.requests[0]?.body.messages ?? []).map((message) => message.role as string);
    expect(roles.filter((role) => role !== 'system')).toEqual(['user', 'assistant', 'user']);
    expect(userTexts(mock.requests[0] as never)).toEqual(['first question', 'second question']);
    const left = await readdir(projectDirFor(configDir, workspace)).catch(() => []);
    expect(left.filter((name) => name.endsWith('.jsonl'))).toEqual([]);
  });

  it('ends the process when the run is aborted', async () => {
    mock.enqueue({ kind: 'hang' });
    const abort = new AbortController();

    const running = run(plan('never answered'), abort.signal);
    await mock.waitForRequests(1, 30_000);
    expect(processes.liveCount).toBe(1);
    abort.abort();

    await expect(running).rejects.toSatisfy(
      (error) => error instanceof ClaudeRunError && error.failure === 'aborted',
    );
    expect(await eventually(() => processes.liveCount === 0)).toBe(true);
  });
});
