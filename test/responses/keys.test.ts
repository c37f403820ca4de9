/**
 * The Responses surface under API keys: key policy and the audit log apply as for chat, and stored
 * responses belong to the key that created them.
 */
import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/server.js';
import { bearer, postJson, readError } from '../security/http.js';

const h = useHarness({ config: { GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed' } });

const respond = (key: string, body: Record<string, unknown>) =>
  postJson(h.origin, '/v1/responses', { model: 'sonnet', ...body }, bearer(key));

describe('responses under API keys', () => {
  it('needs a key, applies its allowed models, and audits the run with its tokens', async () => {
    const unauthenticated = await postJson(h.origin, '/v1/responses', { model: 'sonnet', input: 'hi' }, {});
    expect(unauthenticated.status).toBe(401);

    const { key, record } = h.gateway.store.keys.create({
      name: 'haiku-only',
      policy: { models: ['haiku'] },
    });
    const denied = await readError(await respond(key, { input: 'hi' }));
    expect(denied.status).toBe(403);
    expect(denied.error).toMatchObject({ code: 'model_not_allowed', param: 'model' });
    expect(h.mock.requests).toHaveLength(0);

    h.mock.enqueue(text('fine', { usage: { input_tokens: 20, output_tokens: 7 } }));
    expect((await respond(key, { model: 'haiku', input: 'hi' })).status).toBe(200);
    const [entry] = h.gateway.store.audit
      .recent(10)
      .filter((row) => row.keyId === record.id && row.status === 200);
    expect(entry).toMatchObject({ path: '/v1/responses', completionTokens: 7 });
  });

  it('keeps a stored response to the key that created it', async () => {
    const alice = h.gateway.store.keys.create({ name: 'alice', policy: {} }).key;
    const bob = h.gateway.store.keys.create({ name: 'bob', policy: {} }).key;
    h.mock.enqueue(text('Hi Alice.'));
    const created = await json(await respond(alice, { input: 'I am Alice.' }));
    const get = (key: string) => fetch(`${h.origin}/v1/responses/${created.id}`, { headers: bearer(key) });

    expect((await get(alice)).status).toBe(200);
    expect((await get(bob)).status).toBe(404);
    const continued = await readError(
      await respond(bob, { previous_response_id: created.id, input: 'Who am I?' }),
    );
    expect(continued.status).toBe(404);
    expect(continued.error).toMatchObject({ param: 'previous_response_id', code: 'response_not_found' });
    expect(h.mock.requests).toHaveLength(1);
  });
});
