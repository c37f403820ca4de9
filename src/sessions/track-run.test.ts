import { describe, expect, it } from 'vitest';
import type { ClaudeTurn, RunPlan } from '../claude/run-plan.js';
import type { ChatCompletionChunk, ChunkDelta, FinishReason } from '../openai/chat-response.js';
import { GatewayError } from '../openai/errors.js';
import type { TranslatorOutput } from '../translate/to-openai.js';
import type { SessionClaim } from './session-store.js';
import { trackRunSession } from './track-run.js';

const plan: RunPlan = { model: 'sonnet', history: [], prompt: [], thinking: 'disabled', clientTools: [] };

function fakeClaim() {
  const calls: Array<['commit', ClaudeTurn] | ['abandon'] | ['cancel']> = [];
  const claim: SessionClaim = {
    session: { id: 's', continues: false },
    commit: (reply) => calls.push(['commit', reply]),
    abandon: () => calls.push(['abandon']),
    cancel: () => calls.push(['cancel']),
  };
  return { claim, calls };
}

function chunk(delta: ChunkDelta, finish: FinishReason | null = null): TranslatorOutput {
  const value: ChatCompletionChunk = {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'sonnet',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  };
  return { kind: 'chunk', chunk: value };
}

function run(
  outputs: TranslatorOutput[],
  options: { started?: boolean; finishedTurn?: boolean; plan?: RunPlan } = {},
) {
  const { claim, calls } = fakeClaim();
  const tracker = trackRunSession(claim, options.plan ?? plan);
  if (options.started ?? true) tracker.started();
  for (const output of outputs) tracker.observe(output);
  if (options.finishedTurn ?? true) tracker.finishedTurn();
  tracker.settle();
  tracker.settle();
  return calls;
}

describe('trackRunSession', () => {
  it('commits a complete plain answer as the assistant turn the client will send back', () => {
    const calls = run([
      chunk({ role: 'assistant', content: '' }),
      chunk({ content: 'Hel' }),
      chunk({ content: 'lo' }),
      chunk({}, 'stop'),
    ]);
    expect(calls).toEqual([['commit', { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }]]);
  });

  it.each([
    [
      'an error',
      [
        chunk({ content: 'Hi' }),
        { kind: 'error', error: new GatewayError({ status: 502, type: 'api_error', message: 'x' }) },
      ],
    ],
    ['an answer cut at max_tokens', [chunk({ content: 'Hi' }), chunk({}, 'length')]],
    [
      'tool calls',
      [
        chunk({
          tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }],
        }),
        chunk({}, 'tool_calls'),
      ],
    ],
    ['a run that ended without output', []],
  ] as Array<[string, TranslatorOutput[]]>)('abandons the session after %s', (_, outputs) => {
    expect(run(outputs)).toEqual([['abandon']]);
  });

  it('abandons a structured-output answer (Claude Code produced it through a tool)', () => {
    const calls = run([chunk({ content: '{}' }), chunk({}, 'stop')], {
      plan: { ...plan, outputSchema: { type: 'object' } },
    });
    expect(calls).toEqual([['abandon']]);
  });

  it('abandons an answer the gateway ended before Claude Code finished its turn (a stop sequence)', () => {
    const calls = run([chunk({ content: 'Hel' }), chunk({}, 'stop')], { finishedTurn: false });
    expect(calls).toEqual([['abandon']]);
  });

  it('cancels the claim when Claude Code never started', () => {
    expect(run([], { started: false })).toEqual([['cancel']]);
  });
});
