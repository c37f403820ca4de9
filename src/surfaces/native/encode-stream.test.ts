import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import type { RunEvent } from '../../contract/run-events.js';
import type { TurnOutcome } from '../../services/native/session-service.js';
import { createEncoderState, encodeRunEvent, finishEncoding } from './encode-stream.js';
import { toSseEvent, toWsFrame } from './wire.js';

const usage = {
  inputTokens: 10,
  outputTokens: 4,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  reasoningTokens: 0,
};

const finished: TurnOutcome = {
  sessionId: 's-1',
  response: 'Hello',
  usage,
  stopReason: 'end_turn',
  costUsd: 0.01,
  durationMs: 12.4,
};

/** A turn's events, then its end: `outcome` is what the sessions service reports once it is over. */
function encodeAll(events: RunEvent[], outcome: TurnOutcome | undefined) {
  const state = createEncoderState();
  const out = events.flatMap((event) => encodeRunEvent(state, event));
  out.push(...finishEncoding(state, outcome));
  return out;
}

describe('native stream encoding', () => {
  it("turns an agent run into message events and one complete with the turn's outcome", () => {
    const out = encodeAll(
      [
        { type: 'message_start' },
        { type: 'reasoning_delta', text: 'hmm' },
        { type: 'reasoning_signature', signature: 'sig' },
        { type: 'agent_tool_use', id: 't1', name: 'Read', input: { file_path: '/a' } },
        { type: 'agent_tool_result', id: 't1', name: 'Read', output: 'x', isError: false },
        { type: 'text_delta', text: 'Hel' },
        { type: 'text_delta', text: 'lo' },
        { type: 'finish', reason: 'end_turn', usage },
      ],
      finished,
    );
    expect(out.map(toSseEvent)).toEqual([
      { event: 'message', data: '{"type":"thinking_delta","text":"hmm"}' },
      { event: 'message', data: '{"type":"tool_use","id":"t1","name":"Read","input":{"file_path":"/a"}}' },
      {
        event: 'message',
        data: '{"type":"tool_result","id":"t1","name":"Read","output":"x","isError":false}',
      },
      { event: 'message', data: '{"type":"text_delta","text":"Hel"}' },
      { event: 'message', data: '{"type":"text_delta","text":"lo"}' },
      {
        event: 'complete',
        data: JSON.stringify({
          response: 'Hello',
          usage,
          costUsd: 0.01,
          durationMs: 12,
          sessionId: 's-1',
          stopReason: 'end_turn',
        }),
      },
    ]);
    expect(toWsFrame(out.at(-1) ?? out[0]!)).toMatchObject({ type: 'complete', response: 'Hello' });
    expect(toWsFrame(out[3]!)).toEqual({ type: 'text_delta', text: 'Hel' });
  });

  it('ends with the error and nothing after it', () => {
    const error = new GatewayError({
      kind: 'upstream',
      status: 502,
      code: 'upstream_error',
      message: 'boom',
    });
    const out = encodeAll(
      [
        { type: 'text_delta', text: 'a' },
        { type: 'error', error },
      ],
      finished,
    );
    expect(out.map((item) => item.event)).toEqual(['message', 'error']);
    expect(toSseEvent(out[1]!)).toEqual({
      event: 'error',
      data: '{"error":{"code":"UPSTREAM_ERROR","message":"boom","details":{"reason":"upstream_error"}}}',
    });
    expect(toWsFrame(out[1]!)).toMatchObject({ type: 'error', error: { code: 'UPSTREAM_ERROR' } });
  });

  it('reports a run that ended without finishing as an error, not a complete', () => {
    const out = encodeAll([{ type: 'text_delta', text: 'partial' }], undefined);
    expect(out.at(-1)).toMatchObject({ event: 'error', error: { code: 'incomplete_answer' } });
  });

  it('keeps every data line a single line of JSON', () => {
    const out = encodeAll(
      [
        { type: 'text_delta', text: 'line one\nline two\r\n' },
        { type: 'finish', reason: 'end_turn', usage },
      ],
      finished,
    );
    for (const item of out.map(toSseEvent)) {
      expect(item.data).not.toMatch(/[\r\n]/);
      expect(() => JSON.parse(item.data)).not.toThrow();
    }
  });
});
