import { generateText, stepCountIs, streamText, tool } from 'ai';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { text } from '../test/mock-anthropic/server.js';
import { clientCall, reply, toolResults, toolUsesInHistory } from '../test/tools/tool-replies.js';
import { aiSdkProvider } from './clients.js';

/** The Vercel AI SDK's multi-step tool calling through @ai-sdk/openai-compatible, against the gateway. */
const h = useHarness({ config: { WARM_SPARES: '0' } });
let gateway: ReturnType<typeof aiSdkProvider>;
beforeAll(() => {
  gateway = aiSdkProvider(h.baseURL);
});

function weatherTool(seen: string[]) {
  return tool({
    description: 'Weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      seen.push(city);
      return { city, forecast: 'sunny' };
    },
  });
}

describe('Vercel AI SDK tools', () => {
  it('generateText runs the tool and answers in a second step', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Berlin' })), text('Berlin is sunny.'));
    const seen: string[] = [];
    const result = await generateText({
      model: gateway('sonnet'),
      tools: { get_weather: weatherTool(seen) },
      stopWhen: stepCountIs(3),
      prompt: 'Weather in Berlin?',
    });
    expect(seen).toEqual(['Berlin']);
    expect(result.text).toBe('Berlin is sunny.');
    expect(result.steps).toHaveLength(2);
    const [first] = result.steps;
    expect(first?.finishReason).toBe('tool-calls');
    expect(first?.toolCalls).toMatchObject([{ toolName: 'get_weather', input: { city: 'Berlin' } }]);
    const callId = first?.toolCalls[0]?.toolCallId;
    expect(result.totalUsage.inputTokens).toBeGreaterThan(0);

    expect(toolUsesInHistory(h.mock.requests[1]!)).toEqual([
      { id: callId, name: 'mcp__client__get_weather', input: { city: 'Berlin' } },
    ]);
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: callId, text: JSON.stringify({ city: 'Berlin', forecast: 'sunny' }), isError: false },
    ]);
  });

  it('streamText runs parallel calls over the stream and answers', async () => {
    h.mock.enqueue(
      reply(
        { type: 'text', text: 'Looking.' },
        clientCall('get_weather', { city: 'Cairo' }),
        clientCall('get_weather', { city: 'Tunis' }),
      ),
      text('Both sunny.'),
    );
    const seen: string[] = [];
    const result = streamText({
      model: gateway('sonnet'),
      tools: { get_weather: weatherTool(seen) },
      stopWhen: stepCountIs(3),
      prompt: 'Weather in Cairo and Tunis?',
    });
    expect(await result.text).toBe('Both sunny.');
    const steps = await result.steps;
    expect(steps[0]?.toolCalls.map((call) => call.input)).toEqual([{ city: 'Cairo' }, { city: 'Tunis' }]);
    expect(seen.sort()).toEqual(['Cairo', 'Tunis']);
    expect(toolResults(h.mock.requests[1]!).map((result) => result.toolUseId)).toEqual(
      steps[0]?.toolCalls.map((call) => call.toolCallId),
    );
  });
});
