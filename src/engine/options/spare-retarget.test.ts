import type { Options, Query } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { planRetarget, retargetSpare } from './spare-retarget.js';

/** Records what reaches the process: control requests, flag settings and thinking limits. */
function fakeQuery(withRequest = true) {
  const sent: unknown[] = [];
  const query = {
    ...(withRequest
      ? {
          async request(request: Record<string, unknown>) {
            sent.push(request);
            return { subtype: 'success' };
          },
        }
      : {}),
    async applyFlagSettings(settings: Record<string, unknown>) {
      sent.push({ applyFlagSettings: settings });
    },
    async setMaxThinkingTokens(tokens: number | null) {
      sent.push({ setMaxThinkingTokens: tokens });
    },
  };
  return { query: query as unknown as Query, sent };
}

describe('retargetSpare', () => {
  it('replaces the system prompt without switching the model, then effort, limit and thinking', async () => {
    const { query, sent } = fakeQuery();
    await retargetSpare(query, {
      model: 'sonnet',
      systemPrompt: 'You are a pirate.',
      effort: 'high',
      maxOutputTokens: '50',
      enableThinking: true,
    });
    expect(sent).toEqual([
      {
        subtype: 'set_model',
        model: 'sonnet',
        only_if_model_is_current: true,
        system_prompt: 'You are a pirate.',
      },
      { applyFlagSettings: { effortLevel: 'high', env: { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' } } },
      { setMaxThinkingTokens: null },
    ]);
  });

  it('sends the extra request body with the limit, as flag settings env', async () => {
    const { query, sent } = fakeQuery();
    await retargetSpare(query, { model: 'sonnet', maxOutputTokens: '50', extraBody: '{"a":1}' });
    expect(sent).toEqual([
      {
        applyFlagSettings: {
          env: { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50', CLAUDE_CODE_EXTRA_BODY: '{"a":1}' },
        },
      },
    ]);
  });

  it('sends only what differs', async () => {
    const { query, sent } = fakeQuery();
    await retargetSpare(query, { model: 'sonnet', effort: 'low' });
    expect(sent).toEqual([{ applyFlagSettings: { effortLevel: 'low' } }]);
  });

  it('refuses (so the run starts cold) when the SDK has no way to send the control request', async () => {
    const { query, sent } = fakeQuery(false);
    await expect(retargetSpare(query, { model: 'sonnet', systemPrompt: 'x' })).rejects.toThrow(
      /another system prompt/,
    );
    expect(sent).toEqual([]);
  });
});

describe('planRetarget', () => {
  /** A plain-chat spare's options, as the gateway starts them. */
  const own: Options = {
    model: 'sonnet',
    cwd: '/work',
    env: { PATH: '/bin' },
    tools: [],
    systemPrompt: { type: 'custom', prompt: '', snapshot: false },
    thinking: { type: 'disabled' },
  };
  const run = (changes: Partial<Options>): Options => ({ ...own, ...changes });
  const prompt = (text: string): Options['systemPrompt'] => ({
    type: 'custom',
    prompt: text,
    snapshot: false,
  });

  it('gives the run its own prompt, effort, limit and thinking', () => {
    const { thinking: _thinking, ...thinks } = own;
    expect(
      planRetarget(own, {
        ...thinks,
        systemPrompt: prompt('You are a pirate.'),
        effort: 'high',
        env: { PATH: '/bin', CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' },
      }),
    ).toEqual({
      model: 'sonnet',
      systemPrompt: 'You are a pirate.',
      effort: 'high',
      maxOutputTokens: '50',
      enableThinking: true,
    });
    expect(planRetarget(own, run({ systemPrompt: prompt('x') }))).toEqual({
      model: 'sonnet',
      systemPrompt: 'x',
    });
  });

  it('cannot serve a run that differs elsewhere, or asks for what cannot be undone', () => {
    expect(planRetarget(own, run({ model: 'opus' }))).toBeUndefined();
    expect(planRetarget(own, run({ outputFormat: { type: 'json_schema', schema: {} } }))).toBeUndefined();
    expect(planRetarget(run({ systemPrompt: prompt('x') }), own)).toBeUndefined();
    expect(
      planRetarget(run({ env: { PATH: '/bin', CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' } }), own),
    ).toBeUndefined();
    expect(planRetarget(run({ thinking: undefined }), own)).toBeUndefined();
    expect(planRetarget(own, run({ effort: 'max' }))).toBeUndefined();
    const appended: Options['systemPrompt'] = {
      type: 'preset',
      preset: 'claude_code',
      append: 'x',
      snapshot: false,
    };
    expect(planRetarget(own, run({ systemPrompt: appended }))).toBeUndefined();
  });

  it('gives the run its extra request body (tool_choice), which is set and never taken away', () => {
    const none = JSON.stringify({ tool_choice: { type: 'none' } });
    const withBody = run({ env: { PATH: '/bin', CLAUDE_CODE_EXTRA_BODY: none } });
    expect(planRetarget(own, withBody)).toEqual({ model: 'sonnet', extraBody: none });
    expect(planRetarget(withBody, own)).toBeUndefined();
  });

  it('hands the run its in-process MCP servers, whatever tools they hold', () => {
    const client = { type: 'sdk' as const, name: 'client', instance: {} as never };
    expect(planRetarget(own, run({ mcpServers: { client } }))).toEqual({
      model: 'sonnet',
      mcpServers: { client },
    });
  });
});

describe('retargetSpare with MCP servers', () => {
  const client = { type: 'sdk' as const, name: 'client', instance: {} as never };

  function serverQuery(errors: Record<string, string>) {
    const added: unknown[] = [];
    const query = {
      async setMcpServers(servers: Record<string, unknown>) {
        added.push(servers);
        return { added: Object.keys(servers), removed: [], errors };
      },
    };
    return { query: query as unknown as Query, added };
  }

  it('connects the run’s servers', async () => {
    const { query, added } = serverQuery({});
    await retargetSpare(query, { model: 'sonnet', mcpServers: { client } });
    expect(added).toEqual([{ client }]);
  });

  it('fails the claim (the run starts cold) when a server does not connect', async () => {
    const { query } = serverQuery({ client: 'boom' });
    await expect(retargetSpare(query, { model: 'sonnet', mcpServers: { client } })).rejects.toThrow(
      /client: boom/,
    );
  });
});
