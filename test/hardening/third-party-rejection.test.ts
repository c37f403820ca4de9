import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { THIRD_PARTY_REJECTION_MESSAGE, thirdPartyRejection } from '../mock-anthropic/server.js';
import { parsePrometheus, sampleValue } from '../ops/prometheus.js';
import { chatBody, postJson, readError } from '../security/http.js';

const h = useHarness();
const CODE = 'upstream_third_party_rejected';

async function rejections(): Promise<number> {
  const samples = parsePrometheus(await (await fetch(`${h.origin}/metrics`)).text());
  return sampleValue(samples, 'claude_gateway_errors_total', { kind: CODE }) ?? 0;
}

describe('Anthropic refusing the traffic as a third-party app', () => {
  it('gets its own code, a message saying what to try, a metric and a line in /health', async () => {
    const before = await json(await fetch(`${h.origin}/health`));
    expect(before.upstream.third_party_rejections).toEqual({ count: 0, last_at: null });

    // Anthropic answers every attempt the same way (Claude Code retries once).
    h.mock.setHandler(() => thirdPartyRejection());
    const reply = await readError(await postJson(h.origin, '/v1/chat/completions', chatBody('hello')));
    expect(reply.status).toBe(403);
    expect(reply.error).toMatchObject({ type: 'permission_error', code: CODE });
    expect(reply.error.message).toContain('SYSTEM_PROMPT_PLACEMENT');
    expect(reply.error.message).toContain(THIRD_PARTY_REJECTION_MESSAGE);
    expect(reply.headers.get('x-should-retry')).toBe('false');
    expect(h.mock.requests.length).toBeGreaterThan(0);

    expect(await rejections()).toBe(1);
    const health = await json(await fetch(`${h.origin}/health`));
    expect(health.upstream.third_party_rejections.count).toBe(1);
    expect(Date.parse(health.upstream.third_party_rejections.last_at)).not.toBeNaN();
  });

  it('arrives as the same error inside a stream', async () => {
    // Anthropic answers every attempt the same way (Claude Code retries once).
    h.mock.setHandler(() => thirdPartyRejection());
    const response = await postJson(h.origin, '/v1/chat/completions', chatBody('hello', { stream: true }));
    if (response.headers.get('content-type')?.startsWith('application/json')) {
      expect((await readError(response)).error.code).toBe(CODE);
    } else {
      const sse = await readSse(response);
      const errors = sse.events.map((event) => event.data).filter((frame) => frame.error);
      expect(errors.map((frame) => frame.error.code)).toEqual([CODE]);
    }
    expect(await rejections()).toBe(2);
    expect((await json(await fetch(`${h.origin}/health`))).upstream.third_party_rejections.count).toBe(2);
  });
});
