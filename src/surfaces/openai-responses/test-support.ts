/**
 * Shared by this surface's unit tests: a deterministic encoder and a driver that encodes scripted
 * run events the way respond.ts does. Test-only — production code must not import it.
 */
import { GatewayError } from '../../contract/gateway-error.js';
import type { RunEvent, RunUsage } from '../../contract/run-events.js';
import { createEncoderState, type EncoderOptions, encodeEvent, startResponse } from './encode-stream.js';
import { echoSettings, type ResponseStreamEvent } from './response-object.js';
import { parseResponsesRequest } from './schema.js';

export const usage: RunUsage = {
  inputTokens: 10,
  outputTokens: 5,
  cacheReadInputTokens: 100,
  cacheCreationInputTokens: 20,
  reasoningTokens: 2,
};

export function encoderOptions(overrides: Partial<EncoderOptions> = {}): EncoderOptions {
  let ids = 0;
  return {
    id: 'resp_test',
    createdAt: 1_700_000_000,
    settings: echoSettings(parseResponsesRequest({ model: 'sonnet', input: 'hi' })),
    reasoningRequested: false,
    includeEncryptedReasoning: false,
    newItemId: (prefix) => `${prefix}_${++ids}`,
    now: () => 1_700_000_001,
    ...overrides,
  };
}

export function encodeAll(
  events: readonly RunEvent[],
  overrides: Partial<EncoderOptions> = {},
): ResponseStreamEvent[] {
  const state = createEncoderState(encoderOptions(overrides));
  return [...startResponse(state), ...events.flatMap((event) => encodeEvent(state, event))];
}

export const upstreamError = new GatewayError({
  kind: 'upstream',
  status: 502,
  message: 'Claude Code failed: API Error: 500',
  code: 'upstream_error',
});

/** A text answer, a reasoning-then-text answer and a tool-call answer, as scripted run events. */
export const scripts = {
  text: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Hello' },
    { type: 'text_delta', text: ' world' },
    { type: 'finish', reason: 'end_turn', usage },
  ],
  reasoning: [
    { type: 'message_start' },
    { type: 'reasoning_delta', text: 'Let me think.' },
    { type: 'reasoning_signature', signature: 'sig-1' },
    { type: 'text_delta', text: '42' },
    { type: 'finish', reason: 'end_turn', usage },
  ],
  toolCalls: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Checking.' },
    { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'get_weather' },
    { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
    { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
    { type: 'tool_call_end', index: 0, arguments: '{"city":"Paris"}' },
    { type: 'tool_call_start', index: 1, id: 'toolu_2', name: 'get_time' },
    { type: 'tool_call_end', index: 1, arguments: '{}' },
    { type: 'finish', reason: 'tool_use', usage },
  ],
  maxTokens: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Once upon' },
    { type: 'finish', reason: 'max_tokens', usage },
  ],
  failure: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Half' },
    { type: 'error', error: upstreamError },
  ],
} satisfies Record<string, RunEvent[]>;
