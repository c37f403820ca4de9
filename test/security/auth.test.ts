import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { bearer, chatBody, postJson, readError } from './http.js';

const ENV_KEY = 'sk-env-owner-key-for-tests';
const ADMIN_KEY = 'sk-admin-key-for-tests-0123';

describe('with keys configured', () => {
  const h = useHarness({ config: { GATEWAY_API_KEYS: ENV_KEY, GATEWAY_ADMIN_KEY: ADMIN_KEY } });

  it('answers 401 in the OpenAI shape without a key, and runs nothing', async () => {
    const reply = await readError(await postJson(h.origin, '/v1/chat/completions', chatBody()));
    expect(reply.status).toBe(401);
    expect(reply.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key', param: null });
    expect(reply.headers.get('www-authenticate')).toBe('Bearer');
    expect(h.mock.requests).toHaveLength(0);
  });

  it('answers 401 to a wrong key, which openai-node raises as AuthenticationError', async () => {
    const client = new OpenAI({ baseURL: h.baseURL, apiKey: 'sk-not-a-key', maxRetries: 0 });
    const error = await client.chat.completions
      .create(chatBody() as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    expect(h.mock.requests).toHaveLength(0);
  });

  it('accepts a key as Bearer (what OpenAI clients send) and as x-api-key', async () => {
    const client = new OpenAI({ baseURL: h.baseURL, apiKey: ENV_KEY, maxRetries: 0 });
    const completion = await client.chat.completions.create(chatBody('via bearer') as never);
    expect(completion.choices[0]?.message.content).toBe('echo: via bearer');

    const { key } = await h.gateway.store.keys.create({ name: 'header-user' });
    const response = await postJson(h.origin, '/v1/chat/completions', chatBody('via header'), {
      'x-api-key': key,
    });
    expect(response.status).toBe(200);
    expect((await json(response)).choices[0].message.content).toBe('echo: via header');
    expect(h.mock.requests).toHaveLength(2);
  });

  it('stops accepting a revoked key at once', async () => {
    const { key, record } = await h.gateway.store.keys.create({ name: 'short-lived' });
    expect((await fetch(`${h.baseURL}/models`, { headers: bearer(key) })).status).toBe(200);
    await h.gateway.store.keys.revoke(record.id);
    const reply = await readError(await fetch(`${h.baseURL}/models`, { headers: bearer(key) }));
    expect(reply.status).toBe(401);
    expect(reply.error.code).toBe('invalid_api_key');
  });

  it('needs a key on every API route, and none on probes, metrics and docs', async () => {
    for (const path of ['/v1/models', '/models', '/v1/models/sonnet', '/v1/usage', '/v1/not-a-route']) {
      expect((await fetch(`${h.origin}${path}`)).status, path).toBe(401);
    }
    for (const path of ['/health', '/ready', '/metrics', '/openapi.json', '/docs']) {
      expect((await fetch(`${h.origin}${path}`)).status, path).toBe(200);
    }
  });

  it('lets only admin keys read usage (403 otherwise)', async () => {
    const { key } = await h.gateway.store.keys.create({ name: 'plain' });
    const denied = await readError(await fetch(`${h.baseURL}/usage`, { headers: bearer(key) }));
    expect(denied.status).toBe(403);
    expect(denied.error).toMatchObject({ type: 'permission_error', code: 'admin_required' });
    expect((await fetch(`${h.baseURL}/usage`, { headers: bearer(ENV_KEY) })).status).toBe(403);

    const { key: adminKey } = await h.gateway.store.keys.create({ name: 'ops', admin: true });
    for (const headers of [bearer(ADMIN_KEY), bearer(adminKey)]) {
      const usage = await fetch(`${h.baseURL}/usage`, { headers });
      expect(usage.status).toBe(200);
      const body = await json(usage);
      expect(body.object).toBe('list');
      // The two chat requests of the Bearer/x-api-key test, one per key.
      expect(body.data.reduce((sum: number, row: { requests: number }) => sum + row.requests, 0)).toBe(2);
    }
    const bad = await readError(
      await fetch(`${h.baseURL}/usage?from=someday`, { headers: bearer(ADMIN_KEY) }),
    );
    expect(bad.status).toBe(400);
    expect(bad.error.param).toBe('from');

    // Per Claude account: without ACCOUNTS_FILE no run records one yet.
    const byAccount = await fetch(`${h.baseURL}/usage?group_by=account`, { headers: bearer(ADMIN_KEY) });
    expect(await json(byAccount)).toMatchObject({
      object: 'list',
      group_by: 'account',
      data: [{ account: null, requests: 2 }],
    });
    const badGroup = await readError(
      await fetch(`${h.baseURL}/usage?group_by=model`, { headers: bearer(ADMIN_KEY) }),
    );
    expect(badGroup.status).toBe(400);
    expect(badGroup.error).toMatchObject({ type: 'invalid_request_error', param: 'group_by' });
  });
});

describe('with no keys at all (loopback)', () => {
  const h = useHarness({ config: { METRICS_TOKEN: 'metrics-secret' }, resetMockBeforeEach: false });

  it('is open to local clients until the first key is created', async () => {
    expect((await fetch(`${h.baseURL}/models`)).status).toBe(200);
    const { key } = await h.gateway.store.keys.create({ name: 'first' });
    expect((await fetch(`${h.baseURL}/models`)).status).toBe(401);
    expect((await fetch(`${h.baseURL}/models`, { headers: bearer(key) })).status).toBe(200);
  });

  it('protects /metrics with METRICS_TOKEN when it is set', async () => {
    expect((await fetch(`${h.origin}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.origin}/metrics`, { headers: bearer('wrong') })).status).toBe(401);
    const scrape = await fetch(`${h.origin}/metrics`, { headers: bearer('metrics-secret') });
    expect(scrape.status).toBe(200);
    expect(await scrape.text()).toContain('claude_gateway_http_requests_total');
  });
});
