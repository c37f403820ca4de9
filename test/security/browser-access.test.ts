import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { bearer, chatBody, postJson, readError } from './http.js';
import { rawRequest } from './raw-http.js';

const APP_ORIGIN = 'https://app.example';
const KEY = 'sk-browser-owner-key';

/** What openai-node and the Anthropic SDK send from a browser, as a preflight lists them. */
const BROWSER_HEADERS = [
  'authorization',
  'content-type',
  'x-api-key',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'x-stainless-arch',
  'x-stainless-lang',
  'x-stainless-os',
  'x-stainless-package-version',
  'x-stainless-retry-count',
  'x-stainless-runtime',
  'x-stainless-runtime-version',
  'x-stainless-timeout',
];

describe('a keyless gateway on loopback', () => {
  const h = useHarness();

  it('refuses a request whose Host is not a loopback name (DNS rebinding), and runs nothing', async () => {
    const reply = await rawRequest(h.origin, {
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { host: 'evil.example:8080', 'content-type': 'application/json' },
      body: JSON.stringify(chatBody()),
    });
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error).toMatchObject({
      type: 'permission_error',
      code: 'host_not_allowed',
    });
    expect(h.mock.requests).toHaveLength(0);
    for (const host of ['localhost:1234', '127.0.0.1', '[::1]:99']) {
      const ok = await rawRequest(h.origin, { path: '/v1/models', headers: { host } });
      expect(ok.status, host).toBe(200);
    }
  });

  it('refuses a request from a foreign web page and grants it no CORS headers', async () => {
    const response = await postJson(h.origin, '/v1/chat/completions', chatBody(), {
      origin: 'https://evil.example',
    });
    const reply = await readError(response);
    expect(reply.status).toBe(403);
    expect(reply.error.code).toBe('origin_not_allowed');
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(h.mock.requests).toHaveLength(0);
  });

  it('answers no preflight by default: CORS is off unless CORS_ORIGINS lists origins', async () => {
    const response = await fetch(`${h.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('serves API clients, which send no Origin', async () => {
    const completion = await h.openai.chat.completions.create(chatBody('local') as never);
    expect(completion.choices[0]?.message.content).toBe('echo: local');
  });

  it('keeps /v1/usage for admin keys: the keyless caller is not an admin', async () => {
    const reply = await readError(await fetch(`${h.baseURL}/usage`));
    expect(reply.status).toBe(403);
    expect(reply.error.code).toBe('admin_required');
  });
});

describe('a keyless gateway with CORS_ORIGINS', () => {
  const h = useHarness({ config: { CORS_ORIGINS: APP_ORIGIN } });

  it('serves the listed origin and still refuses others', async () => {
    const allowed = await postJson(h.origin, '/v1/chat/completions', chatBody('from app'), {
      origin: APP_ORIGIN,
    });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const refused = await postJson(h.origin, '/v1/chat/completions', chatBody(), {
      origin: 'https://evil.example',
    });
    expect(refused.status).toBe(403);
    expect(h.mock.requests).toHaveLength(1);
  });
});

describe('CORS with keys and CORS_ORIGINS', () => {
  const h = useHarness({
    config: { GATEWAY_API_KEYS: KEY, CORS_ORIGINS: `${APP_ORIGIN},https://other.example` },
  });

  const preflight = (origin: string, headers: string) =>
    fetch(`${h.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': headers,
      },
    });

  it('answers a preflight with every header browsers send, each by name', async () => {
    const response = await preflight(APP_ORIGIN, BROWSER_HEADERS.join(','));
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toContain('POST');
    const granted = (response.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    expect(granted.sort()).toEqual([...BROWSER_HEADERS].sort());
    expect(granted.some((name) => name.includes('*'))).toBe(false);
  });

  it('grants no header it does not accept, and nothing to an unlisted origin', async () => {
    const odd = await preflight(APP_ORIGIN, 'authorization, x-evil-header');
    expect(odd.headers.get('access-control-allow-headers')).toBe('authorization');
    const foreign = await preflight('https://evil.example', 'authorization');
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    expect(foreign.headers.get('access-control-allow-headers')).toBeNull();
  });

  it('lets the listed origin read a real answer and its rate-limit headers', async () => {
    const response = await postJson(h.origin, '/v1/chat/completions', chatBody('cors'), {
      origin: APP_ORIGIN,
      ...bearer(KEY),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(response.headers.get('access-control-expose-headers')).toContain('x-request-id');
    const stream = await postJson(h.origin, '/v1/chat/completions', chatBody('cors', { stream: true }), {
      origin: APP_ORIGIN,
      ...bearer(KEY),
    });
    expect(stream.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(stream.headers.get('access-control-expose-headers')).toContain('x-ratelimit-remaining-requests');
    expect(stream.headers.get('vary')).toBe('Origin');
    expect(await stream.text()).toContain('[DONE]');
    expect(h.mock.requests).toHaveLength(2);
  });

  it('does not check Host once keys protect the gateway (it may sit behind a proxy)', async () => {
    const reply = await rawRequest(h.origin, {
      path: '/v1/models',
      headers: { host: 'gateway.internal.example', ...bearer(KEY) },
    });
    expect(reply.status).toBe(200);
  });
});
