/**
 * A forced tool choice (OpenAI `required` or a named function, Anthropic `any` or `tool`) through the
 * real Claude Code CLI against the mock: the model is sent back once when it answers in text; a text
 * attempt never reaches the client, and an answer that still calls no tool is the surface's error
 * (502 `tool_choice_not_met`), never the two attempts glued together. Where Claude Code turns thinking
 * off for the model, the Messages API enforces the choice itself.
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { postChat } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';
import { clientCall, reply } from './tool-replies.js';

const h = useHarness();

const tools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: {} } },
  },
];
const messages = [{ role: 'user', content: 'Weather in Paris?' }];
const FIRST = 'It is probably sunny.';
const SECOND = 'Still just sunny.';

describe('an unmet forced tool choice', () => {
  it('chat: answers 502 tool_choice_not_met in the OpenAI error shape, with neither attempt in it', async () => {
    h.mock.enqueue(text(FIRST), text(SECOND));
    const response = await postChat(h.origin, { model: 'sonnet', messages, tools, tool_choice: 'required' });
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({
      error: { type: 'api_error', code: 'tool_choice_not_met' },
    });
    expect(body).not.toContain('sunny');
    // The model was sent back once, and only once.
    expect(h.mock.requests).toHaveLength(2);
  });

  it('chat stream: sends no text of either attempt, then an in-band error instead of a stop', async () => {
    h.mock.enqueue(text(FIRST), text(SECOND));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      stream: true,
      messages,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const { events } = await readSse(response);
    const raw = JSON.stringify(events);
    expect(raw).not.toContain('sunny');
    expect(raw).not.toContain('"finish_reason":"stop"');
    expect(events.at(-1)?.data).toMatchObject({ error: { code: 'tool_choice_not_met' } });
  });

  it('chat stream: keeps the second attempt that calls the tool, without the first attempt’s text', async () => {
    h.mock.enqueue(
      text(FIRST),
      reply({ type: 'text', text: 'Checking.' }, clientCall('get_weather', { city: 'Paris' })),
    );
    const response = await postChat(h.origin, {
      model: 'sonnet',
      stream: true,
      messages,
      tools,
      tool_choice: 'required',
    });
    const { events } = await readSse(response);
    const chunks = events.map((event) => event.data as OpenAI.Chat.ChatCompletionChunk);
    const content = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(content).toBe('Checking.');
    const finish = chunks.flatMap((chunk) => chunk.choices[0]?.finish_reason ?? []);
    expect(finish).toEqual(['tool_calls']);
  });

  it('Messages: answers 502 in the Anthropic error shape for tool_choice any, with neither attempt in it', async () => {
    h.mock.enqueue(text(FIRST), text(SECOND));
    const response = await fetch(`${h.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'sonnet',
        max_tokens: 200,
        messages,
        tools: [
          { name: 'get_weather', description: 'Weather', input_schema: { type: 'object', properties: {} } },
        ],
        tool_choice: { type: 'any' },
      }),
    });
    expect(response.status).toBe(502);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ type: 'error', error: { type: 'api_error' } });
    expect(body).not.toContain('sunny');
  });
});

describe('a forced tool choice with thinking off', () => {
  it('goes to the Messages API as its own tool_choice, without the instruction or a second attempt', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', {})));
    const response = await postChat(h.origin, {
      model: 'claude-sonnet-4-5',
      messages,
      tools,
      tool_choice: 'required',
    });
    expect(response.status).toBe(200);
    const [request] = h.mock.requests;
    expect(request?.body.tool_choice).toEqual({ type: 'any' });
    expect(request?.body).toMatchObject({ thinking: { type: 'disabled' } });
    expect(JSON.stringify(request?.body.system)).not.toContain('you must call');
  });

  it('names the Claude-side tool for a named function', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', {})));
    await postChat(h.origin, {
      model: 'claude-sonnet-4-5',
      messages,
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(h.mock.requests[0]?.body.tool_choice).toEqual({ type: 'tool', name: 'mcp__client__get_weather' });
  });
});
