import type { HookCallback } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import type { ClientToolPolicy, RunPlan } from '../../contract/run-plan.js';
import type { ClaudeLaunch } from './claude-launch.js';
import { clientToolOptions, messagesApiToolChoice, mustCallInstruction } from './client-tool-options.js';
import { testLaunch } from './test-support.js';

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

const base: ClaudeLaunch = { ...testLaunch(), systemPrompt: { placement: 'replace', text: 'Be brief.' } };

describe('clientToolOptions', () => {
  it('leaves a run without client tools alone', () => {
    const options = clientToolOptions(plan({ clientTools: [] }), base);
    expect(options).toBe(base);
  });

  it('adds the client MCP server, allows its tools without a prompt, enables no built-in tool, and bounds the loop', () => {
    const launch = clientToolOptions(plan(), base);
    expect(Object.keys(launch.inProcessServers)).toEqual(['client']);
    expect(launch.awaitInitialize).toBe(true);
    expect(launch.sdk.allowedTools).toEqual(['mcp__client']);
    expect(launch.sdk.tools).toEqual([]);
    expect(launch.sdk.maxTurns).toBe(2);
    expect(launch.runEnv).toEqual({ ENABLE_TOOL_SEARCH: 'false' });
    expect(launch.extraBody).toBeUndefined();
    expect(launch.systemPrompt).toEqual(base.systemPrompt);
    expect(launch.hooks).toBeUndefined();
  });

  it('sends tool_choice none and disable_parallel_tool_use to the Messages API through the extra body', () => {
    const none = clientToolOptions(plan({ clientToolPolicy: { choice: 'none', parallel: true } }), base);
    expect(none.extraBody).toEqual({ tool_choice: { type: 'none' } });
    const single = clientToolOptions(plan({ clientToolPolicy: { choice: 'auto', parallel: false } }), base);
    expect(single.extraBody).toEqual({ tool_choice: { type: 'auto', disable_parallel_tool_use: true } });
  });

  it('makes required an instruction plus a Stop hook that sends the model back once, with room for that second response', async () => {
    const options = clientToolOptions(
      plan({ thinking: 'default', clientToolPolicy: { choice: 'required', parallel: true } }),
      base,
    );
    expect(options.extraBody).toBeUndefined();
    expect(options.systemPrompt).toEqual({
      placement: 'replace',
      text: `Be brief.\n\n${mustCallInstruction({ choice: 'required', parallel: true })}`,
    });
    expect(options.sdk.maxTurns).toBe(2);
    const hook = options.hooks?.Stop?.[0]?.hooks[0] as HookCallback;
    const stop = { hook_event_name: 'Stop', session_id: 's', transcript_path: '', cwd: '' };
    const signal = new AbortController().signal;
    expect(await hook({ ...stop, stop_hook_active: false } as never, undefined, { signal })).toMatchObject({
      decision: 'block',
      reason: expect.stringContaining('must call'),
    });
    expect(await hook({ ...stop, stop_hook_active: true } as never, undefined, { signal })).toEqual({});
  });

  it('puts the instruction after whatever system text the run has, in either placement', () => {
    const required = plan({ thinking: 'default', clientToolPolicy: { choice: 'required', parallel: true } });
    const instruction = mustCallInstruction({ choice: 'required', parallel: true });
    const empty: ClaudeLaunch = { ...base, systemPrompt: { placement: 'replace', text: '' } };
    expect(clientToolOptions(required, empty).systemPrompt).toEqual({
      placement: 'replace',
      text: instruction,
    });
    const appended: ClaudeLaunch = { ...base, systemPrompt: { placement: 'append', text: '' } };
    expect(clientToolOptions(required, appended).systemPrompt).toEqual({
      placement: 'append',
      text: instruction,
    });
  });

  it('keeps the turns of agent runs and structured output', () => {
    const agent = { cwd: '/w', tools: ['Read'], permissionMode: 'default' as const, maxTurns: 7 };
    expect(clientToolOptions(plan({ agent }), { ...base, sdk: { maxTurns: 7 } }).sdk.maxTurns).toBe(7);
    expect(clientToolOptions(plan({ outputSchema: { type: 'object' } }), base).sdk.maxTurns).toBeUndefined();
  });
});

describe('policy mapping', () => {
  const policy = (choice: ClientToolPolicy['choice'], parallel = true): ClientToolPolicy => ({
    choice,
    parallel,
  });

  it('gives the Messages API only what it can honour while thinking is on', () => {
    expect(messagesApiToolChoice(policy('auto'), false)).toBeUndefined();
    expect(messagesApiToolChoice(policy('required'), false)).toBeUndefined();
    expect(messagesApiToolChoice(policy({ name: 'x' }), false)).toBeUndefined();
    expect(messagesApiToolChoice(policy('none', false), false)).toEqual({ type: 'none' });
    expect(messagesApiToolChoice(policy('required', false), false)).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
  });

  it('lets the Messages API enforce a forced choice when thinking is off', () => {
    expect(messagesApiToolChoice(policy('required'), true)).toEqual({ type: 'any' });
    expect(messagesApiToolChoice(policy({ name: 'x' }, false), true)).toEqual({
      type: 'tool',
      name: 'mcp__client__x',
      disable_parallel_tool_use: true,
    });
    expect(messagesApiToolChoice(policy('auto'), true)).toBeUndefined();
  });

  it('sends a forced choice as the API tool_choice, without instruction or Stop hook, when thinking is off', () => {
    const launch = clientToolOptions(
      plan({ thinking: 'disabled', clientToolPolicy: { choice: { name: 'get_weather' }, parallel: true } }),
      base,
    );
    const newer = clientToolOptions(
      plan({ model: 'claude-sonnet-5-5', clientToolPolicy: { choice: 'required', parallel: true } }),
      base,
    );
    // A model Claude Code keeps thinking for gets the instruction and the Stop hook instead.
    expect(newer.extraBody).toBeUndefined();
    expect(newer.hooks?.Stop).toHaveLength(1);
    expect(launch.extraBody).toEqual({ tool_choice: { type: 'tool', name: 'mcp__client__get_weather' } });
    expect(launch.systemPrompt).toEqual(base.systemPrompt);
    expect(launch.hooks).toBeUndefined();
  });

  it('names the Claude-side tool the model must call', () => {
    expect(mustCallInstruction(policy({ name: 'get_time' }))).toContain('`mcp__client__get_time`');
    expect(mustCallInstruction(policy('auto'))).toBeUndefined();
    expect(mustCallInstruction(policy('none'))).toBeUndefined();
  });
});
