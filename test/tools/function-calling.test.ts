/**
 * OpenAI function calling through the real Claude Code CLI against the mock Messages API: the client's
 * tools reach the model as real tools, calls come back as OpenAI tool_calls with nothing executed,
 * and tool messages continue the same Claude turn as real tool_result blocks.
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { postChat } from '../core/wire.js';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text, userTexts } from '../mock-anthropic/server.js';
import { clientCall, offeredTools, reply, toolResults, toolUsesInHistory } from './tool-replies.js';

const h = useHarness({ config: { WARM_SPARES: '0' } });

const weatherSchema = {
  type: 'object',
  properties: {
    city: { type: 'string', description: 'City name' },
    unit: { type: 'string', enum: ['C', 'F'] },
  },
  required: ['city'],
  additionalProperties: false,
};
const tools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: 'function',
    function: { name: 'get_weather', description: 'Current weather', parameters: weatherSchema },
  },
  {
    type: 'function',
    function: {
      name: 'get_time',
      description: 'Current time',
      parameters: { type: 'object', properties: { tz: { type: 'string' } } },
    },
  },
];
const question: OpenAI.Chat.ChatCompletionMessageParam = {
  role: 'user',
  content: 'Weather and time in Paris?',
};

function request(index: number) {
  const recorded = h.mock.requests[index];
  if (!recorded) throw new Error(`the mock got no request #${index}`);
  return recorded;
}

function systemText(index: number): string {
  const system = request(index).body.system;
  return typeof system === 'string' ? system : (system ?? []).map((block) => block.text).join('\n');
}

/** The function calls of a message (the SDK's type also allows custom tool calls). */
function functionCalls(message: OpenAI.Chat.ChatCompletionMessage | undefined) {
  return (message?.tool_calls ?? []).flatMap((call) => (call.type === 'function' ? [call.function] : []));
}

async function noLiveProcess(): Promise<boolean> {
  return eventually(() => h.gateway.processes.liveCount === 0);
}

describe('tool calls', () => {
  it('returns a call as message.tool_calls with content null and finish_reason tool_calls, having run nothing', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Paris', unit: 'C' })));
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [question],
      tools,
    });

    const choice = completion.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBeNull();
    expect(choice?.message.tool_calls).toEqual([
      {
        id: expect.stringMatching(/^toolu_/),
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"C"}' },
      },
    ]);
    expect(completion.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: expect.any(Number) });
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);

    // The model was offered exactly the client's tools, with their schemas as sent, and no built-in tool.
    expect(h.mock.requests).toHaveLength(1);
    const offered = request(0).body.tools ?? [];
    expect(offered.map((tool) => tool.name).sort()).toEqual([
      'mcp__client__get_time',
      'mcp__client__get_weather',
    ]);
    expect(offered.find((tool) => tool.name === 'mcp__client__get_weather')).toMatchObject({
      description: 'Current weather',
      input_schema: weatherSchema,
    });
    // Claude Code was stopped at the call: it neither ran the tool nor asked the model again.
    expect(await noLiveProcess()).toBe(true);
    expect(h.mock.requests).toHaveLength(1);
  });

  it('streams parallel calls as OpenAI tool-call deltas with indexes 0..n-1, then usage', async () => {
    h.mock.enqueue(
      reply(
        { type: 'text', text: 'Let me look that up.' },
        clientCall('get_weather', { city: 'Paris' }),
        clientCall('get_time', { tz: 'Europe/Paris' }),
      ),
    );
    const response = await postChat(h.origin, {
      model: 'sonnet',
      stream: true,
      stream_options: { include_usage: true },
      messages: [question],
      tools,
    });
    expect(response.status).toBe(200);
    const { events, done } = await readSse(response);
    expect(done).toBe(true);
    const chunks = events.map((event) => event.data as OpenAI.Chat.ChatCompletionChunk);
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);

    const starts = deltas.filter((delta) => delta.id !== undefined);
    expect(starts).toEqual([
      {
        index: 0,
        id: expect.stringMatching(/^toolu_/),
        type: 'function',
        function: { name: 'get_weather', arguments: '' },
      },
      {
        index: 1,
        id: expect.stringMatching(/^toolu_/),
        type: 'function',
        function: { name: 'get_time', arguments: '' },
      },
    ]);
    for (const fragment of deltas.filter((delta) => delta.id === undefined)) {
      expect(Object.keys(fragment).sort()).toEqual(['function', 'index']);
      expect(Object.keys(fragment.function ?? {})).toEqual(['arguments']);
    }
    const argumentsOf = (index: number) =>
      deltas
        .filter((delta) => delta.index === index)
        .map((delta) => delta.function?.arguments ?? '')
        .join('');
    expect(JSON.parse(argumentsOf(0))).toEqual({ city: 'Paris' });
    expect(JSON.parse(argumentsOf(1))).toEqual({ tz: 'Europe/Paris' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'Let me look that up.',
    );

    const finish = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
    expect(finish.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual(['tool_calls']);
    const last = chunks.at(-1);
    expect(last?.choices).toEqual([]);
    expect(last?.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: expect.any(Number) });
    expect(await noLiveProcess()).toBe(true);
  });

  it('continues the same Claude turn with the tool results as real tool_result blocks, after the first process is gone', async () => {
    h.mock.enqueue(
      reply(clientCall('get_weather', { city: 'Paris' }), clientCall('get_time', { tz: 'CET' })),
      text('Sunny, and it is noon.'),
    );
    const first = await h.openai.chat.completions.create({ model: 'sonnet', messages: [question], tools });
    const assistant = first.choices[0]?.message;
    const [weatherCall, timeCall] = assistant?.tool_calls ?? [];
    if (!assistant || !weatherCall || !timeCall) throw new Error('expected two tool calls');
    expect(await noLiveProcess()).toBe(true);

    const second = await h.openai.chat.completions.create({
      model: 'sonnet',
      tools,
      messages: [
        question,
        assistant,
        { role: 'tool', tool_call_id: timeCall.id, content: '12:00' },
        { role: 'tool', tool_call_id: weatherCall.id, content: 'sunny, 21 C' },
      ],
    });
    expect(second.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { role: 'assistant', content: 'Sunny, and it is noon.' },
    });

    expect(h.mock.requests).toHaveLength(2);
    const followUp = request(1);
    expect(toolUsesInHistory(followUp)).toEqual([
      { id: weatherCall.id, name: 'mcp__client__get_weather', input: { city: 'Paris' } },
      { id: timeCall.id, name: 'mcp__client__get_time', input: { tz: 'CET' } },
    ]);
    // One user turn answers both calls, right after the assistant turn that made them.
    const messages = followUp.body.messages.filter((message) => (message.role as string) !== 'system');
    expect(messages.at(-2)?.role).toBe('assistant');
    expect(toolResults(followUp)).toEqual([
      { toolUseId: timeCall.id, text: '12:00', isError: false },
      { toolUseId: weatherCall.id, text: 'sunny, 21 C', isError: false },
    ]);
    expect(offeredTools(followUp)).toContain('mcp__client__get_weather');
  });

  it('lets a continued turn call tools again (a multi-step loop)', async () => {
    h.mock.enqueue(
      reply(clientCall('get_weather', { city: 'Paris' })),
      reply(clientCall('get_time', { tz: 'CET' })),
      text('Sunny at noon.'),
    );
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [question];
    for (const result of ['sunny', '12:00']) {
      const step = await h.openai.chat.completions.create({ model: 'sonnet', messages, tools });
      const message = step.choices[0]?.message;
      const call = message?.tool_calls?.[0];
      expect(step.choices[0]?.finish_reason).toBe('tool_calls');
      if (!message || !call) throw new Error('expected a tool call');
      messages.push(message, { role: 'tool', tool_call_id: call.id, content: result });
    }
    const final = await h.openai.chat.completions.create({ model: 'sonnet', messages, tools });
    expect(final.choices[0]?.message.content).toBe('Sunny at noon.');

    expect(h.mock.requests).toHaveLength(3);
    expect(offeredTools(request(1)).sort()).toEqual(['mcp__client__get_time', 'mcp__client__get_weather']);
    const [firstUse, secondUse] = toolUsesInHistory(request(2));
    expect(toolResults(request(1))).toEqual([{ toolUseId: firstUse?.id, text: 'sunny', isError: false }]);
    expect(toolResults(request(2))).toEqual([{ toolUseId: secondUse?.id, text: '12:00', isError: false }]);
    expect(secondUse?.name).toBe('mcp__client__get_time');
  });

  it('keeps two concurrent conversations apart, each from a history this gateway never saw', async () => {
    h.mock.setHandler((recorded) => {
      const results = toolResults(recorded);
      return text(`answer for ${results.map((result) => `${result.toolUseId}=${result.text}`).join(',')}`);
    });
    const conversation = (id: string, result: string): OpenAI.Chat.ChatCompletionMessageParam[] => [
      question,
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: id, content: result },
    ];
    const [a, b] = await Promise.all([
      h.openai.chat.completions.create({
        model: 'sonnet',
        tools,
        messages: conversation('call_alpha', 'rain'),
      }),
      h.openai.chat.completions.create({
        model: 'sonnet',
        tools,
        messages: conversation('call_beta', 'snow'),
      }),
    ]);
    expect(a.choices[0]?.message.content).toBe('answer for call_alpha=rain');
    expect(b.choices[0]?.message.content).toBe('answer for call_beta=snow');
    expect(h.mock.requests).toHaveLength(2);
    for (const recorded of h.mock.requests) {
      const results = toolResults(recorded);
      expect(results).toHaveLength(1);
      expect(toolUsesInHistory(recorded).map((use) => use.id)).toEqual([results[0]?.toolUseId]);
    }
  });

  it("never returns Claude Code's own tools as client tool_calls, nor runs them", async () => {
    h.mock.enqueue(
      reply({ type: 'tool_use', id: 'toolu_bash', name: 'Bash', input: { command: 'touch /tmp/x' } }),
      text('I cannot run commands here.'),
    );
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [question],
      tools,
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: 'I cannot run commands here.' },
    });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(offeredTools(request(0)).every((name) => name.startsWith('mcp__client__'))).toBe(true);
    // Claude Code refused the call (there is no Bash here) and the model answered again.
    expect(toolResults(request(1))).toEqual([
      { toolUseId: 'toolu_bash', text: expect.any(String), isError: true },
    ]);
  });
});

describe('tool_choice and parallel_tool_calls', () => {
  it('none: the Messages API gets tool_choice none, and a call the model makes anyway is not returned', async () => {
    h.mock.enqueue(
      reply({ type: 'text', text: 'No tools needed.' }, clientCall('get_weather', { city: 'Paris' })),
    );
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [question],
      tools,
      tool_choice: 'none',
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { content: 'No tools needed.' },
    });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
    expect(request(0).body.tool_choice).toEqual({ type: 'none' });
    // The tools stay defined: earlier turns may hold calls to them.
    expect(offeredTools(request(0))).toHaveLength(2);
  });

  it('parallel_tool_calls false: the Messages API is told so, and only the first call is returned', async () => {
    h.mock.enqueue(
      reply(clientCall('get_weather', { city: 'Paris' }), clientCall('get_time', { tz: 'CET' })),
    );
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [question],
      tools,
      parallel_tool_calls: false,
    });
    expect(request(0).body.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(functionCalls(completion.choices[0]?.message).map((call) => call.name)).toEqual(['get_weather']);
  });

  it('required: the model is told to call a tool, and sent back once when it answers in text', async () => {
    h.mock.enqueue(text('It is probably sunny.'), reply(clientCall('get_weather', { city: 'Paris' })));
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [question],
      tools,
      tool_choice: 'required',
    });
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(functionCalls(completion.choices[0]?.message)[0]?.name).toBe('get_weather');
    expect(systemText(0)).toContain('you must call at least one of the available tools');
    expect(h.mock.requests).toHaveLength(2);
    expect(userTexts(request(1)).join('\n')).toContain('you must call at least one of the available tools');
  });

  it('a named function: the model is told which Claude-side tool to call', async () => {
    h.mock.enqueue(reply(clientCall('get_time', { tz: 'CET' })));
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [question],
      tools,
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    expect(functionCalls(completion.choices[0]?.message)[0]).toEqual({
      name: 'get_time',
      arguments: '{"tz":"CET"}',
    });
    expect(systemText(0)).toContain('you must call the tool `mcp__client__get_time`');
    expect(h.mock.requests).toHaveLength(1);
  });
});

describe('invalid tool requests', () => {
  async function rejected(body: Record<string, unknown>) {
    const response = await postChat(h.origin, { model: 'sonnet', messages: [question], ...body });
    expect(response.status).toBe(400);
    return ((await response.json()) as { error: { param: string | null; type: string } }).error;
  }

  it('answers 400 naming tools[i].function.parameters for a schema that is not a valid object schema', async () => {
    const error = await rejected({
      tools: [
        tools[0],
        {
          type: 'function',
          function: { name: 'bad', parameters: { type: 'object', properties: { a: { type: 'strnig' } } } },
        },
      ],
    });
    expect(error).toMatchObject({ type: 'invalid_request_error', param: 'tools[1].function.parameters' });
    const notObject = await rejected({
      tools: [{ type: 'function', function: { name: 'bad', parameters: { type: 'array' } } }],
    });
    expect(notObject.param).toBe('tools[0].function.parameters');
  });

  it('answers 400 for a tool_choice naming an unknown function and for a tool result without its call', async () => {
    expect(
      (await rejected({ tools, tool_choice: { type: 'function', function: { name: 'nope' } } })).param,
    ).toBe('tool_choice');
    const orphan = await rejected({
      tools,
      messages: [question, { role: 'tool', tool_call_id: 'call_x', content: 'sunny' }],
    });
    expect(orphan.param).toBe('messages[1].tool_call_id');
    expect(h.mock.requests).toHaveLength(0);
  });
});
