import type { HookCallback, Options } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import type { ClientToolPolicy, RunPlan } from '../../contract/run-plan.js';
import {
  clientToolOptions,
  messagesApiToolChoice,
  mustCallInstruction,
  withExtraBody,
  withSystemText,
} from './client-tool-options.js';

function plan(extra: Partial<RunPlan> = {}): RunPlan {
  return {
    model: 'claude-sonnet-4-5',
    history: [],
    prompt: [{ type: 'text', text: 'hi' }],
    thinking: 'disabled',
    clientTools: [
      { name: 'get_weather', description: 'Weather', inputSchema: { type: 'object', properties: {} } },
    ],
    ...extra,
  };
}

const base: Options = {
  tools: [],
  env: { PATH: '/bin' },
  systemPrompt: { type: 'custom', prompt: 'Be brief.' },
};

describe('clientToolOptions', () => {
  it('leaves a run without client tools alone', () => {
    const options = clientToolOptions(plan({ clientTools: [] }), base);
    expect(options).toBe(base);
  });

  it('adds the client MCP server, allows its tools without a prompt, enables no built-in tool, and bounds the loop', () => {
    const options = clientToolOptions(plan(), base);
    expect(Object.keys(options.mcpServers ?? {})).toEqual(['client']);
    expect(options.allowedTools).toEqual(['mcp__client']);
    expect(options.tools).toEqual([]);
    expect(options.maxTurns).toBe(2);
    expect(options.env).toEqual({ PATH: '/bin', ENABLE_TOOL_SEARCH: 'false' });
    expect(options.systemPrompt).toEqual(base.systemPrompt);
    expect(options.hooks).toBeUndefined();
  });

  it('sends tool_choice none and disable_parallel_tool_use to the Messages API through the extra body', () => {
    const none = clientToolOptions(plan({ clientToolPolicy: { choice: 'none', parallel: true } }), base);
    expect(JSON.parse(none.env?.CLAUDE_CODE_EXTRA_BODY ?? '')).toEqual({ tool_choice: { type: 'none' } });
    const single = clientToolOptions(plan({ clientToolPolicy: { choice: 'auto', parallel: false } }), base);
    expect(JSON.parse(single.env?.CLAUDE_CODE_EXTRA_BODY ?? '')).toEqual({
      tool_choice: { type: 'auto', disable_parallel_tool_use: true },
    });
  });

  it('makes required an instruction plus a Stop hook that sends the model back once, with room for that second response', async () => {
    const options = clientToolOptions(
      plan({ clientToolPolicy: { choice: 'required', parallel: true } }),
      base,
    );
    expect(options.systemPrompt).toEqual({
      type: 'custom',
      prompt: `Be brief.\n\n${mustCallInstruction({ choice: 'required', parallel: true })}`,
    });
    expect(options.maxTurns).toBe(2);
    const hook = options.hooks?.Stop?.[0]?.hooks[0] as HookCallback;
    const stop = { hook_event_name: 'Stop', session_id: 's', transcript_path: '', cwd: '' };
    const signal = new AbortController().signal;
    expect(await hook({ ...stop, stop_hook_active: false } as never, undefined, { signal })).toMatchObject({
      decision: 'block',
      reason: expect.stringContaining('must call'),
    });
    expect(await hook({ ...stop, stop_hook_active: true } as never, undefined, { signal })).toEqual({});
  });

  it('keeps the turns of agent runs and structured output', () => {
    const agent = { cwd: '/w', tools: ['Read'], permissionMode: 'default' as const, maxTurns: 7 };
    expect(clientToolOptions(plan({ agent }), { ...base, maxTurns: 7 }).maxTurns).toBe(7);
    expect(clientToolOptions(plan({ outputSchema: { type: 'object' } }), base).maxTurns).toBeUndefined();
  });
});

describe('policy mapping', () => {
  const policy = (choice: ClientToolPolicy['choice'], parallel = true): ClientToolPolicy => ({
    choice,
    parallel,
  });

  it('gives the Messages API only what it can honour while thinking is on', () => {
    expect(messagesApiToolChoice(policy('auto'))).toBeUndefined();
    expect(messagesApiToolChoice(policy('required'))).toBeUndefined();
    expect(messagesApiToolChoice(policy({ name: 'x' }))).toBeUndefined();
    expect(messagesApiToolChoice(policy('none', false))).toEqual({ type: 'none' });
    expect(messagesApiToolChoice(policy('required', false))).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
  });

  it('names the Claude-side tool the model must call', () => {
    expect(mustCallInstruction(policy({ name: 'get_time' }))).toContain('`mcp__client__get_time`');
    expect(mustCallInstruction(policy('auto'))).toBeUndefined();
    expect(mustCallInstruction(policy('none'))).toBeUndefined();
  });

  it("merges tool_choice into the operator's own extra body", () => {
    expect(JSON.parse(withExtraBody('{"metadata":{"user_id":"u"}}', { type: 'none' }))).toEqual({
      metadata: { user_id: 'u' },
      tool_choice: { type: 'none' },
    });
    expect(JSON.parse(withExtraBody('not json', { type: 'none' }))).toEqual({
      tool_choice: { type: 'none' },
    });
  });

  it('appends to every system prompt form', () => {
    expect(withSystemText(undefined, 'X')).toBe('X');
    expect(withSystemText('', 'X')).toBe('X');
    expect(withSystemText('A', 'X')).toBe('A\n\nX');
    expect(withSystemText(['A'], 'X')).toEqual(['A', 'X']);
    expect(withSystemText({ type: 'preset', preset: 'claude_code' }, 'X')).toEqual({
      type: 'preset',
      preset: 'claude_code',
      append: 'X',
    });
    expect(withSystemText({ type: 'custom', prompt: ['A'] }, 'X')).toEqual({
      type: 'custom',
      prompt: ['A', 'X'],
    });
  });
});
