import { Agent, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { text } from '../test/mock-anthropic/server.js';
import { clientCall, offeredTools, reply, toolResults } from '../test/tools/tool-replies.js';

/** The OpenAI Agents SDK with its default (Responses API) model, pointed at the gateway. */
const h = useHarness();

beforeAll(() => {
  setTracingDisabled(true);
  setOpenAIAPI('responses');
  setDefaultOpenAIClient(new OpenAI({ baseURL: h.baseURL, apiKey: 'sk-test-client', maxRetries: 0 }));
});

describe('OpenAI Agents SDK', () => {
  it('runs an agent with a function tool to completion', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Rome' })), text('Rome: sunny.'));
    const seen: string[] = [];
    const getWeather = tool({
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        seen.push(city);
        return `sunny in ${city}`;
      },
    });
    const agent = new Agent({
      name: 'weather',
      instructions: 'Answer briefly.',
      model: 'sonnet',
      tools: [getWeather],
    });
    const result = await run(agent, 'Weather in Rome?');
    expect(result.finalOutput).toBe('Rome: sunny.');
    expect(seen).toEqual(['Rome']);
    expect(offeredTools(h.mock.requests[0]!)).toContain('mcp__client__get_weather');
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: expect.any(String), text: 'sunny in Rome', isError: false },
    ]);
  });
});
