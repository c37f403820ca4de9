import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { lastUserText, text } from '../test/mock-anthropic/server.js';
import { clientCall, reply, toolResults } from '../test/tools/tool-replies.js';

/** The AI SDK's default OpenAI provider, which speaks the Responses API, against the gateway. */
const h = useHarness();
const provider = () => createOpenAI({ baseURL: h.baseURL, apiKey: 'sk-test-client' });

describe('AI SDK createOpenAI (Responses API)', () => {
  it('generateText returns the text and usage', async () => {
    h.mock.enqueue(text('Paris.', { usage: { input_tokens: 12, output_tokens: 3 } }));
    const result = await generateText({
      model: provider()('sonnet'),
      prompt: 'Capital of France?',
      maxRetries: 0,
    });
    expect(result.text).toBe('Paris.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokens).toBe(3);
    expect(lastUserText(h.mock.requests[0]!)).toBe('Capital of France?');
  });

  it('streamText streams the text', async () => {
    h.mock.enqueue(text('Streaming works.'));
    const result = streamText({ model: provider()('sonnet'), prompt: 'Stream please', maxRetries: 0 });
    let streamed = '';
    for await (const delta of result.textStream) streamed += delta;
    expect(streamed).toBe('Streaming works.');
    expect(await result.finishReason).toBe('stop');
  });

  it('runs a tool to completion: the tool result reaches Claude as a tool_result', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Oslo' })), text('Oslo is sunny.'));
    const seen: string[] = [];
    const result = await generateText({
      model: provider()('sonnet'),
      prompt: 'Weather in Oslo?',
      maxRetries: 0,
      stopWhen: stepCountIs(3),
      tools: {
        get_weather: tool({
          description: 'Weather for a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
          execute: async ({ city }) => {
            seen.push(city);
            return `sunny in ${city}`;
          },
        }),
      },
    });
    expect(seen).toEqual(['Oslo']);
    expect(result.text).toBe('Oslo is sunny.');
    expect(result.steps).toHaveLength(2);
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: expect.any(String), text: 'sunny in Oslo', isError: false },
    ]);
  });
});
