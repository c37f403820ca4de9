/**
 * Client tools (OpenAI function calling) on fully started warm spares: a claimed spare is handed the
 * run's in-process MCP server and forwards its hooks to the run, so the API sees what a cold start
 * with those tools sends, and the tool_result round trip goes on as usual.
 */
import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { eventually, isAlive, useHarness } from '../helpers/gateway-harness.js';
import { type MockHandler, type RecordedRequest, text } from '../mock-anthropic/server.js';
import {
  callFirstClientToolThenAnswer,
  clientCall,
  offeredTools,
  reply,
  toolResults,
} from '../tools/tool-replies.js';

const h = useHarness({
  config: {
    WARM_SPARES: '1',
    // One spare of one kind: these tests count live processes.
    WARM_SPARES_MAX: '1',
    WARM_OPEN_SPARES: 'false',
    MAX_CONCURRENCY: '2',
    AUTH_DISABLED: 'true',
    SESSION_MAX_COUNT: '0',
    HOT_SESSIONS_MAX: '0',
  },
});

const pool = () => h.gateway.warm.pool;

async function readySpare(): Promise<number> {
  const ready = () => pool().readyCount === 1 && h.gateway.processes.livePids().length === 1;
  expect(await eventually(ready, 30_000)).toBe(true);
  const [pid] = h.gateway.processes.livePids();
  if (pid === undefined) throw new Error('no spare process');
  return pid;
}

function functionTool(name: string, description: string, parameters: Record<string, unknown>) {
  return { type: 'function' as const, function: { name, description, parameters } };
}

const weatherTools: OpenAI.Chat.ChatCompletionTool[] = [
  functionTool('get_weather', 'Current weather', {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
  }),
];
const stockSchema = {
  type: 'object',
  properties: {
    symbol: { type: 'string', description: 'Ticker' },
    exchange: { type: 'string', enum: ['NYSE', 'LSE'] },
  },
  required: ['symbol'],
  additionalProperties: false,
};
const stockTools: OpenAI.Chat.ChatCompletionTool[] = [
  functionTool('get_quote', 'Latest stock quote', stockSchema),
  functionTool('get_news', 'Headlines', { type: 'object', properties: { topic: { type: 'string' } } }),
];

function ask(
  tools: OpenAI.Chat.ChatCompletionTool[],
  system: string,
  extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming> = {},
) {
  return h.openai.chat.completions.create({
    model: 'sonnet',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: 'Look it up.' },
    ],
    tools,
    ...extra,
  });
}

/** The system blocks Claude Code sent, without its billing header (it changes per request). */
function systemBlocks(request: RecordedRequest | undefined): unknown[] {
  const system = request?.body.system;
  const blocks = typeof system === 'string' ? [{ type: 'text', text: system }] : (system ?? []);
  return blocks.filter((block) => !block.text.startsWith('x-anthropic-billing-header'));
}

/** Calls get_quote; once the last user turn carries tool results, answers with them. */
const quoteThenAnswer: MockHandler = (request) => {
  const results = toolResults(request);
  if (results.length > 0) return text(`Result: ${results.map((result) => result.text).join(' | ')}`);
  return reply(clientCall('get_quote', { symbol: 'ACME' }));
};

/**
 * Two misses in a row with function-calling requests, each with its own system prompt (they differ
 * only in what a claimed spare takes): the pool then keeps a spare of their shape.
 */
async function followFunctionCalling(
  extra: Partial<OpenAI.Chat.ChatCompletionCreateParamsNonStreaming> = {},
) {
  const plain = await readySpare();
  h.mock.setHandler(callFirstClientToolThenAnswer({ city: 'Oslo' }));
  for (let miss = 0; miss < 2; miss += 1) {
    const completion = await ask(weatherTools, `You forecast for user ${miss}.`, extra);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
  }
  expect(await eventually(() => !isAlive(plain), 10_000)).toBe(true);
  const spare = await readySpare();
  h.mock.reset();
  return spare;
}

describe('client tools on warm spares', () => {
  it('hands a claimed spare the client’s tools: the API gets a cold start’s tools and system, and tool results round-trip', async () => {
    const spare = await followFunctionCalling();
    const used = pool().counters.used;
    h.mock.setHandler(quoteThenAnswer);

    // Other tools and another system prompt than the spare started with; two at once, so one takes
    // the spare and the other starts cold: their API requests must be the same.
    const system = 'You are a stock analyst.';
    const answers = await Promise.all([ask(stockTools, system), ask(stockTools, system)]);

    expect(pool().counters.used).toBe(used + 1);
    expect(await eventually(() => !isAlive(spare))).toBe(true);
    for (const answer of answers) {
      expect(answer.choices[0]?.finish_reason).toBe('tool_calls');
      expect(answer.choices[0]?.message.tool_calls?.[0]).toMatchObject({
        type: 'function',
        function: { name: 'get_quote', arguments: '{"symbol":"ACME"}' },
      });
    }
    expect(h.mock.requests).toHaveLength(2);
    const [first, second] = h.mock.requests;
    expect(offeredTools(first as RecordedRequest).sort()).toEqual([
      'mcp__client__get_news',
      'mcp__client__get_quote',
    ]);
    expect(first?.body.tools?.find((tool) => tool.name === 'mcp__client__get_quote')).toMatchObject({
      description: 'Latest stock quote',
      input_schema: stockSchema,
    });
    expect(first?.body.tools).toEqual(second?.body.tools);
    expect(JSON.stringify(systemBlocks(first))).toContain(system);
    expect(systemBlocks(first)).toEqual(systemBlocks(second));
    expect(first?.body.model).toBe(second?.body.model);

    // The continuation: the client ran the tool; its result reaches the model as a tool_result.
    const assistant = answers[0]?.choices[0]?.message;
    const call = assistant?.tool_calls?.[0];
    if (!assistant || !call) throw new Error('expected a tool call');
    const followUp = await h.openai.chat.completions.create({
      model: 'sonnet',
      tools: stockTools,
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: 'Look it up.' },
        assistant,
        { role: 'tool', tool_call_id: call.id, content: 'ACME 42.00' },
      ],
    });
    expect(followUp.choices[0]?.message.content).toBe('Result: ACME 42.00');
    const last = h.mock.requests.at(-1) as RecordedRequest;
    expect(toolResults(last)).toEqual([{ toolUseId: call.id, text: 'ACME 42.00', isError: false }]);
  });

  it('gives a spare started for tool_choice auto the Messages API tool_choice of none and of no parallel calls', async () => {
    await followFunctionCalling();
    for (const [extra, apiChoice] of [
      [{ tool_choice: 'none' as const }, { type: 'none' }],
      [{ parallel_tool_calls: false }, { type: 'auto', disable_parallel_tool_use: true }],
    ] as const) {
      // Each takes a spare of the pool's function-calling shape (tool_choice auto).
      await readySpare();
      h.mock.reset();
      const used = pool().counters.used;
      h.mock.enqueue(text('no tools needed'));

      const answer = await ask(stockTools, 'You are a stock analyst.', extra);

      expect(answer.choices[0]?.message.content).toBe('no tools needed');
      expect(pool().counters.used).toBe(used + 1);
      expect(h.mock.requests).toHaveLength(1);
      const body = h.mock.requests[0]?.body as { tool_choice?: unknown } | undefined;
      expect(body?.tool_choice).toEqual(apiChoice);
      expect(offeredTools(h.mock.requests[0] as RecordedRequest).sort()).toEqual([
        'mcp__client__get_news',
        'mcp__client__get_quote',
      ]);
    }
  });

  it('routes a claimed spare’s Stop hook to its run: tool_choice required sends the model back once', async () => {
    const required = { tool_choice: 'required' as const };
    await followFunctionCalling(required);
    const used = pool().counters.used;
    // Text first: the run's Stop hook (reached through the spare's routed hook) sends the model back.
    let calls = 0;
    h.mock.setHandler((request) => {
      calls += 1;
      return calls === 1 ? text('I would rather chat.') : quoteThenAnswer(request);
    });

    const answer = await ask(stockTools, 'You are a stock analyst.', required);

    expect(pool().counters.used).toBe(used + 1);
    expect(answer.choices[0]?.finish_reason).toBe('tool_calls');
    expect(answer.choices[0]?.message.tool_calls?.[0]?.type).toBe('function');
    expect(h.mock.requests).toHaveLength(2);
    expect(JSON.stringify(h.mock.requests[1]?.body.messages)).toContain(
      'you must call at least one of the available tools',
    );
  });
});
