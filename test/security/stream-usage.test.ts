import { describe, expect, it } from 'vitest';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/server.js';
import { parsePrometheus, sampleValue } from '../ops/prometheus.js';
import { bearer, chatBody, postJson } from './http.js';

const h = useHarness({ config: { GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed' } });

// Issue 15 item 1: what a run used is recorded whatever the client asked to see.
describe('usage of a stream without include_usage', () => {
  it('is recorded in the audit log although the client got no usage chunk', async () => {
    const { key, record } = h.gateway.store.keys.create({ name: 'streamer', policy: {} });
    h.mock.enqueue(text('streamed', { usage: { input_tokens: 31, output_tokens: 9 } }));
    const response = await postJson(
      h.origin,
      '/v1/chat/completions',
      chatBody('hi', { stream: true }),
      bearer(key),
    );
    const body = await response.text();
    expect(body).toContain('[DONE]');
    expect(body).not.toContain('"usage"');
    expect(h.mock.requests).toHaveLength(1);

    const rowOf = () => h.gateway.store.audit.recent(10).find((row) => row.keyId === record.id);
    // The row is written when the stream's run ends, which may be just after the last byte.
    expect(await eventually(() => rowOf() !== undefined)).toBe(true);
    expect(rowOf()).toMatchObject({ status: 200, promptTokens: 31, completionTokens: 9 });

    // Metrics count the same tokens, labelled with the surface the run came in on.
    const samples = parsePrometheus(await (await fetch(`${h.origin}/metrics`)).text());
    const tokens = (kind: string) =>
      sampleValue(samples, 'claude_gateway_tokens_total', { model: 'sonnet', kind, surface: 'openai-chat' });
    expect([tokens('prompt'), tokens('completion')]).toEqual([31, 9]);
  });
});
