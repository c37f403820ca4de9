import { describe, expect, it } from 'vitest';
import { foldResponse } from './fold.js';
import { encodeAll, scripts } from './test-support.js';

const types = (events: ReturnType<typeof encodeAll>) => events.map((event) => event.type);

describe('encode-stream', () => {
  it('streams a text answer in the order OpenAI sends it, numbered from 0', () => {
    const events = encodeAll(scripts.text);
    expect(types(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    const created = events[0];
    expect(created?.type === 'response.created' && created.response).toMatchObject({
      id: 'resp_test',
      object: 'response',
      status: 'in_progress',
      output: [],
      model: 'sonnet',
      tools: [],
      tool_choice: 'auto',
    });
    const done = events.at(-1);
    expect(done?.type === 'response.completed' && done.response).toMatchObject({
      status: 'completed',
      completed_at: 1_700_000_001,
      output: [
        {
          type: 'message',
          id: 'msg_1',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text: 'Hello world', annotations: [] }],
        },
      ],
      usage: {
        input_tokens: 130,
        input_tokens_details: { cached_tokens: 100 },
        output_tokens: 5,
        output_tokens_details: { reasoning_tokens: 2 },
        total_tokens: 135,
      },
    });
  });

  it('keeps earlier events unchanged by later deltas', () => {
    const events = encodeAll(scripts.text);
    const added = events.find((event) => event.type === 'response.content_part.added');
    expect(added?.type === 'response.content_part.added' && added.part.text).toBe('');
  });

  it('streams reasoning as a reasoning item with its summary before the message', () => {
    const events = encodeAll(scripts.reasoning, {
      reasoningRequested: true,
      includeEncryptedReasoning: true,
    });
    expect(types(events).slice(2)).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = events.at(-1);
    expect(done?.type === 'response.completed' && done.response.output).toEqual([
      {
        type: 'reasoning',
        id: 'rs_1',
        summary: [{ type: 'summary_text', text: 'Let me think.' }],
        encrypted_content: 'sig-1',
      },
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: '42' })] }),
    ]);
  });

  it('gives a client that asked for reasoning an (empty) reasoning item even when Claude did not think', () => {
    const events = encodeAll(scripts.text, { reasoningRequested: true });
    const done = events.at(-1);
    expect(done?.type === 'response.completed' && done.response.output.map((item) => item.type)).toEqual([
      'reasoning',
      'message',
    ]);
    expect(
      types(encodeAll(scripts.text)).filter((type) => type === 'response.output_item.added'),
    ).toHaveLength(1);
  });

  it('streams client tool calls as function_call items with argument deltas', () => {
    const events = encodeAll(scripts.toolCalls);
    expect(types(events).slice(8)).toEqual([
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const done = events.at(-1);
    expect(done?.type === 'response.completed' && done.response.output.slice(1)).toEqual([
      {
        type: 'function_call',
        id: 'fc_2',
        call_id: 'toolu_1',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
      {
        type: 'function_call',
        id: 'fc_3',
        call_id: 'toolu_2',
        name: 'get_time',
        arguments: '{}',
        status: 'completed',
      },
    ]);
  });

  it('ends a cut answer with response.incomplete naming max_output_tokens', () => {
    const done = encodeAll(scripts.maxTokens).at(-1);
    expect(done?.type).toBe('response.incomplete');
    expect(done?.type === 'response.incomplete' && done.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      completed_at: null,
      output: [{ type: 'message', status: 'incomplete', content: [{ text: 'Once upon' }] }],
    });
  });

  it('reports a failure after the first byte as an error event, then response.failed', () => {
    const events = encodeAll(scripts.failure);
    expect(types(events).slice(-3)).toEqual(['response.output_item.done', 'error', 'response.failed']);
    expect(events.at(-2)).toMatchObject({
      type: 'error',
      code: 'upstream_error',
      message: 'Claude Code failed: API Error: 500',
      param: null,
    });
    const failed = events.at(-1);
    expect(failed?.type === 'response.failed' && failed.response).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'Claude Code failed: API Error: 500' },
    });
  });

  it('folds its own stream into the response the terminal event carries', () => {
    for (const script of Object.values(scripts)) {
      const events = encodeAll(script, { reasoningRequested: true });
      const terminal = events.at(-1);
      expect(terminal && 'response' in terminal).toBe(true);
      expect(foldResponse(events)).toEqual(
        terminal && 'response' in terminal ? terminal.response : undefined,
      );
    }
  });
});
