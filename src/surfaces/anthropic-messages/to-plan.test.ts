import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import { createModelCatalog } from '../../core/model-catalog.js';
import { messagesRequestSchema } from './schema.js';
import { type ToPlanContext, toRunPlan } from './to-plan.js';

const PNG =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const context: ToPlanContext = {
  models: createModelCatalog(['sonnet']),
  systemPromptPlacement: 'replace',
  attachments: { maxBytes: 10_000, remoteImages: false },
};

function plan(body: Record<string, unknown>, ctx = context) {
  return toRunPlan(messagesRequestSchema.parse({ model: 'sonnet', max_tokens: 1024, ...body }), ctx);
}

function errorOf(body: Record<string, unknown>, ctx = context): GatewayError {
  try {
    plan(body, ctx);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('Anthropic request to run plan', () => {
  it('takes the system prompt from a string or text blocks, without Claude Code’s billing line', () => {
    expect(plan({ system: 'Be brief.', messages: [{ role: 'user', content: 'hi' }] }).systemPrompt).toEqual({
      text: 'Be brief.',
      placement: 'replace',
    });
    const fromClaudeCode = plan({
      system: [
        {
          type: 'text',
          text: 'x-anthropic-billing-header: cc_version=2.1.330.abc; cc_entrypoint=sdk-cli; cch=1a2b3;',
        },
        { type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } },
        { type: 'text', text: 'x-anthropic-billing-header: cch=9\nSecond block.' },
      ],
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(fromClaudeCode.systemPrompt?.text).toBe('You are Claude Code.\n\nSecond block.');
    expect(fromClaudeCode.systemPrompt?.text).not.toContain('billing');
  });

  it('puts the system text into the first user turn when configured so', () => {
    const result = plan(
      { system: 'Rules.', messages: [{ role: 'user', content: 'hi' }] },
      { ...context, systemPromptPlacement: 'first-user-turn' },
    );
    expect(result.systemPrompt).toEqual({ text: '', placement: 'append' });
    expect(result.prompt[0]).toEqual({ type: 'text', text: '<instructions>\nRules.\n</instructions>' });
  });

  it('carries a tool round trip as history plus tool results, with client tool names', () => {
    const result = plan({
      tools: [weatherTool],
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'hmm', signature: 'sig' },
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'also this' },
            { type: 'tool_result', tool_use_id: 'toolu_1', content: 'Sunny', is_error: false },
          ],
        },
      ],
    });
    expect(result.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking.' },
          { type: 'tool_use', id: 'toolu_1', name: 'mcp__client__get_weather', input: { city: 'Paris' } },
        ],
      },
    ]);
    // Tool results first, as the Messages API requires.
    expect(result.prompt).toEqual([
      { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'Sunny' }] },
      { type: 'text', text: 'also this' },
    ]);
    expect(result.clientTools).toEqual([
      { name: 'get_weather', description: 'Weather for a city', inputSchema: weatherTool.input_schema },
    ]);
    expect(result.clientToolPolicy).toEqual({ choice: 'auto', parallel: false });
  });

  it('maps every tool_choice', () => {
    const withChoice = (tool_choice: unknown) =>
      plan({ tools: [weatherTool], tool_choice, messages: [{ role: 'user', content: 'hi' }] })
        .clientToolPolicy;
    expect(withChoice({ type: 'any' })).toEqual({ choice: 'required', parallel: true });
    expect(withChoice({ type: 'tool', name: 'get_weather' })).toEqual({
      choice: { name: 'get_weather' },
      parallel: true,
    });
    expect(withChoice({ type: 'none' })).toEqual({ choice: 'none', parallel: true });
    expect(
      errorOf({
        tools: [weatherTool],
        tool_choice: { type: 'tool', name: 'nope' },
        messages: [{ role: 'user', content: 'x' }],
      }).param,
    ).toBe('tool_choice.name');
  });

  it('reads images (base64 by their bytes, URLs where allowed) and documents', () => {
    const result = plan(
      {
        messages: [
          {
            role: 'user',
            content: [
              // Declared jpeg, really a png: the bytes decide.
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: PNG } },
              { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
              {
                type: 'document',
                source: { type: 'text', media_type: 'text/plain', data: 'notes' },
                title: 'n',
              },
              {
                type: 'document',
                source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' },
              },
              { type: 'text', text: 'Describe.' },
            ],
          },
        ],
      },
      { ...context, attachments: { maxBytes: 10_000, remoteImages: true } },
    );
    expect(result.prompt).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'notes' }, title: 'n' },
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: 'JVBERi0=' } },
      { type: 'text', text: 'Describe.' },
    ]);
  });

  it('rejects what it cannot serve with a 4xx naming the field', () => {
    const image = (source: unknown) => ({
      messages: [{ role: 'user', content: [{ type: 'image', source }] }],
    });
    expect(errorOf(image({ type: 'url', url: 'https://example.com/a.png' }))).toMatchObject({
      status: 400,
      param: 'messages[0].content[0].source',
      code: 'remote_images_disabled',
    });
    expect(errorOf(image({ type: 'base64', media_type: 'image/png', data: 'aGVsbG8=' })).code).toBe(
      'invalid_image',
    );
    expect(
      errorOf(image({ type: 'base64', media_type: 'image/png', data: PNG }), {
        ...context,
        attachments: { maxBytes: 10, remoteImages: false },
      }),
    ).toMatchObject({ status: 413, kind: 'too_large' });
    expect(errorOf({ model: 'gpt-9', messages: [{ role: 'user', content: 'x' }] })).toMatchObject({
      status: 404,
      param: 'model',
    });
    expect(
      errorOf({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: 'prefill' },
        ],
      }).param,
    ).toBe('messages[1]');
    expect(
      errorOf({
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        messages: [{ role: 'user', content: 'x' }],
      }).param,
    ).toBe('tools[0].type');
    expect(
      errorOf({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_9', content: 'r' }] },
        ],
      }).param,
    ).toBe('messages[1].content[0].tool_use_id');
    expect(
      errorOf({
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 't', input: {} }] },
          { role: 'user', content: 'never answered' },
        ],
      }).param,
    ).toBe('messages[2].content');
  });

  it('maps thinking, effort, stop sequences, max_tokens and structured output', () => {
    const base = { messages: [{ role: 'user', content: 'hi' }] };
    expect(plan(base)).toMatchObject({ thinking: 'disabled', maxOutputTokens: 1024 });
    expect(plan({ ...base, thinking: { type: 'enabled', budget_tokens: 2000 } })).toMatchObject({
      thinking: 'default',
      effort: 'low',
    });
    expect(plan({ ...base, thinking: { type: 'enabled', budget_tokens: 20_000 } }).effort).toBe('high');
    expect(plan({ ...base, thinking: { type: 'adaptive' }, output_config: { effort: 'max' } })).toMatchObject(
      {
        thinking: 'default',
        effort: 'max',
      },
    );
    expect(errorOf({ ...base, output_config: { effort: 'extreme' } }).param).toBe('output_config.effort');
    expect(plan({ ...base, stop_sequences: ['END'] }).stopSequences).toEqual(['END']);
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    expect(plan({ ...base, output_format: { type: 'json_schema', schema } }).outputSchema).toEqual(schema);
    expect(
      plan({ ...base, output_config: { format: { type: 'json_schema', schema } } }).outputSchema,
    ).toEqual(schema);
  });

  it('refuses an output schema Claude Code cannot serve before any run, naming where it was sent', () => {
    const base = { messages: [{ role: 'user', content: 'hi' }] };
    const array = { type: 'array', items: { type: 'string' } };
    expect(
      errorOf({ ...base, output_config: { format: { type: 'json_schema', schema: array } } }),
    ).toMatchObject({ status: 400, code: 'invalid_json_schema', param: 'output_config.format.schema' });
    expect(errorOf({ ...base, output_format: { type: 'json_schema', schema: array } })).toMatchObject({
      status: 400,
      param: 'output_format.schema',
    });
    const uncompilable = { type: 'object', properties: { a: { type: 'nonsense' } } };
    expect(
      errorOf({ ...base, output_config: { format: { type: 'json_schema', schema: uncompilable } } }).code,
    ).toBe('invalid_json_schema');
    const schema = { type: 'object', properties: { a: { type: 'string' } } };
    const declared = { $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema };
    expect(
      plan({ ...base, output_config: { format: { type: 'json_schema', schema: declared } } }).outputSchema,
    ).toEqual(schema);
  });
});

describe('Claude Code as a client', () => {
  // Recorded from the real CLI (`claude -p "Say hi"`) against the mock Messages API.
  const recorded = messagesRequestSchema.parse(
    JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', 'claude-code-request.json'), 'utf8')),
  );

  it('reaches the model without the billing line, with its environment block and its tools as client tools', () => {
    const result = toRunPlan(recorded, { ...context, models: createModelCatalog([recorded.model]) });
    expect(result.systemPrompt?.placement).toBe('replace');
    expect(
      result.systemPrompt?.text.startsWith("You are a Claude agent, built on Anthropic's Claude Agent SDK."),
    ).toBe(true);
    expect(result.systemPrompt?.text).not.toContain('x-anthropic-billing-header');
    // The trailing `system` message (the environment block) joins the system prompt; it is no turn.
    expect(result.systemPrompt?.text).toContain('# Environment');
    expect(result.history).toEqual([]);
    expect(result.prompt.at(-1)).toEqual({ type: 'text', text: 'Say hi' });
    expect(result.clientTools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['Bash', 'Read', 'Edit', 'Write', 'Agent']),
    );
    expect(result.clientTools).toHaveLength(recorded.tools?.length ?? -1);
    expect(result.clientToolPolicy).toEqual({ choice: 'auto', parallel: true });
    expect(result.agent).toBeUndefined();
    expect(result).toMatchObject({
      thinking: 'default',
      effort: 'medium',
      maxOutputTokens: recorded.max_tokens,
    });
  });
});
