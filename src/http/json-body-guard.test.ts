import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth, jsonBodyGuard } from './json-body-guard.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  it('allows exactly the limit and rejects one more', () => {
    expect(exceedsJsonDepth(nested(64), 64)).toBe(false);
    expect(exceedsJsonDepth(nested(65), 64)).toBe(true);
    expect(exceedsJsonDepth(`{"a":${'{"b":'.repeat(70)}1${'}'.repeat(71)}`, 64)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ content: `${'['.repeat(500)} "quoted \\" [[[` });
    expect(exceedsJsonDepth(text, 2)).toBe(false);
  });

  it('knows an escaped backslash does not escape the quote after it', () => {
    expect(exceedsJsonDepth(`{"a":"x\\\\","b":${nested(3)}}`, 3)).toBe(true);
    expect(exceedsJsonDepth(`{"a":"x\\\\\\"[[[[","b":1}`, 1)).toBe(false);
  });

  it('counts depth, not the number of brackets', () => {
    expect(exceedsJsonDepth(JSON.stringify(Array.from({ length: 1000 }, () => [[1]])), 3)).toBe(false);
  });
});

describe('jsonBodyGuard', () => {
  const app = new Hono();
  app.use(jsonBodyGuard({ maxDepth: 4 }));
  app.onError((error, c) => c.text(error.message, 400));
  // Two readers of the body after the guard, as the accounting and a route's validator are.
  app.post('/', async (c) =>
    c.json({ first: await c.req.json(), again: await c.req.json(), text: await c.req.text() }),
  );
  const post = (body: string | Uint8Array) =>
    app.request('/', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  it('leaves the body it checked readable by every later reader, as JSON and as text', async () => {
    const body = JSON.stringify({ messages: [{ role: 'user', content: 'héllo' }] });
    const response = await post(body);
    expect(await response.json()).toEqual({ first: JSON.parse(body), again: JSON.parse(body), text: body });
  });

  it('refuses bytes that are not UTF-8 and nesting over the limit', async () => {
    expect((await post(new Uint8Array([0x7b, 0xff, 0x7d]))).status).toBe(400);
    expect((await post('[[[[[1]]]]]')).status).toBe(400);
  });
});
