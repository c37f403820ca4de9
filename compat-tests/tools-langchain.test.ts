import {
  AIMessage,
  type AIMessageChunk,
  type BaseMessage,
  HumanMessage,
  type ToolMessage,
} from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import type { ChatOpenAI } from '@langchain/openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { text } from '../test/mock-anthropic/server.js';
import { clientCall, offeredTools, reply, toolResults } from '../test/tools/tool-replies.js';
import { langchainChat } from './clients.js';

/** LangChain's ChatOpenAI with bindTools in a two-step tool loop, against the gateway. */
const h = useHarness({ config: { WARM_SPARES: '0' } });
let chat: ChatOpenAI;
beforeAll(() => {
  chat = langchainChat(h.baseURL);
});

const getWeather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
  name: 'get_weather',
  description: 'Weather for a city',
  schema: z.object({ city: z.string().describe('City name') }),
});

async function runToolCalls(ai: AIMessage): Promise<ToolMessage[]> {
  return Promise.all((ai.tool_calls ?? []).map((call) => getWeather.invoke(call) as Promise<ToolMessage>));
}

describe('@langchain/openai bindTools', () => {
  it('runs a two-step tool loop with invoke', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Paris' })), text('Paris is sunny.'));
    const model = chat.bindTools([getWeather]);
    const messages: BaseMessage[] = [new HumanMessage('Weather in Paris?')];

    const ai = await model.invoke(messages);
    expect(ai.tool_calls).toEqual([
      { name: 'get_weather', args: { city: 'Paris' }, id: expect.any(String), type: 'tool_call' },
    ]);
    expect(ai.response_metadata.finish_reason).toBe('tool_calls');
    messages.push(ai, ...(await runToolCalls(ai)));

    const final = await model.invoke(messages);
    expect(final.content).toBe('Paris is sunny.');
    expect(final.tool_calls).toEqual([]);

    const offered = h.mock.requests[0]?.body.tools?.find(
      (candidate) => candidate.name === 'mcp__client__get_weather',
    );
    expect(offered?.input_schema).toMatchObject({
      type: 'object',
      properties: { city: { type: 'string' } },
      required: ['city'],
    });
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: ai.tool_calls?.[0]?.id, text: 'sunny in Paris', isError: false },
    ]);
  });

  it('streams parallel tool calls that LangChain reassembles, then answers', async () => {
    h.mock.enqueue(
      reply(clientCall('get_weather', { city: 'Rome' }), clientCall('get_weather', { city: 'Milan' })),
      text('Both sunny.'),
    );
    const model = chat.bindTools([getWeather]);
    const messages: BaseMessage[] = [new HumanMessage('Weather in Rome and Milan?')];

    let aggregate: AIMessageChunk | undefined;
    for await (const chunk of await model.stream(messages))
      aggregate = aggregate ? aggregate.concat(chunk) : chunk;
    const calls = aggregate?.tool_calls ?? [];
    expect(calls.map((call) => call.args)).toEqual([{ city: 'Rome' }, { city: 'Milan' }]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
    const ai = new AIMessage({ content: aggregate?.content ?? '', tool_calls: calls });
    messages.push(ai, ...(await runToolCalls(ai)));

    const final = await model.invoke(messages);
    expect(final.content).toBe('Both sunny.');
    expect(offeredTools(h.mock.requests[1]!)).toContain('mcp__client__get_weather');
    expect(toolResults(h.mock.requests[1]!)).toEqual(
      calls.map((call) => ({ toolUseId: call.id, text: `sunny in ${call.args.city}`, isError: false })),
    );
  });
});
