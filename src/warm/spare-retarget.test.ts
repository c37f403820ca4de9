import type { Query } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { retargetSpare } from './spare-retarget.js';

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
