import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import { encodeSummary } from './compaction.js';
import { type InputItem, parseResponsesRequest } from './schema.js';
import { type ToPlanContext, toPlan } from './to-plan.js';

const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

const context: ToPlanContext = {
  resolveModel: (model) => (model === 'unknown' ? undefined : `claude-${model}`),
  systemPromptPlacement: 'replace',
  attachments: { maxBytes: 1_000_000, remoteImages: true },
};

const plan = (body: Record<string, unknown>, overrides: Partial<ToPlanContext> = {}) =>
  toPlan(parseResponsesRequest({ model: 'sonnet', ...body }), { ...context, ...overrides });

function rejection(run: () => unknown): { status: number; param: string | null; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError)
      return { status: error.status, param: error.param, message: error.message };
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('toPlan', () => {
  it('turns a string input into one user turn and instructions into the system prompt', () => {
    const { plan: result, inputItems } = plan({
      input: 'Hello',
      instructions: 'Be brief.',
      max_output_tokens: 50,
    });
    expect(result).toMatchObject({
      model: 'claude-sonnet',
      history: [],
      prompt: [{ type: 'text', text: 'Hello' }],
      systemPrompt: { text: 'Be brief.', placement: 'replace' },
      maxOutputTokens: 50,
      thinking: 'disabled',
      clientTools: [],
    });
    expect(inputItems).toEqual([{ type: 'message', role: 'user', content: 'Hello' }]);
  });

  it('reads messages, images, files and developer messages from input items', () => {
    const { plan: result } = plan({
      instructions: 'Base.',
      input: [
        { role: 'developer', content: 'Dev one.' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'first' }] },
        { role: 'assistant', content: [{ type: 'output_text', text: 'answer', annotations: [] }] },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'look' },
            { type: 'input_image', image_url: `data:image/png;base64,${PNG_1PX}` },
            { type: 'input_image', image_url: 'https://example.com/cat.png' },
            {
              type: 'input_file',
              filename: 'notes.txt',
              file_data: `data:text/plain;base64,${Buffer.from('note').toString('base64')}`,
            },
          ],
        },
      ],
    });
    expect(result.systemPrompt).toEqual({ text: 'Base.\n\nDev one.', placement: 'replace' });
    expect(result.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'first' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'answer' }] },
    ]);
    expect(result.prompt).toEqual([
      { type: 'text', text: 'look' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_1PX } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
      {
        type: 'document',
        source: { type: 'text', media_type: 'text/plain', data: 'note' },
        title: 'notes.txt',
      },
    ]);
  });

  it('puts instructions into the first user turn with that placement', () => {
    const { plan: result } = plan(
      {
        instructions: 'Base.',
        input: [
          { role: 'user', content: 'a' },
          { role: 'assistant', content: 'b' },
          { role: 'user', content: 'c' },
        ],
      },
      { systemPromptPlacement: 'first-user-turn' },
    );
    expect(result.systemPrompt).toEqual({ text: '', placement: 'append' });
    expect(result.history[0]?.content[0]).toEqual({
      type: 'text',
      text: '<instructions>\nBase.\n</instructions>',
    });
  });

  it('continues after function calls: calls become tool_use, outputs tool_result, reasoning is ignored', () => {
    const { plan: result } = plan({
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'x' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '18C' },
      ],
    });
    expect(result.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'call_1', name: 'mcp__client__get_weather', input: { city: 'Paris' } },
        ],
      },
    ]);
    expect(result.prompt).toEqual([
      { type: 'tool_result', tool_use_id: 'call_1', content: [{ type: 'text', text: '18C' }] },
    ]);
    expect(result.clientTools).toEqual([
      {
        name: 'get_weather',
        description: '',
        inputSchema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ]);
  });

  it('rejects an unanswered call and an output without its call, naming the item', () => {
    expect(
      rejection(() =>
        plan({
          input: [
            { role: 'user', content: 'x' },
            { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
            { role: 'user', content: 'y' },
          ],
        }),
      ),
    ).toMatchObject({ status: 400, param: 'input[1]' });
    expect(
      rejection(() => plan({ input: [{ type: 'function_call_output', call_id: 'nope', output: '' }] })),
    ).toMatchObject({
      status: 400,
      param: 'input[0].call_id',
    });
  });

  it('leaves hosted tools out and reports them; forcing one is a 400 naming tool_choice', () => {
    const tools = [
      { type: 'function', name: 'shell', parameters: { type: 'object', properties: {} } },
      { type: 'web_search' },
      { type: 'namespace', name: 'codex_apps', tools: [] },
      { type: 'mcp', server_label: 'deepwiki' },
    ];
    const { plan: result, droppedTools } = plan({ input: 'hi', tools });
    expect(result.clientTools.map((tool) => tool.name)).toEqual(['shell']);
    expect(droppedTools).toEqual(['web_search', 'namespace:codex_apps', 'mcp:deepwiki']);
    expect(rejection(() => plan({ input: 'hi', tools, tool_choice: { type: 'web_search' } }))).toMatchObject({
      status: 400,
      param: 'tool_choice',
    });
    expect(
      rejection(() => plan({ input: 'hi', tools: [{ type: 'web_search' }], tool_choice: 'required' })),
    ).toMatchObject({
      status: 400,
      param: 'tool_choice',
    });
    expect(
      plan({
        input: 'hi',
        tools,
        tool_choice: { type: 'function', name: 'shell' },
        parallel_tool_calls: false,
      }).plan.clientToolPolicy,
    ).toEqual({
      choice: { name: 'shell' },
      parallel: false,
    });
  });

  it('maps text.format, reasoning and rejects what cannot be honoured', () => {
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
    expect(
      plan({ input: 'x', text: { format: { type: 'json_schema', name: 'n', schema } } }).plan.outputSchema,
    ).toEqual(schema);
    expect(plan({ input: 'x', text: { format: { type: 'json_object' } } }).plan.outputSchema).toEqual({
      type: 'object',
      additionalProperties: true,
    });
    const reasoning = plan({ input: 'x', reasoning: { effort: 'high', summary: 'auto' } });
    expect(reasoning.plan).toMatchObject({ thinking: 'default', effort: 'high' });
    expect(reasoning.reasoningRequested).toBe(true);
    expect(plan({ input: 'x', reasoning: { effort: 'none' } }).reasoningRequested).toBe(false);
    expect(rejection(() => plan({ input: 'x', reasoning: { effort: 'huge' } }))).toMatchObject({
      param: 'reasoning.effort',
    });
    expect(
      rejection(() =>
        plan({ input: 'x', text: { format: { type: 'json_schema', name: 'n', schema: { type: 'array' } } } }),
      ),
    ).toMatchObject({
      param: 'text.format.schema',
    });
    expect(rejection(() => plan({ input: 'x', background: true, store: false }))).toMatchObject({
      param: 'store',
    });
    expect(rejection(() => plan({ input: [{ type: 'web_search_call', id: 'ws_1' }] }))).toMatchObject({
      param: 'input[0].type',
    });
    expect(rejection(() => plan({ model: 'unknown', input: 'x' }))).toMatchObject({
      status: 404,
      param: 'model',
    });
    expect(
      rejection(() =>
        plan({ input: [{ role: 'user', content: [{ type: 'input_image', file_id: 'file_1' }] }] }),
      ),
    ).toMatchObject({
      param: 'input[0].content[0].image_url',
    });
  });

  it('builds the same turns from a stored chain as from the same history resent whole', () => {
    const first: InputItem[] = [{ type: 'message', role: 'user', content: 'Weather?' }];
    const output: InputItem[] = [
      { type: 'reasoning' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Checking.' }] },
      { type: 'function_call', call_id: 'call_9', name: 'get_weather', arguments: '{"city":"Paris"}' },
    ];
    const next = [{ type: 'function_call_output', call_id: 'call_9', output: 'sunny' }];
    const chained = plan(
      { previous_response_id: 'resp_1', input: next },
      { previousItems: [...first, ...output] },
    );
    const resent = plan({ input: [...first, ...output, ...next] });
    expect(chained.plan.history).toEqual(resent.plan.history);
    expect(chained.plan.prompt).toEqual(resent.plan.prompt);
    expect(chained.plan.history[1]?.content).toEqual([
      { type: 'text', text: 'Checking.' },
      { type: 'tool_use', id: 'call_9', name: 'mcp__client__get_weather', input: { city: 'Paris' } },
    ]);
    expect(chained.inputItems).toEqual(next);
  });

  it('plans a request ending with a compaction_trigger as a summary of everything before it', () => {
    const planned = plan({
      input: [
        { role: 'developer', content: 'You are Codex.' },
        { role: 'user', content: 'Rename foo to bar.' },
        { type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"cmd":"grep foo"}' },
        { type: 'function_call_output', call_id: 'c1', output: 'a.ts: foo' },
        { type: 'compaction_trigger' },
      ],
      tools: [{ type: 'function', name: 'shell' }],
    });
    expect(planned.compaction).toBe(true);
    expect(planned.plan.clientTools).toEqual([]);
    expect(planned.plan.history).toEqual([]);
    const [prompt] = planned.plan.prompt;
    const text = prompt?.type === 'text' ? prompt.text : '';
    expect(text).toContain('[user]\nRename foo to bar.');
    expect(text).toContain('[assistant called shell (call c1)]\n{"cmd":"grep foo"}');
    expect(text).toContain('[result of call c1]\na.ts: foo');
    // Instructions are the client's to send again: they are not summarized.
    expect(text).not.toContain('You are Codex.');
    expect(planned.plan.systemPrompt?.text).toContain('handoff summary');
  });

  it('reads a compaction item as a user turn holding its summary, and refuses one it did not make', () => {
    const summary = encodeSummary('The user wants foo renamed to bar; a.ts has one use.');
    const planned = plan({
      input: [
        { role: 'user', content: 'Rename foo to bar.' },
        { type: 'compaction', encrypted_content: summary },
      ],
    });
    expect(planned.plan.prompt).toEqual([
      { type: 'text', text: 'Rename foo to bar.' },
      {
        type: 'text',
        text: expect.stringContaining('The user wants foo renamed to bar; a.ts has one use.'),
      },
    ]);
    expect(
      rejection(() => plan({ input: [{ type: 'compaction', encrypted_content: 'gAAAA-openai-made-this' }] })),
    ).toMatchObject({ status: 400, param: 'input[0].encrypted_content' });
    expect(
      rejection(() => plan({ input: [{ type: 'compaction_trigger' }, { role: 'user', content: 'hi' }] })),
    ).toMatchObject({ param: 'input[0].type' });
  });
});
