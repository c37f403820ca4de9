/**
 * response_format through Claude Code's structured output (its StructuredOutput tool), with the real
 * CLI against the mock Messages API.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { text, toolUse } from '../mock-anthropic/server.js';
import { json, postChat, requestAt, streamChat, toolNames, toolResults } from './client.js';

const h = useHarness();

const personSchema = {
  type: 'object',
  properties: { name: { type: 'string' }, age: { type: 'integer' } },
  required: ['name', 'age'],
  additionalProperties: false,
};

function offeredSchema(index = 0): unknown {
  return requestAt(h.mock.requests, index).body.tools?.find((tool) => tool.name === 'StructuredOutput')
    ?.input_schema;
}

describe('response_format json_schema', () => {
  it('returns the StructuredOutput call as JSON content with finish_reason stop', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { name: 'Ada', age: 36 }));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Who wrote the first program?' }],
      // LangChain sends the 2020-12 meta-schema, which Claude Code itself would refuse.
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'person',
          strict: true,
          schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', ...personSchema },
        },
      },
    });
    expect(response.status).toBe(200);
    const body = await json(response);
    expect(JSON.parse(body.choices[0].message.content)).toEqual({ name: 'Ada', age: 36 });
    expect(body.choices[0].finish_reason).toBe('stop');
    expect(body.choices[0].message.tool_calls).toBeUndefined();
    expect(offeredSchema()).toEqual(personSchema);
    expect(h.mock.requests).toHaveLength(1);
  });

  it('streams the JSON as content, never as reasoning or a tool call', async () => {
    h.mock.enqueue({
      kind: 'message',
      blocks: [
        { type: 'text', text: 'Let me fill that in.' },
        { type: 'tool_use', name: 'StructuredOutput', input: { name: 'Grace', age: 85 } },
      ],
    });
    const answer = await streamChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Another pioneer?' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema: personSchema } },
    });
    expect(answer.errors).toEqual([]);
    expect(answer.done).toBe(true);
    expect(JSON.parse(answer.content)).toEqual({ name: 'Grace', age: 85 });
    expect(answer.reasoning).toBe('');
    expect(answer.chunks.some((chunk) => chunk.choices[0]?.delta?.tool_calls)).toBe(false);
    expect(answer.finishReason).toBe('stop');
    expect(toolNames(h.mock.requests[0])).toContain('StructuredOutput');
  });

  it('json_object asks for any object and returns it', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { colors: ['red', 'green'] }));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'List two colors as JSON.' }],
      response_format: { type: 'json_object' },
    });
    const body = await json(response);
    expect(JSON.parse(body.choices[0].message.content)).toEqual({ colors: ['red', 'green'] });
    expect(offeredSchema()).toEqual({ type: 'object', additionalProperties: true });
  });

  it('fails with structured_output_failed when every StructuredOutput call breaks the schema', async () => {
    h.mock.setHandler(() => toolUse('StructuredOutput', { name: 'no age' }));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'person', schema: personSchema } },
    });
    expect(response.status).toBe(502);
    const { error } = await json(response);
    expect(error).toMatchObject({ type: 'api_error', code: 'structured_output_failed' });
    expect(error.message).toContain('age');
    // Claude Code told the model what was wrong before giving up.
    const feedback = toolResults(h.mock.requests.at(-1));
    expect(feedback.at(-1)).toMatchObject({ is_error: true });
    expect(h.mock.requests.length).toBeGreaterThan(1);
  });

  it('fails with structured_output_failed when Claude keeps answering in text', async () => {
    h.mock.setHandler(() => text('I would rather chat.'));
    const answer = await streamChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_object' },
    });
    expect(answer.content).toBe('');
    expect(answer.errors[0]?.error).toMatchObject({ code: 'structured_output_failed' });
  });
});

describe('invalid schemas', () => {
  it.each([
    ['a missing schema', undefined, 'required'],
    ['a top-level array', { type: 'array', items: { type: 'string' } }, 'object'],
    ['a misspelt type', { type: 'object', properties: { a: { type: 'strng' } } }, 'type'],
    ['properties that are not an object', { type: 'object', properties: 'a' }, 'properties'],
    [
      'an unknown keyword',
      { type: 'object', properties: { a: { type: 'string', colour: 'red' } } },
      'colour',
    ],
    ['a dangling $ref', { type: 'object', properties: { a: { $ref: '#/definitions/missing' } } }, 'missing'],
    ['an unknown $schema', { $schema: 'https://example.com/my-schema', type: 'object' }, '$schema'],
  ])('rejects %s with a 400 naming the schema, before starting Claude Code', async (_, schema, mention) => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'x' }],
      response_format: { type: 'json_schema', json_schema: { name: 'x', ...(schema ? { schema } : {}) } },
    });
    expect(response.status).toBe(400);
    const { error } = await json(response);
    expect(error).toMatchObject({
      type: 'invalid_request_error',
      param: 'response_format.json_schema.schema',
      code: 'invalid_json_schema',
    });
    expect(error.message).toContain(mention);
    expect(h.mock.requests).toHaveLength(0);
  });
});
