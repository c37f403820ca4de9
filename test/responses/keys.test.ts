/**
 * The Responses surface under API keys: key policy and the audit log apply as for chat, and stored
 * responses belong to the key that created them.
 */
import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/server.js';
import { bearer, postJson, readError } from '../security/http.js';

const h = useHarness({ config: { GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed' } });

const respond = (key: string, body: Record<string, unknown>) =>
  postJson(h.origin, '/v1/responses', { model: 'sonnet', ...body }, bearer(key));

describe('responses under API keys', () => {
  it('needs a key, applies its allowed models, and audits the run with its tokens', async () => {
    const unauthenticated = await postJson(h.origin, '/v1/responses', { model: 'sonnet', input: 'hi' }, {});
    expect(unauthenticated.status).toBe(401);

    const { key, record } = await h.gateway.store.keys.create({
      name: 'haiku-only',
      policy: { models: ['haiku'] },
    });
    const denied = await readError(await respond(key, { input: 'hi' }));
    expect(denied.status).toBe(403);
    expect(denied.error).toMatchObject({ code: 'model_not_allowed', param: 'model' });
    expect(h.mock.requests).toHaveLength(0);

    h.mock.enqueue(text('fine', { usage: { input_tokens: 20, output_tokens: 7 } }));
    expect((await respond(key, { model: 'haiku', input: 'hi' })).status).toBe(200);
    const [entry] = (await h.gateway.store.audit.recent(10)).filter(
      (row) => row.keyId === record.id && row.status === 200,
    );
    expect(entry).toMatchObject({ path: '/v1/responses', completionTokens: 7 });
  });

  it('keeps a stored response to the key that created it', async () => {
    const alice = (await h.gateway.store.keys.create({ name: 'alice', policy: {} })).key;
    const bob = (await h.gateway.store.keys.create({ name: 'bob', policy: {} })).key;
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

  it('audits the run of a background response when it ends, and keeps it to its key', async () => {
    const { key, record } = await h.gateway.store.keys.create({ name: 'background', policy: {} });
    const other = (await h.gateway.store.keys.create({ name: 'stranger', policy: {} })).key;
    h.mock.enqueue(text('Done in the background.', { usage: { input_tokens: 30, output_tokens: 9 } }));
    const queued = await json(await respond(key, { input: 'Work on this', background: true }));
    expect(queued.status).toBe('queued');
    const read = (path: string, as = key) =>
      fetch(`${h.origin}/v1/responses/${queued.id}${path}`, { headers: bearer(as) });
    expect(
      await eventually(async () => (await json(await read(''))).status === 'completed', 60_000, 200),
    ).toBe(true);
    const audited = async () =>
      (await h.gateway.store.audit.recent(20)).filter(
        (row) => row.keyId === record.id && row.completionTokens === 9,
      );
    expect(await eventually(async () => (await audited()).length === 1, 10_000, 100)).toBe(true);
    expect((await audited())[0]).toMatchObject({ path: '/v1/responses', status: 200 });

    for (const path of ['', '/input_items', '?stream=true'])
      expect((await read(path, other)).status).toBe(404);
    const cancel = await postJson(h.origin, `/v1/responses/${queued.id}/cancel`, {}, bearer(other));
    expect(cancel.status).toBe(404);
    expect((await read('/input_items')).status).toBe(200);
  });
});
