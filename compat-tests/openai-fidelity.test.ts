import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { text, toolUse } from '../test/mock-anthropic/server.js';

/**
 * The official `openai` client (structured output helpers, streaming, errors) against the gateway
 * over real HTTP: structured output, reasoning and request parameters.
 */
const h = useHarness();

const Person = z.object({ name: z.string(), born: z.number().int(), fields: z.array(z.string()) });

function structuredOutputSchema(index = 0): Record<string, unknown> | undefined {
  const tool = h.mock.requests[index]?.body.tools?.find((candidate) => candidate.name === 'StructuredOutput');
  return tool?.input_schema as Record<string, unknown> | undefined;
}

describe('openai structured output', () => {
  it('chat.completions.parse returns the parsed zod object', async () => {
    h.mock.enqueue(
      toolUse('StructuredOutput', { name: 'Ada Lovelace', born: 1815, fields: ['mathematics'] }),
    );
    const completion = await h.openai.chat.completions.parse({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Describe Ada Lovelace.' }],
      response_format: zodResponseFormat(Person, 'person'),
    });
    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('stop');
    expect(choice?.message.parsed).toEqual({ name: 'Ada Lovelace', born: 1815, fields: ['mathematics'] });
    expect(structuredOutputSchema()).toMatchObject({
      type: 'object',
      required: ['name', 'born', 'fields'],
      additionalProperties: false,
    });
    expect(structuredOutputSchema()).not.toHaveProperty('$schema');
  });

  it('chat.completions.stream ends with the parsed object', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { name: 'Grace Hopper', born: 1906, fields: ['compilers'] }));
    const stream = h.openai.chat.completions.stream({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Describe Grace Hopper.' }],
      response_format: zodResponseFormat(Person, 'person'),
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.parsed).toEqual({
      name: 'Grace Hopper',
      born: 1906,
      fields: ['compilers'],
    });
  });

  it('json_object mode returns parseable JSON content', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { ok: true }));
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Reply in JSON.' }],
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ ok: true });
  });

  it('raises BadRequestError naming the schema for an invalid one', async () => {
    const error = await h.openai.chat.completions
      .create({
        model: 'sonnet',
        messages: [{ role: 'user', content: 'x' }],
        response_format: {
          type: 'json_schema',
          json_schema: { name: 'bad', schema: { type: 'object', properties: { a: { type: 'text' } } } },
        },
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'response_format.json_schema.schema' });
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe('openai reasoning and parameters', () => {
  it('streams reasoning_content beside content and reports reasoning tokens', async () => {
    h.mock.enqueue({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'Short question, short answer.' },
        { type: 'text', text: 'Yes.' },
      ],
      thinkingTokens: 6,
    });
    const stream = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Is water wet?' }],
      reasoning_effort: 'low',
      stream: true,
      stream_options: { include_usage: true },
    });
    let reasoning = '';
    let content = '';
    let reasoningTokens: number | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as
        | { content?: string | null; reasoning_content?: string }
        | undefined;
      reasoning += delta?.reasoning_content ?? '';
      content += delta?.content ?? '';
      if (chunk.usage) reasoningTokens = chunk.usage.completion_tokens_details?.reasoning_tokens;
    }
    expect(reasoning).toBe('Short question, short answer.');
    expect(content).toBe('Yes.');
    expect(reasoningTokens).toBe(6);
    expect(h.mock.requests[0]?.body.output_config).toMatchObject({ effort: 'low' });
  });

  it('honours max_completion_tokens and stop', async () => {
    h.mock.enqueue(text('one two three. four five', { stopReason: 'end_turn' }));
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'count' }],
      max_completion_tokens: 64,
      stop: ['.'],
      temperature: 0.2,
      seed: 7,
    });
    expect(completion.choices[0]).toMatchObject({
      message: { content: 'one two three' },
      finish_reason: 'stop',
    });
    expect(h.mock.requests[0]?.body.max_tokens).toBe(64);
  });

  it('raises BadRequestError with the param for n > 1', async () => {
    const error = await h.openai.chat.completions
      .create({ model: 'sonnet', messages: [{ role: 'user', content: 'x' }], n: 3 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ param: 'n', code: 'unsupported_parameter' });
  });
});
