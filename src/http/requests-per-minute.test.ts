import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import './context-variables.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { Principal } from '../contract/key-policy.js';
import { openAIErrorBody } from '../surfaces/openai/openai-error.js';
import { formatDuration, type RequestsPerMinute, requestsPerMinute } from './requests-per-minute.js';

let limiter: RequestsPerMinute | undefined;
afterEach(() => limiter?.close());

function appFor(principal: Principal, now: () => number) {
  limiter = requestsPerMinute(now);
  const app = new Hono();
  app.use(async (c, next) => {
    c.set('principal', principal);
    await next();
  });
  app.use(limiter.middleware);
  app.get('/', (c) => c.text('ok'));
  app.onError((err, c) =>
    err instanceof GatewayError ? c.json(openAIErrorBody(err), 429, err.headers()) : c.text('boom', 500),
  );
  return app;
}

const principal = (rpm?: number): Principal => ({
  id: 'key_1',
  name: 'k',
  admin: false,
  source: 'store',
  policy: rpm === undefined ? {} : { rpm },
});

describe('requestsPerMinute', () => {
  it('sends OpenAI rate-limit headers and a 429 with Retry-After once the minute is spent', async () => {
    const start = Date.now();
    const app = appFor(principal(2), () => start + 15_000);
    const first = await app.request('/');
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+m)?\d+(\.\d+)?(ms|s)$/);
    expect((await app.request('/')).headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const limited = await app.request('/');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const body = (await limited.json()) as { error: { code: string } };
    expect(body.error.code).toBe('rate_limit_exceeded');
  });

  it('adds nothing for keys without a limit', async () => {
    const app = appFor(principal(), Date.now);
    for (let i = 0; i < 3; i++) {
      const response = await app.request('/');
      expect(response.status).toBe(200);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBeNull();
    }
  });
});

describe('formatDuration', () => {
  it('writes Go-style durations like OpenAI', () => {
    expect(formatDuration(0.02)).toBe('20ms');
    expect(formatDuration(1.5)).toBe('1.5s');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(360)).toBe('6m0s');
    expect(formatDuration(119.7)).toBe('2m0s');
  });
  it("peeks at a key's standing without counting a request", async () => {
    const app = appFor(principal(3), Date.now);
    const active = limiter as RequestsPerMinute;
    expect(await active.peek(principal())).toBeUndefined();
    expect(await active.peek(principal(3))).toMatchObject({ limit: 3, remaining: 3 });
    await app.request('/');
    expect(await active.peek(principal(3))).toMatchObject({ limit: 3, remaining: 2, used: 1 });
    expect(await active.peek(principal(3))).toMatchObject({ remaining: 2 });
  });
});
