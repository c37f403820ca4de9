import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import { createModelCatalog } from '../../../core/model-catalog.js';
import { checkToolCallPairing, toClientToolPolicy, toClientTools } from './map-client-tools.js';
import { type ChatCompletionRequest, chatCompletionRequestSchema } from './schema.js';
import { type ToClaudeContext, toRunPlan } from './to-plan.js';

const context: ToClaudeContext = {
  models: createModelCatalog(['sonnet']),
  systemPromptPlacement: 'replace',
  maxImageBytes: 1024,
  remoteImages: false,
};

function request(body: Record<string, unknown>): ChatCompletionRequest {
  return chatCompletionRequestSchema.parse({
    model: 'sonnet',
    messages: [{ role: 'user', content: 'hi' }],
    ...body,
  });
}

function errorOf(action: () => unknown): GatewayError {
  try {
    action();
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

function fn(name: string, parameters?: Record<string, unknown>) {
  return {
    type: 'function',
    function: { name, description: `${name} tool`, ...(parameters ? { parameters } : {}) },
  };
}

const weather = fn('get_weather', {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { city: { type: 'string' } },
  required: ['city'],
});

describe('toClientTools', () => {
  it('keeps name, description and the JSON schema as sent (minus its $schema declaration)', () => {
    expect(toClientTools(request({ tools: [weather, fn('ping')] }))).toEqual([
      {
        name: 'get_weather',
        description: 'get_weather tool',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
      { name: 'ping', description: 'ping tool', inputSchema: { type: 'object', properties: {} } },
    ]);
  });

  it.each([
    ['a non-object type', { type: 'string' }],
    ['properties that are not an object', { type: 'object', properties: [] }],
    ['an unknown type name', { type: 'object', properties: { a: { type: 'strnig' } } }],
    ['required that is not a list', { type: 'object', required: 'a' }],
    ['an unknown $schema', { $schema: 'https://example.com/my-schema', type: 'object' }],
  ])('rejects parameters with %s: 400 naming tools[i].function.parameters', (_label, parameters) => {
    const error = errorOf(() => toClientTools(request({ tools: [fn('ok'), fn('bad', parameters)] })));
    expect(error.status).toBe(400);
    expect(error.param).toBe('tools[1].function.parameters');
    expect(error.code).toBe('invalid_function_parameters');
    expect(error.message).toContain("'bad'");
  });

  it('rejects two tools with the same name', () => {
    const error = errorOf(() => toClientTools(request({ tools: [fn('a'), fn('a')] })));
    expect(error.status).toBe(400);
    expect(error.param).toBe('tools[1].function.name');
  });
});

describe('toClientToolPolicy', () => {
  const tools = toClientTools(request({ tools: [weather] }));

  it('maps auto, none, required and a named function, with parallel calls unless turned off', () => {
    expect(toClientToolPolicy(request({}), tools)).toEqual({ choice: 'auto', parallel: true });
    expect(toClientToolPolicy(request({ tool_choice: 'none' }), tools)).toEqual({
      choice: 'none',
      parallel: true,
    });
    expect(
      toClientToolPolicy(request({ tool_choice: 'required', parallel_tool_calls: false }), tools),
    ).toEqual({
      choice: 'required',
      parallel: false,
    });
    expect(
      toClientToolPolicy(
        request({ tool_choice: { type: 'function', function: { name: 'get_weather' } } }),
        tools,
      ),
    ).toEqual({ choice: { name: 'get_weather' }, parallel: true });
  });

  it('rejects a named function that is not among the tools, and required without tools', () => {
    const unknown = errorOf(() =>
      toClientToolPolicy(request({ tool_choice: { type: 'function', function: { name: 'nope' } } }), tools),
    );
    expect([unknown.status, unknown.param]).toEqual([400, 'tool_choice']);
    const required = errorOf(() => toClientToolPolicy(request({ tool_choice: 'required' }), []));
    expect([required.status, required.param]).toEqual([400, 'tool_choice']);
  });
});

describe('checkToolCallPairing', () => {
  const call = (id: string) => ({ id, type: 'function', function: { name: 'get_weather', arguments: '{}' } });

  it('accepts every call answered (results in any order, system messages between)', () => {
    const { messages } = request({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
        { role: 'tool', tool_call_id: 'b', content: '2' },
        { role: 'system', content: 'note' },
        { role: 'tool', tool_call_id: 'a', content: '1' },
        { role: 'user', content: 'thanks' },
      ],
    });
    expect(() => checkToolCallPairing(messages)).not.toThrow();
  });

  it('rejects a tool message that answers no call of the assistant message before it', () => {
    const { messages } = request({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [call('a')] },
        { role: 'tool', tool_call_id: 'zzz', content: '1' },
      ],
    });
    const error = errorOf(() => checkToolCallPairing(messages));
    expect([error.status, error.param]).toEqual([400, 'messages[2].tool_call_id']);
  });

  it('rejects calls left unanswered before the conversation goes on', () => {
    const { messages } = request({
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
        { role: 'tool', tool_call_id: 'a', content: '1' },
        { role: 'user', content: 'go on' },
      ],
    });
    const error = errorOf(() => checkToolCallPairing(messages));
    expect([error.status, error.param]).toEqual([400, 'messages[1].tool_calls']);
    expect(error.message).toContain("'b'");
  });
});

describe('tool history in the run plan', () => {
  it('makes assistant tool_calls Claude tool_use blocks and tool messages one user turn of tool_results', () => {
    const plan = toRunPlan(
      request({
        tools: [weather],
        tool_choice: 'auto',
        messages: [
          { role: 'user', content: 'Weather in Paris and Rome?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              {
                id: 'call_1',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
              },
              {
                id: 'call_2',
                type: 'function',
                function: { name: 'get_weather', arguments: '{"city":"Rome"}' },
              },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: 'rain' }] },
        ],
      }),
      context,
    );
    expect(plan.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris and Rome?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'mcp__client__get_weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'call_2', name: 'mcp__client__get_weather', input: { city: 'Rome' } },
        ],
      },
    ]);
    expect(plan.prompt).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
      { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: 'rain' }] },
    ]);
    expect(plan.clientToolPolicy).toEqual({ choice: 'auto', parallel: true });
  });

  it('puts tool results before a user message that follows them, and sends an empty result without text', () => {
    const plan = toRunPlan(
      request({
        tools: [weather],
        messages: [
          { role: 'user', content: 'Weather?' },
          {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [{ id: 'c', type: 'function', function: { name: 'get_weather', arguments: '' } }],
          },
          { role: 'tool', tool_call_id: 'c', content: '' },
          { role: 'user', content: 'And tomorrow?' },
        ],
      }),
      context,
    );
    expect(plan.history[1]?.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'c', name: 'mcp__client__get_weather', input: {} },
    ]);
    expect(plan.prompt).toEqual([
      { type: 'tool_result', tool_use_id: 'c', content: [] },
      { type: 'text', text: 'And tomorrow?' },
    ]);
  });

  it('has no tool policy without tools', () => {
    expect(toRunPlan(request({ tool_choice: 'none' }), context).clientToolPolicy).toBeUndefined();
  });
});
