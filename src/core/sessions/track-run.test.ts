import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import type { SessionClaim } from '../../contract/ports/conversations.js';
import { type FinishReason, type RunEvent, ZERO_USAGE } from '../../contract/run-events.js';
import type { ClaudeTurn, RunPlan } from '../../contract/run-plan.js';
import { trackRunSession } from './track-run.js';

const plan: RunPlan = { model: 'sonnet', history: [], prompt: [], thinking: 'disabled', clientTools: [] };

function fakeClaim() {
  const calls: Array<['commit', ClaudeTurn] | ['abandon'] | ['cancel']> = [];
  const claim: SessionClaim = {
    session: { id: 's', continues: false },
    commit: (reply) => {
      calls.push(['commit', reply]);
    },
    abandon: () => {
      calls.push(['abandon']);
    },
    cancel: () => {
      calls.push(['cancel']);
    },
  };
  return { claim, calls };
}

const text = (value: string): RunEvent => ({ type: 'text_delta', text: value });
const finish = (reason: FinishReason): RunEvent => ({ type: 'finish', reason, usage: ZERO_USAGE });

function run(
  outputs: RunEvent[],
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
    const calls = run([{ type: 'message_start' }, text('Hel'), text('lo'), finish('end_turn')]);
    expect(calls).toEqual([['commit', { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }]]);
  });

  it.each([
    [
      'an error',
      [
        text('Hi'),
        { type: 'error', error: new GatewayError({ status: 502, kind: 'upstream', message: 'x' }) },
      ],
    ],
    ['an answer cut at max_tokens', [text('Hi'), finish('max_tokens')]],
    [
      'tool calls',
      [
        { type: 'tool_call_start', index: 0, id: 'c', name: 'f' },
        { type: 'tool_call_end', index: 0, arguments: '{}' },
        finish('tool_use'),
      ],
    ],
    ['a run that ended without output', []],
  ] as Array<[string, RunEvent[]]>)('abandons the session after %s', (_, outputs) => {
    expect(run(outputs)).toEqual([['abandon']]);
  });

  it('abandons a structured-output answer (Claude Code produced it through a tool)', () => {
    const calls = run([text('{}'), finish('end_turn')], {
      plan: { ...plan, outputSchema: { type: 'object' } },
    });
    expect(calls).toEqual([['abandon']]);
  });

  it('abandons an answer the gateway ended before Claude Code finished its turn (a stop sequence)', () => {
    const calls = run([text('Hel'), finish('stop_sequence')], { finishedTurn: false });
    expect(calls).toEqual([['abandon']]);
  });

  it('cancels the claim when Claude Code never started', () => {
    expect(run([], { started: false })).toEqual([['cancel']]);
  });
});
