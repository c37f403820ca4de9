import { describe, expect, it } from 'vitest';
import { openAIErrorBody } from '../openai-error.js';
import type { ChatCompletionChunk } from './chat-response.js';
import { foldChunks } from './fold.js';
import { feedUntilFinished, fixture, translateAll } from './test-support.js';

function contentOf(chunks: ChatCompletionChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
}

describe('translating Claude Code stream-json to chat.completion.chunk', () => {
  it('streams text token by token between a role chunk and a finish chunk', () => {
    const chunks = translateAll(fixture('text-stream')).chunks;
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    const textChunks = chunks.filter((chunk) => chunk.choices[0]?.delta.content);
    expect(textChunks.length).toBeGreaterThan(3);
    expect(contentOf(chunks)).toBe('Hello there, this is a streamed answer.');
    const finish = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish).toHaveLength(1);
    expect(finish[0]?.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(new Set(chunks.map((chunk) => chunk.id))).toEqual(new Set(['chatcmpl-test']));
  });

  it('ends with one usage chunk whose choices are empty, and usage null before it', () => {
    const chunks = translateAll(fixture('text-stream')).chunks;
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({
      prompt_tokens: expect.any(Number),
      completion_tokens: expect.any(Number),
    });
    expect(last?.usage?.total_tokens).toBe(
      (last?.usage?.prompt_tokens ?? 0) + (last?.usage?.completion_tokens ?? 0),
    );
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('leaves usage out entirely when the client did not ask for it', () => {
    const chunks = translateAll(fixture('text-stream'), { includeUsage: false }).chunks;
    expect(chunks.every((chunk) => !('usage' in chunk))).toBe(true);
    expect(chunks.every((chunk) => chunk.choices.length === 1)).toBe(true);
  });

  it('sends thinking as reasoning_content, never as content', () => {
    const chunks = translateAll(fixture('thinking-then-text')).chunks;
    const reasoning = chunks.map((chunk) => chunk.choices[0]?.delta.reasoning_content ?? '').join('');
    expect(reasoning).toBe('Let me think about it.');
    expect(contentOf(chunks)).toBe('The answer is 4.');
    expect(foldChunks(chunks).choices[0]?.message).toMatchObject({
      content: 'The answer is 4.',
      reasoning_content: 'Let me think about it.',
    });
  });

  it('stops at max_tokens with finish_reason length instead of following the CLI into a recovery turn', () => {
    const messages = fixture('max-tokens');
    const { read, chunks } = feedUntilFinished(messages);
    expect(read).toBeLessThan(messages.length);
    expect(contentOf(chunks)).toBe('This answer was cut');
    expect(chunks.find((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('length');
    expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it('does not repeat the text of a failed stream when the CLI retries without streaming', () => {
    const chunks = translateAll(fixture('mid-stream-retry')).chunks;
    expect(contentOf(chunks)).toBe('Partial answer and the rest.');
  });

  it.each([
    ['api-error-429', 429, 'rate_limit_error', true],
    ['api-error-401', 502, 'api_error', false],
    ['api-error-529', 503, 'service_unavailable', true],
  ] as const)('maps %s to an OpenAI error before any chunk', (name, status, type, retryable) => {
    const { outputs } = translateAll(fixture(name));
    expect(outputs).toHaveLength(1);
    const [only] = outputs;
    if (only?.kind !== 'error') throw new Error('expected an error');
    expect(only.error.status).toBe(status);
    expect(openAIErrorBody(only.error).error.type).toBe(type);
    expect('retry-after' in only.error.headers()).toBe(retryable);
  });

  it('reports a run that ended without a result as an error', () => {
    const messages = fixture('text-stream').filter((message) => message.type !== 'result');
    const { outputs } = translateAll(messages);
    const last = outputs.at(-1);
    expect(last?.kind).toBe('error');
    if (last?.kind === 'error') expect(last.error.code).toBe('claude_code_incomplete');
  });

  it('ignores messages from subagents', () => {
    const messages = fixture('text-stream').map((message) =>
      message.type === 'stream_event' || message.type === 'assistant'
        ? { ...message, parent_tool_use_id: 'toolu_sub' }
        : message,
    );
    expect(contentOf(translateAll(messages).chunks)).toBe('');
  });
});

describe('folding chunks into a chat.completion', () => {
  it('gives the same content, finish reason and usage as the stream', () => {
    const chunks = translateAll(fixture('text-stream')).chunks;
    const completion = foldChunks(chunks);
    expect(completion).toMatchObject({
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'sonnet',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Hello there, this is a streamed answer.', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
    });
    expect(completion.usage).toEqual(chunks.at(-1)?.usage);
  });

  it('assembles tool calls from their deltas and leaves content null', () => {
    const base = {
      id: 'c',
      object: 'chat.completion.chunk' as const,
      created: 1,
      model: 'm',
    };
    const completion = foldChunks([
      {
        ...base,
        choices: [
          { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
        ],
      },
      {
        ...base,
        choices: [
          {
            index: 0,
            delta: {
              tool_calls: [
                { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '' } },
              ],
            },
            logprobs: null,
            finish_reason: null,
          },
        ],
      },
      {
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
            logprobs: null,
            finish_reason: null,
          },
        ],
      },
      {
        ...base,
        choices: [
          {
            index: 0,
            delta: { tool_calls: [{ index: 0, function: { arguments: '1}' } }] },
            logprobs: null,
            finish_reason: null,
          },
        ],
      },
      { ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] },
    ]);
    expect(completion.choices[0]?.message).toMatchObject({
      content: null,
      tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }],
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  });
});
