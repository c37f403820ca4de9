import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { text } from '../test/mock-anthropic/server.js';
import { clientCall, reply, toolResults, toolUsesInHistory } from '../test/tools/tool-replies.js';

/** The official `openai` client's tool loops (by hand, and its runTools helper) against the gateway. */
const h = useHarness({ config: { WARM_SPARES: '0' } });

const weatherParameters: Record<string, unknown> = {
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
  additionalProperties: false,
};
const tools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Weather for a city', parameters: weatherParameters },
  },
];

function weather(city: string): string {
  return JSON.stringify({ city, forecast: 'sunny', celsius: 21 });
}

describe('openai SDK tool loops', () => {
  it('runs a manual two-step loop: tool_calls out, tool results in, final answer', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Paris' })), text('It is sunny in Paris, 21 C.'));
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris?' },
    ];

    const first = await h.openai.chat.completions.create({ model: 'sonnet', messages, tools });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    if (!choice || call?.type !== 'function') throw new Error('expected a function tool call');
    expect(call.function.name).toBe('get_weather');
    const args = JSON.parse(call.function.arguments) as { city: string };
    messages.push(choice.message, { role: 'tool', tool_call_id: call.id, content: weather(args.city) });

    const second = await h.openai.chat.completions.create({ model: 'sonnet', messages, tools });
    expect(second.choices[0]?.message.content).toBe('It is sunny in Paris, 21 C.');
    expect(second.choices[0]?.finish_reason).toBe('stop');

    expect(toolUsesInHistory(h.mock.requests[1]!)).toEqual([
      { id: call.id, name: 'mcp__client__get_weather', input: { city: 'Paris' } },
    ]);
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: call.id, text: weather('Paris'), isError: false },
    ]);
  });

  it('runTools calls the function with the parsed arguments and finishes with the final content', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Oslo' })), text('Oslo: sunny.'));
    const seen: string[] = [];
    const runner = h.openai.chat.completions.runTools({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: weatherParameters,
            parse: (input: string) => JSON.parse(input) as { city: string },
            function: ({ city }: { city: string }) => {
              seen.push(city);
              return weather(city);
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('Oslo: sunny.');
    expect(seen).toEqual(['Oslo']);
    const calls = (await runner.allChatCompletions()).flatMap(
      (completion) => completion.choices[0]?.message.tool_calls ?? [],
    );
    expect(calls).toHaveLength(1);
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: calls[0]!.id, text: weather('Oslo'), isError: false },
    ]);
  });

  it('runTools streaming: the stream helper assembles the tool-call deltas', async () => {
    h.mock.enqueue(
      reply({ type: 'text', text: 'Checking.' }, clientCall('get_weather', { city: 'Lima' })),
      text('Lima: sunny.'),
    );
    const seen: string[] = [];
    const runner = h.openai.chat.completions.runTools({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'Weather in Lima?' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: weatherParameters,
            parse: (input: string) => JSON.parse(input) as { city: string },
            function: ({ city }: { city: string }) => {
              seen.push(city);
              return weather(city);
            },
          },
        },
      ],
    });
    expect(await runner.finalContent()).toBe('Lima: sunny.');
    expect(seen).toEqual(['Lima']);
    const [firstStep] = await runner.allChatCompletions();
    expect(firstStep?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(firstStep?.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Lima"}' },
    });
    const id = firstStep?.choices[0]?.message.tool_calls?.[0]?.id;
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: id, text: weather('Lima'), isError: false },
    ]);
  });
});
