import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { storeUnavailable } from '../contract/auth-errors.js';
import type { ConversationIndex, SessionClaim } from '../contract/ports/conversations.js';
import type { RunEvent } from '../contract/run-events.js';
import type { RunPlan, TrackedSession } from '../contract/run-plan.js';
import type { RunSummary } from '../contract/run-service.js';
import type { ClaudeRunner, RunOptions } from '../engine/runner.js';
import { RunQueue } from './run-queue.js';
import { createRunService } from './run-service.js';

/** A recorded plain answer: a complete turn, which a session keeps. */
const answer = readFileSync(path.join(import.meta.dirname, 'fixtures', 'text-stream.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => JSON.parse(line) as SDKMessage);

const plan = (): RunPlan => ({
  model: 'claude-sonnet',
  history: [
    { role: 'user', content: [{ type: 'text', text: 'My name is Ada.' }] },
    { role: 'assistant', content: [{ type: 'text', text: 'Hello Ada.' }] },
  ],
  prompt: [{ type: 'text', text: 'What is my name?' }],
  thinking: 'disabled',
  clientTools: [],
});

const kept: TrackedSession = { id: 'session-kept', continues: true, version: 3 };

/** A claim that records how the run settled it. */
function recordedClaim(session: TrackedSession, settled: string[]): SessionClaim {
  return {
    session,
    commit: () => void settled.push(`commit ${session.id}@${session.version}`),
    abandon: () => void settled.push(`abandon ${session.id}`),
    cancel: () => void settled.push(`cancel ${session.id}`),
  };
}

/** An index that foresees `kept` and answers the claim when told to. */
function foreseeingIndex() {
  const settled: string[] = [];
  let answerClaim!: (claim: SessionClaim | Error) => void;
  const claim = new Promise<SessionClaim>((resolve, reject) => {
    answerClaim = (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome));
  });
  const begun: string[] = [];
  const index: ConversationIndex = {
    begin: () => {
      begun.push('begin');
      return claim;
    },
    beginAhead: () => {
      begun.push('beginAhead');
      return { foreseen: kept, claim };
    },
  };
  return {
    index,
    settled,
    begun,
    confirmWith: (session: TrackedSession) => answerClaim(recordedClaim(session, settled)),
    fail: (error: Error) => answerClaim(error),
  };
}

/** A runner that can start ahead of a claim: it records what it was asked, and answers once confirmed. */
function aheadRunner(holdsTurns = true) {
  const calls: Array<{ session: TrackedSession | undefined; confirmed?: RunPlan | undefined }> = [];
  let turnSent!: () => void;
  const sent = new Promise<void>((resolve) => {
    turnSent = resolve;
  });
  const runner: ClaudeRunner = {
    holdsTurns,
    async *run(runPlan: RunPlan, _signal: AbortSignal, options: RunOptions = {}) {
      const call: (typeof calls)[number] = { session: runPlan.session };
      calls.push(call);
      turnSent();
      if (options.confirm) {
        call.confirmed = await options.confirm;
        if (call.confirmed) calls.push({ session: call.confirmed.session });
      }
      yield* answer;
    },
  };
  return { runner, calls, sent };
}

async function drain(events: AsyncGenerator<RunEvent>): Promise<RunEvent[]> {
  const all: RunEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

function service(index: ConversationIndex, runner: ClaudeRunner, queue = freeQueue()) {
  const summaries: RunSummary[] = [];
  const runs = createRunService({
    runner,
    queue,
    requestTimeoutMs: 10_000,
    sessions: index,
    admit: async () => ({ release: () => undefined }),
  });
  const run = async (runPlan: RunPlan) =>
    runs.run({
      surface: 'openai-chat',
      plan: runPlan,
      admission: await runs.admit(undefined, { model: 'sonnet' }),
      signal: new AbortController().signal,
      requestId: 'r1',
      onSummary: (summary) => summaries.push(summary),
    });
  return { run, summaries };
}

const freeQueue = () => new RunQueue({ maxConcurrent: 1, maxWaiting: 0, waitTimeoutMs: 1_000 });

describe('a turn sent ahead of its claim', () => {
  it('goes to the foreseen session before the claim answers, and goes on when the claim confirms it', async () => {
    const index = foreseeingIndex();
    const { runner, calls, sent } = aheadRunner();
    const { run, summaries } = service(index.index, runner);
    const events = drain(await run(plan()));
    await sent;
    // The claim has not answered, and the turn is with the session's process already.
    expect(calls).toEqual([{ session: kept }]);
    index.confirmWith({ ...kept });
    const got = await events;
    expect(got.map((event) => event.type)).toContain('finish');
    expect(calls).toEqual([{ session: kept, confirmed: undefined }]);
    // The claim the run made is the one it settles: the turn is committed to the session.
    expect(index.settled).toEqual(['commit session-kept@3']);
    expect(summaries.map((s) => [s.aheadOfClaim, s.sessionId])).toEqual([['confirmed', 'session-kept']]);
  });

  it('starts over with what the claim gave when another gateway moved the session on', async () => {
    const index = foreseeingIndex();
    const { runner, calls, sent } = aheadRunner();
    const { run, summaries } = service(index.index, runner);
    const events = drain(await run(plan()));
    await sent;
    const movedOn = { ...kept, version: 4 };
    index.confirmWith(movedOn);
    await events;
    expect(calls).toEqual([
      { session: kept, confirmed: expect.objectContaining({ session: movedOn }) },
      { session: movedOn },
    ]);
    expect(index.settled).toEqual(['commit session-kept@4']);
    expect(summaries.map((s) => s.aheadOfClaim)).toEqual(['superseded']);
  });

  it("fails the run with the claim's own error when the index cannot answer", async () => {
    const index = foreseeingIndex();
    const { runner, sent } = aheadRunner();
    const { run } = service(index.index, runner);
    const events = drain(await run(plan()));
    await sent;
    index.fail(storeUnavailable());
    const got = await events;
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'error', error: { status: 503 } });
    expect(index.settled).toEqual([]);
  });

  it('gives the claim back untouched when the run never reached Claude Code', async () => {
    const index = foreseeingIndex();
    const { runner, calls } = aheadRunner();
    const queue = freeQueue();
    const busy = await queue.acquire(new AbortController().signal);
    const { run } = service(index.index, runner, queue);
    const events = drain(await run(plan()));
    index.confirmWith({ ...kept });
    const got = await events;
    busy.release();
    expect(got.map((event) => event.type)).toEqual(['error']);
    expect(calls).toEqual([]);
    // Not abandoned: the session and the process kept for it stay for the next turn.
    expect(index.settled).toEqual(['cancel session-kept']);
  });

  it('claims first, as before, where the runner cannot hold a turn', async () => {
    const index = foreseeingIndex();
    const { runner, calls } = aheadRunner(false);
    const { run } = service(index.index, runner);
    index.confirmWith({ ...kept });
    await drain(await run(plan()));
    expect(index.begun).toEqual(['begin']);
    expect(calls).toEqual([{ session: kept }]);
  });
});
