import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import type { RunEvent, RunUsage } from '../../contract/run-events.js';
import { createEncoderState, encodeEnd, encodeEvent } from './encode-stream.js';
import { foldStream } from './fold.js';
import type { StreamEvent } from './wire.js';

const usage: RunUsage = {
  inputTokens: 12,
  outputTokens: 34,
  cacheReadInputTokens: 5,
  cacheCreationInputTokens: 6,
  reasoningTokens: 7,
};

function encodeAll(events: RunEvent[]): StreamEvent[] {
  const state = createEncoderState({ id: 'msg_test', model: 'sonnet' });
  return [...events.flatMap((event) => encodeEvent(state, event)), ...encodeEnd(state)];
}

function sse(events: StreamEvent[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

/** The real Anthropic SDK reading the encoded stream, as a client of the gateway would. */
function sdkOver(events: StreamEvent[]): Anthropic {
  return new Anthropic({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid',
    maxRetries: 0,
    fetch: async () =>
      new Response(sse(events), { status: 200, headers: { 'content-type': 'text/event-stream' } }),
  });
}

const request = { model: 'sonnet', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };

const thinkingThenTextThenTools: RunEvent[] = [
  { type: 'message_start' },
  { type: 'reasoning_delta', text: 'Let me ' },
  { type: 'reasoning_delta', text: 'think.' },
  { type: 'reasoning_signature', signature: 'sig-1' },
  { type: 'text_delta', text: 'Checking ' },
  { type: 'text_delta', text: 'the weather.' },
  { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'get_weather' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
  { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
  { type: 'tool_call_end', index: 0, arguments: '{"city":"Paris"}' },
  { type: 'tool_call_start', index: 1, id: 'toolu_2', name: 'get_time' },
  { type: 'tool_call_end', index: 1, arguments: '{"zone":"CET"}' },
  { type: 'finish', reason: 'tool_use', usage },
];

describe('Anthropic stream encoder', () => {
  it('streams blocks in the Messages API order, one index per block', () => {
    const events = encodeAll(thinkingThenTextThenTools);
    expect(events.map((event) => event.type)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const starts = events.filter((event) => event.type === 'content_block_start');
    expect(starts.map((event) => [event.index, event.content_block.type])).toEqual([
      [0, 'thinking'],
      [1, 'text'],
      [2, 'tool_use'],
      [3, 'tool_use'],
    ]);
    const deltas = events.flatMap((event) =>
      event.type === 'content_block_delta' ? [event.delta.type] : [],
    );
    expect(deltas).toContain('signature_delta');
    // A call that arrived whole still reaches the client as one input_json_delta.
    expect(events.at(-4)).toEqual({
      type: 'content_block_delta',
      index: 3,
      delta: { type: 'input_json_delta', partial_json: '{"zone":"CET"}' },
    });
    expect(events.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: {
        input_tokens: 12,
        output_tokens: 34,
        cache_creation_input_tokens: 6,
        cache_read_input_tokens: 5,
      },
    });
  });

  it('folds to the message the Anthropic SDK accumulates from the same stream', async () => {
    const events = encodeAll(thinkingThenTextThenTools);
    const folded = foldStream(events);
    const sdkMessage = await sdkOver(events).messages.stream(request).finalMessage();
    expect(folded).toEqual({
      id: 'msg_test',
      type: 'message',
      role: 'assistant',
      model: 'sonnet',
      content: [
        { type: 'thinking', thinking: 'Let me think.', signature: 'sig-1' },
        { type: 'text', text: 'Checking the weather.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
        { type: 'tool_use', id: 'toolu_2', name: 'get_time', input: { zone: 'CET' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: {
        input_tokens: 12,
        output_tokens: 34,
        cache_creation_input_tokens: 6,
        cache_read_input_tokens: 5,
      },
    });
    expect(sdkMessage).toMatchObject(folded);
  });

  it('names the stop sequence that ended the answer', () => {
    const message = foldStream(
      encodeAll([
        { type: 'text_delta', text: 'one two' },
        { type: 'finish', reason: 'stop_sequence', stopSequence: 'three', usage },
      ]),
    );
    expect(message).toMatchObject({
      content: [{ type: 'text', text: 'one two' }],
      stop_reason: 'stop_sequence',
      stop_sequence: 'three',
    });
  });

  it('starts the message even when content comes first, and drops empty deltas', () => {
    const events = encodeAll([
      { type: 'text_delta', text: '' },
      { type: 'text_delta', text: 'hi' },
      { type: 'finish', reason: 'max_tokens', usage },
    ]);
    expect(events[0]?.type).toBe('message_start');
    expect(events.filter((event) => event.type === 'content_block_delta')).toHaveLength(1);
    expect(foldStream(events).stop_reason).toBe('max_tokens');
  });

  it('ends with an error event after the first byte, which the SDK raises', async () => {
    const error = new GatewayError({ kind: 'unavailable', status: 503, message: 'Overloaded upstream' });
    const events = encodeAll([
      { type: 'text_delta', text: 'partial' },
      { type: 'error', error },
      { type: 'text_delta', text: 'never sent' },
    ]);
    expect(events.at(-1)).toEqual({
      type: 'error',
      error: { type: 'overloaded_error', message: 'Overloaded upstream' },
    });
    expect(events.some((event) => event.type === 'message_stop')).toBe(false);
    await expect(sdkOver(events).messages.stream(request).finalMessage()).rejects.toThrow(
      /Overloaded upstream/,
    );
  });

  it('reports a run that ended without finishing as an error, not a short answer', () => {
    const events = encodeAll([{ type: 'text_delta', text: 'cut' }]);
    expect(events.at(-1)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
  });
});
