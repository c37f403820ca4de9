/**
 * POST /v1/messages and /v1/messages/count_tokens end to end: the official Anthropic SDK against the
 * gateway, the real Claude Code CLI behind it, the mock Messages API behind that. Each test checks what
 * the client got and what reached the mock.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { IMAGES } from '../images/fixtures.js';
import { type ContentBlock, lastUserText, text } from '../mock-anthropic/server.js';
import { clientCall, offeredTools, reply, toolResults, toolUsesInHistory } from '../tools/tool-replies.js';

const h = useHarness();

function anthropic(): Anthropic {
  return new Anthropic({ baseURL: h.origin, apiKey: 'sk-test-client', maxRetries: 0, timeout: 60_000 });
}

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

function lastUserBlocks(index: number): ContentBlock[] {
  const request = h.mock.requests[index];
  const last = request?.body.messages.findLast((message) => message.role === 'user');
  return !last || typeof last.content === 'string' ? [] : last.content;
}

describe('Anthropic SDK against /v1/messages', () => {
  it('messages.create gets the answer; the system prompt and the turn reach the model', async () => {
    h.mock.enqueue(text('Hello from Claude.'));
    const message = await anthropic().messages.create({
      model: 'sonnet',
      max_tokens: 256,
      system: 'You answer in one line.',
      messages: [{ role: 'user', content: 'Say hello' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'sonnet',
      content: [{ type: 'text', text: 'Hello from Claude.' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
    const request = h.mock.requests[0];
    if (!request) throw new Error('the mock got no request');
    expect(lastUserText(request)).toBe('Say hello');
    expect(JSON.stringify(request.body.system)).toContain('You answer in one line.');
  });

  it('messages.stream delivers text deltas and the final message', async () => {
    h.mock.enqueue(text('one two three four'));
    const stream = anthropic().messages.stream({
      model: 'sonnet',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Count' }],
    });
    const deltas: string[] = [];
    stream.on('text', (delta) => deltas.push(delta));
    const message = await stream.finalMessage();
    expect(deltas.join('')).toBe('one two three four');
    expect(deltas.length).toBeGreaterThan(1);
    expect(message.content).toEqual([{ type: 'text', text: 'one two three four' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('runs a tool round trip: tool_use out, tool_result in, final answer', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Paris' })), text('Sunny in Paris.'));
    const client = anthropic();
    const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      tools: [weatherTool],
      messages,
    });
    expect(first.stop_reason).toBe('tool_use');
    const call = first.content.find((block) => block.type === 'tool_use');
    if (call?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(call).toMatchObject({ name: 'get_weather', input: { city: 'Paris' } });
    expect(offeredTools(h.mock.requests[0]!)).toContain('mcp__client__get_weather');

    messages.push(
      { role: 'assistant', content: first.content },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '21 C and sunny' }] },
    );
    const second = await client.messages.create({
      model: 'sonnet',
      max_tokens: 256,
      tools: [weatherTool],
      messages,
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Sunny in Paris.' }]);
    expect(second.stop_reason).toBe('end_turn');
    const continued = h.mock.requests.at(-1)!;
    expect(toolUsesInHistory(continued)).toEqual([
      { id: call.id, name: 'mcp__client__get_weather', input: { city: 'Paris' } },
    ]);
    expect(toolResults(continued)).toEqual([{ toolUseId: call.id, text: '21 C and sunny', isError: false }]);
  });

  it('streams a tool call as input_json_delta', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Oslo' })));
    const stream = anthropic().messages.stream({
      model: 'sonnet',
      max_tokens: 256,
      tools: [weatherTool],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    });
    const json: string[] = [];
    stream.on('inputJson', (partial) => json.push(partial));
    const message = await stream.finalMessage();
    expect(json.join('')).toBe('{"city":"Oslo"}');
    expect(message.content).toMatchObject([
      { type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('sends images to the model', async () => {
    h.mock.enqueue(text('A single pixel.'));
    const message = await anthropic().messages.create({
      model: 'sonnet',
      max_tokens: 256,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMAGES['image/png'] } },
            { type: 'text', text: 'What is this?' },
          ],
        },
      ],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'A single pixel.' }]);
    const image = lastUserBlocks(0).find((block) => block.type === 'image');
    expect(image).toMatchObject({
      source: { type: 'base64', media_type: 'image/png', data: IMAGES['image/png'] },
    });
  });

  it('streams thinking blocks when thinking is on', async () => {
    h.mock.enqueue({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'The user wants a number.' },
        { type: 'text', text: '42' },
      ],
    });
    const stream = anthropic().messages.stream({
      model: 'sonnet',
      max_tokens: 2048,
      thinking: { type: 'enabled', budget_tokens: 1024 },
      messages: [{ role: 'user', content: 'Answer?' }],
    });
    const thinking: string[] = [];
    stream.on('thinking', (delta) => thinking.push(delta));
    const message = await stream.finalMessage();
    expect(thinking.join('')).toBe('The user wants a number.');
    expect(message.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(message.content[1]).toEqual({ type: 'text', text: '42' });
    expect(h.mock.requests[0]?.body.thinking).toBeDefined();
  });

  it('ends at a stop sequence and names it', async () => {
    h.mock.enqueue(text('alpha beta END gamma'));
    const message = await anthropic().messages.create({
      model: 'sonnet',
      max_tokens: 256,
      stop_sequences: ['END'],
      messages: [{ role: 'user', content: 'Letters' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'alpha beta ' }]);
    expect(message).toMatchObject({ stop_reason: 'stop_sequence', stop_sequence: 'END' });
  });

  it('reports an answer cut by max_tokens, and passes the limit on', async () => {
    h.mock.enqueue(text('a long answer that was cut', { stopReason: 'max_tokens' }));
    const message = await anthropic().messages.create({
      model: 'sonnet',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'Write a lot' }],
    });
    expect(message.stop_reason).toBe('max_tokens');
    expect(message.content).toEqual([{ type: 'text', text: 'a long answer that was cut' }]);
    expect(h.mock.requests[0]?.body.max_tokens).toBe(5);
  });

  it('answers errors in the Anthropic shape', async () => {
    const unknownModel = await anthropic()
      .messages.create({ model: 'gpt-9', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] })
      .catch((error: unknown) => error);
    expect(unknownModel).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknownModel).toMatchObject({ error: { type: 'error', error: { type: 'not_found_error' } } });

    const response = await fetch(`${h.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test-client' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringMatching(/^max_tokens/) },
    });
    expect(h.mock.requests).toHaveLength(0);
  });

  it('refuses an output schema it cannot serve with a 400 before any run (no 502 the SDK would retry)', async () => {
    const refused = await new Anthropic({
      baseURL: h.origin,
      apiKey: 'sk-test-client',
      maxRetries: 2,
    }).messages
      .create({
        model: 'sonnet',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'List three colours.' }],
        output_config: {
          format: { type: 'json_schema', schema: { type: 'array', items: { type: 'string' } } },
        },
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(refused).toMatchObject({
      status: 400,
      error: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: expect.stringMatching(/^output_config\.format\.schema/),
        },
      },
    });
    expect(h.mock.requests).toHaveLength(0);
  });

  it('counts tokens without calling the model', async () => {
    const counted = await anthropic().messages.countTokens({
      model: 'sonnet',
      system: 'You are terse.',
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(350);
    expect(h.mock.requests).toHaveLength(0);
  });
});
