import type { Query } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { retargetSpare } from './retarget-spare.js';

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
      flagSettings: { effortLevel: 'high', env: { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50' } },
      unlimitedThinking: true,
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
    const env = { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50', CLAUDE_CODE_EXTRA_BODY: '{"a":1}' };
    await retargetSpare(query, { model: 'sonnet', flagSettings: { env } });
    expect(sent).toEqual([
      {
        applyFlagSettings: {
          env: { CLAUDE_CODE_MAX_OUTPUT_TOKENS: '50', CLAUDE_CODE_EXTRA_BODY: '{"a":1}' },
        },
      },
    ]);
  });

  it('sends only what the plan names, and nothing when it names nothing', async () => {
    const { query, sent } = fakeQuery();
    await retargetSpare(query, { model: 'sonnet', flagSettings: { effortLevel: 'low' } });
    expect(sent).toEqual([{ applyFlagSettings: { effortLevel: 'low' } }]);
    await retargetSpare(query, { model: 'sonnet' });
    expect(sent).toHaveLength(1);
  });

  it('refuses (so the run starts cold) when the SDK has no way to send the control request', async () => {
    const { query, sent } = fakeQuery(false);
    await expect(retargetSpare(query, { model: 'sonnet', systemPrompt: 'x' })).rejects.toThrow(
      /another system prompt/,
    );
    expect(sent).toEqual([]);
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
