import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import type { Admission, RunAsk } from '../contract/admission.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { Principal } from '../contract/key-policy.js';
import { ZERO_USAGE } from '../contract/run-events.js';
import type { RunPlan } from '../contract/run-plan.js';
import type { ReadRunProgress, RunProgress, RunSummary } from '../contract/run-service.js';
import { ClaudeRunError } from '../engine/run-error.js';
import { RunQueue } from './run-queue.js';
import { createRunService } from './run-service.js';

const plan: RunPlan = {
  model: 'claude-sonnet',
  history: [],
  prompt: [{ type: 'text', text: 'hi' }],
  thinking: 'disabled',
  clientTools: [],
};
const key: Principal = { id: 'key_1', name: 'k', admin: false, source: 'store', policy: {} };

/** The run service around a runner that never starts Claude Code and a key policy that records. */
function setup(refuse?: GatewayError) {
  const asked: Array<{ principal: Principal; ask: RunAsk }> = [];
  const released: string[] = [];
  const runs = createRunService({
    // A run that ends before any SDK message: the service still leases, summarises and releases.
    runner: { run: async function* () {} },
    queue: new RunQueue({ maxConcurrent: 1, maxWaiting: 1, waitTimeoutMs: 1_000 }),
    requestTimeoutMs: 10_000,
    admit: async (principal, ask) => {
      asked.push({ principal, ask });
      if (refuse) throw refuse;
      return { release: () => released.push(principal.id) };
    },
  });
  const drain = async (admission: Admission) => {
    const events = [];
    for await (const event of runs.run({
      surface: 'openai-chat',
      plan,
      admission,
      signal: new AbortController().signal,
      requestId: 'r1',
    })) {
      events.push(event);
    }
    return events;
  };
  return { runs, asked, released, drain };
}

describe('run service admission', () => {
  it("asks key policy once for a key's run and gives the admission back when the run ends", async () => {
    const { runs, asked, released, drain } = setup();
    const admission = await runs.admit(key, { model: 'sonnet' });
    expect(asked).toEqual([{ principal: key, ask: { model: 'sonnet' } }]);
    expect(released).toEqual([]);
    await drain(admission);
    expect(released).toEqual(['key_1']);
  });

  it('passes key policy refusals on as they are', async () => {
    const refusal = new GatewayError({
      kind: 'permission',
      status: 403,
      code: 'model_not_allowed',
      message: 'no',
    });
    await expect(setup(refusal).runs.admit(key, { model: 'opus' })).rejects.toBe(refusal);
  });

  it('admits a run without a key (auth off) without asking key policy', async () => {
    const { runs, asked, drain } = setup();
    await drain(await runs.admit(undefined, { model: 'sonnet' }));
    expect(asked).toEqual([]);
  });

  it('refuses to run with an admission used before or made elsewhere', async () => {
    const { runs, drain } = setup();
    const admission = await runs.admit(key, { model: 'sonnet' });
    await drain(admission);
    await expect(drain(admission)).rejects.toThrow(/used once/);
    await expect(drain({ release: () => undefined })).rejects.toThrow(/used once/);
  });
});

describe('run service summary', () => {
  it("reports the run's cost without the binary noise of the CLI's float (0.00008999999999999999)", async () => {
    // A recorded run whose result says total_cost_usd 0.00008999999999999999.
    const recorded = readFileSync(path.join(import.meta.dirname, 'fixtures', 'text-stream.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SDKMessage);
    const summaries: RunSummary[] = [];
    const runs = createRunService({
      runner: {
        run: async function* () {
          yield* recorded;
        },
      },
      queue: new RunQueue({ maxConcurrent: 1, maxWaiting: 1, waitTimeoutMs: 1_000 }),
      requestTimeoutMs: 10_000,
      admit: async () => ({ release: () => undefined }),
    });
    const events = runs.run({
      surface: 'openai-chat',
      plan,
      admission: await runs.admit(undefined, { model: 'sonnet' }),
      signal: new AbortController().signal,
      requestId: 'r1',
      onSummary: (summary) => summaries.push(summary),
    });
    for await (const _ of events);
    expect(summaries.map((summary) => summary.costUsd)).toEqual([0.00009]);
  });
});

describe('run service progress', () => {
  it('hands out a progress reader when the run starts: nothing used yet, then what the run used', async () => {
    const recorded = readFileSync(path.join(import.meta.dirname, 'fixtures', 'text-stream.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as SDKMessage);
    const runs = createRunService({
      runner: {
        run: async function* () {
          yield* recorded;
        },
      },
      queue: new RunQueue({ maxConcurrent: 1, maxWaiting: 1, waitTimeoutMs: 1_000 }),
      requestTimeoutMs: 10_000,
      admit: async () => ({ release: () => undefined }),
    });
    let read: ReadRunProgress | undefined;
    let atStart: RunProgress | undefined;
    const summaries: RunSummary[] = [];
    const events = runs.run({
      surface: 'openai-chat',
      plan,
      admission: await runs.admit(undefined, { model: 'sonnet' }),
      signal: new AbortController().signal,
      requestId: 'r1',
      onStarted: (progress) => {
        read = progress;
        atStart = progress();
      },
      onSummary: (summary) => summaries.push(summary),
    });
    for await (const _ of events);
    expect(atStart).toMatchObject({ usage: ZERO_USAGE, costUsd: 0 });
    expect(read?.()).toMatchObject({ usage: summaries[0]?.usage, costUsd: 0.00009 });
    expect(summaries[0]?.usage.outputTokens).toBeGreaterThan(0);
  });
});

describe('run service at shutdown', () => {
  it('ends a running run and a queued one with gateway_shutting_down when the gateway stops its runs', async () => {
    const stopping = new AbortController();
    let started: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const runs = createRunService({
      // Runs until aborted, as Claude Code does, and then reports the abort as the runner does.
      runner: {
        run: async function* (_plan, signal) {
          started();
          await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
          throw new ClaudeRunError('aborted', 'The run was aborted.');
        },
      },
      queue: new RunQueue({ maxConcurrent: 1, maxWaiting: 1, waitTimeoutMs: 60_000 }),
      requestTimeoutMs: 60_000,
      admit: async () => ({ release: () => undefined }),
      stopping: stopping.signal,
    });
    const collect = async () => {
      const events = [];
      for await (const event of runs.run({
        surface: 'openai-chat',
        plan,
        admission: await runs.admit(undefined, { model: 'sonnet' }),
        signal: new AbortController().signal,
        requestId: 'r1',
      })) {
        events.push(event);
      }
      return events;
    };
    const first = collect();
    await running;
    const queued = collect();
    stopping.abort();
    for (const events of await Promise.all([first, queued])) {
      const last = events.at(-1);
      expect(last?.type).toBe('error');
      const error = last?.type === 'error' ? last.error : undefined;
      expect(error).toMatchObject({ status: 503, code: 'gateway_shutting_down', retryAfterSeconds: 1 });
    }
  });
});
