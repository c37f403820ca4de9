import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import './context-variables.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { Principal } from '../contract/key-policy.js';
import { type RequestsPerMinute, requestsPerMinute } from './requests-per-minute.js';

let limiter: RequestsPerMinute | undefined;
afterEach(() => limiter?.close());

const principal: Principal = { id: 'key_1', name: 'k', admin: false, source: 'store', policy: { rpm: 2 } };

describe('requestsPerMinute.countRequest', () => {
  it('shares the HTTP window: a WebSocket turn uses up the minute an HTTP request would', async () => {
    limiter = requestsPerMinute();
    const app = new Hono();
    app.use(async (c, next) => {
      c.set('principal', principal);
      await next();
    });
    app.use(limiter.middleware);
    app.get('/', (c) => c.text('ok'));
    app.onError((err, c) => c.text(err instanceof GatewayError ? (err.code ?? '') : 'boom', 429));

    await limiter.countRequest(principal);
    expect((await app.request('/')).status).toBe(200);
    const refused = await limiter.countRequest(principal).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(GatewayError);
    expect((refused as GatewayError).code).toBe('rate_limit_exceeded');
    expect((refused as GatewayError).retryAfterSeconds).toBeGreaterThan(0);
    expect((await app.request('/')).status).toBe(429);
  });

  it('never refuses a key without a limit', async () => {
    limiter = requestsPerMinute();
    const unlimited: Principal = { ...principal, policy: {} };
    for (let i = 0; i < 5; i++) await expect(limiter.countRequest(unlimited)).resolves.toBeUndefined();
  });
});
