import { type Context, Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import './context-variables.js';
import { RequestsPerMinuteExceeded } from '../contract/policy-errors.js';
import { noteRequestsPerMinute, rateLimitHeaders } from './rate-limit-headers.js';

const NOW = 1_700_000_000_000;
const standing = { limit: 3, remaining: 1, resetAt: NOW + 30_000 };

function app() {
  const routes = new Hono();
  routes.use(
    rateLimitHeaders({
      standard: (s) => ({ 'x-standard-remaining': String(s.remaining) }),
      extraFor: (path) => (path.startsWith('/api') ? (s) => ({ 'x-own-limit': String(s.limit) }) : undefined),
      now: () => NOW,
    }),
  );
  const run = (c: Context) => {
    noteRequestsPerMinute(c, standing);
    return c.text('ran');
  };
  routes.get('/v1/run', run);
  routes.get('/api/run', run);
  routes.get('/v1/nothing', (c) => c.text('no run'));
  routes.get('/v1/refused', () => {
    throw new RequestsPerMinuteExceeded({ limit: 3, remaining: 0, resetAt: NOW + 30_000 }, NOW);
  });
  routes.onError((error, c) => c.text(error.message, 429));
  return routes;
}

describe('rateLimitHeaders', () => {
  it("stamps what admission decided: the standard headers everywhere, a surface's own on its paths", async () => {
    const openai = await app().request('/v1/run');
    expect(openai.headers.get('x-standard-remaining')).toBe('1');
    expect(openai.headers.get('x-own-limit')).toBeNull();
    const native = await app().request('/api/run');
    expect(native.headers.get('x-standard-remaining')).toBe('1');
    expect(native.headers.get('x-own-limit')).toBe('3');
  });

  it('stamps the refusal from the standing it carries, and nothing where no run was admitted', async () => {
    const refused = await app().request('/v1/refused');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-standard-remaining')).toBe('0');
    const none = await app().request('/v1/nothing');
    expect(none.headers.get('x-standard-remaining')).toBeNull();
  });
});
