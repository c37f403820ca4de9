import { describe, expect, it } from 'vitest';
import { eventually, startHarness } from '../helpers/gateway-harness.js';
import { toolUse } from '../mock-anthropic/server.js';
import { bearer, postJson } from './http.js';

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('budget for answers the gateway ends early', () => {
  it('charges a tool-call answer (Claude Code never reports its cost) from the streamed usage', async () => {
    const h = await startHarness({ config: { GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed' } });
    try {
      const { key, record } = await h.gateway.store.keys.create({
        name: 'tools',
        policy: { budgetUsd: 100 },
      });
      h.mock.enqueue(
        toolUse(
          'mcp__client__get_weather',
          { city: 'Paris' },
          { usage: { input_tokens: 1000, output_tokens: 200 } },
        ),
      );
      const response = await postJson(
        h.origin,
        '/v1/chat/completions',
        { model: 'sonnet', tools: [weatherTool], messages: [{ role: 'user', content: 'Weather in Paris?' }] },
        bearer(key),
      );
      expect(response.status).toBe(200);
      const body = (await response.json()) as { choices: Array<{ finish_reason: string }> };
      expect(body.choices[0]?.finish_reason).toBe('tool_calls');
      // sonnet list prices: 1000 input tokens at $3/M plus 200 output tokens at $15/M.
      const charged = async () => (await h.gateway.store.keys.get(record.id))?.spentUsd ?? 0;
      expect(await eventually(async () => (await charged()) > 0, 2_000)).toBe(true);
      expect(await charged()).toBeCloseTo(0.003 + 0.003, 6);
    } finally {
      await h.close();
    }
  });
});
