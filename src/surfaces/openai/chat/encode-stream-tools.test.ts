import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { clientToolNameOf } from '../../../contract/client-tools.js';
import type { ChatCompletionChunk } from './chat-response.js';
import { foldChunks } from './fold.js';
import type { TranslatorOptions } from './test-support.js';
import { feedUntilFinished, fixture } from './test-support.js';

// Fixtures recorded by scripts/record-tool-fixtures.ts: a text block, then two client tool calls.
function run(messages: SDKMessage[], options: Partial<TranslatorOptions> = {}) {
  return feedUntilFinished(messages, { clientToolName: clientToolNameOf, ...options });
}

function toolCallDeltas(chunks: ChatCompletionChunk[]) {
  return chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
}

function streamEvent(event: unknown): SDKMessage {
  return {
    type: 'stream_event',
    event,
    parent_tool_use_id: null,
    session_id: 's',
    uuid: 'u',
  } as unknown as SDKMessage;
}

describe('client tool calls in the stream', () => {
  it('turns streamed tool_use blocks into OpenAI tool-call deltas: id, type and name first, then argument fragments', () => {
    const { chunks } = run(fixture('client-tools-parallel'));
    const deltas = toolCallDeltas(chunks);
    expect(deltas[0]).toEqual({
      index: 0,
      id: 'toolu_mock_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    const firstCallFragments = deltas.filter((delta) => delta.index === 0).slice(1);
    expect(firstCallFragments.length).toBeGreaterThan(1);
    for (const fragment of firstCallFragments) {
      expect(fragment).toEqual({ index: 0, function: { arguments: expect.any(String) } });
    }
    expect(
      deltas.filter((delta) => delta.id !== undefined).map((delta) => [delta.index, delta.function.name]),
    ).toEqual([
      [0, 'get_weather'],
      [1, 'get_time'],
    ]);
  });

  it('ends the answer with finish_reason tool_calls at the message_delta, before Claude Code would run the tools', () => {
    const messages = fixture('client-tools-parallel');
    const { state, chunks, read } = run(messages);
    expect(state.finished).toBe(true);
    const finishAt = messages.findIndex(
      (message) => message.type === 'stream_event' && message.event.type === 'message_delta',
    );
    expect(read).toBe(finishAt + 1);
    const completion = foldChunks(chunks);
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'Let me check.',
        tool_calls: [
          {
            id: 'toolu_mock_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
          { id: 'toolu_mock_2', type: 'function', function: { name: 'get_time', arguments: '{"tz":"CET"}' } },
        ],
      },
    });
    // Usage comes from the stream, since Claude Code's result never arrives.
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 9, total_tokens: 19 });
  });

  it('returns only the first call when parallel calls are off (maxToolCalls 1)', () => {
    const completion = foldChunks(run(fixture('client-tools-parallel'), { maxToolCalls: 1 }).chunks);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(completion.choices[0]?.message.tool_calls?.map((call) => call.function.name)).toEqual([
      'get_weather',
    ]);
  });

  it('drops every call under tool_choice none (maxToolCalls 0) and still ends the answer, with stop', () => {
    const { state, chunks } = run(fixture('client-tools-parallel'), { maxToolCalls: 0 });
    expect(state.finished).toBe(true);
    const completion = foldChunks(chunks);
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: 'Let me check.' },
    });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
  });

  it('ends a non-streamed (retried) message at its first client tool call, without doubling the text', () => {
    const { state, chunks } = run(fixture('client-tools-unstreamed'));
    expect(state.finished).toBe(true);
    const completion = foldChunks(chunks);
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'tool_calls',
      message: {
        content: 'Let me check.',
        tool_calls: [
          {
            id: expect.stringMatching(/^toolu_/),
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
    });
    expect(completion.usage.completion_tokens).toBeGreaterThan(0);
  });

  it('gives content null when the message is only tool calls', () => {
    const messages = fixture('client-tools-parallel').filter(
      (message) =>
        !(message.type === 'stream_event' && 'index' in message.event && message.event.index === 0) &&
        !(message.type === 'assistant' && message.message.content[0]?.type === 'text'),
    );
    const completion = foldChunks(run(messages).chunks);
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls).toHaveLength(2);
  });

  it("never returns Claude Code's own tools as tool_calls, and does not end the answer for them", () => {
    const { state, chunks } = run([
      streamEvent({
        type: 'message_start',
        message: { id: 'msg_1', usage: { input_tokens: 5, output_tokens: 1 } },
      }),
      streamEvent({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_bash', name: 'Bash', input: {} },
      }),
      streamEvent({
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: '{"command":"ls"}' },
      }),
      streamEvent({ type: 'content_block_stop', index: 0 }),
      streamEvent({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 4 } }),
    ]);
    expect(toolCallDeltas(chunks)).toEqual([]);
    expect(state.finished).toBe(false);
    expect(state.toolCallCount).toBe(0);
  });
});
