import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Principal } from '../contract/key-policy.js';
import './context-variables.js';
import { jsonBodyGuard } from './json-body-guard.js';
import { accountRequests } from './request-accounting.js';

const principal = { id: 'key-1', name: 'team', admin: false, source: 'store', policy: {} } as Principal;

/** The gateway's order: the key, the JSON guard, the accounting, then a route that parses the body and starts its run. */
function app() {
  const begun: unknown[] = [];
  const finished: unknown[] = [];
  const parsesBeforeRoute: number[] = [];
  const parse = vi.spyOn(JSON, 'parse');
  const server = new Hono();
  server.use(async (c, next) => {
    c.set('principal', principal);
    await next();
  });
  server.use(jsonBodyGuard({ maxDepth: 8 }));
  server.use(
    accountRequests({
      beginRequest: (request) => {
        begun.push(request.body);
        return 'run-1';
      },
      onFinished: (request) => {
        finished.push(request.body);
      },
    }),
  );
  server.post('/v1/chat/completions', async (c) => {
    const text = await c.req.text();
    parsesBeforeRoute.push(parse.mock.calls.filter(([parsed]) => parsed === text).length);
    const body: unknown = await c.req.json();
    c.get('runHooks')?.onStarted?.(() => ({ usage: undefined, costUsd: 0, durationMs: 0 }) as never);
    return c.json({ echoed: body });
  });
  return { server, begun, finished, parsesBeforeRoute };
}

const post = (server: Hono, body: string, contentType: string) =>
  server.request('/v1/chat/completions', { method: 'POST', body, headers: { 'content-type': contentType } });

describe('accountRequests', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('leaves a checked JSON body unparsed until the run has started, and audits it all the same', async () => {
    const { server, begun, finished, parsesBeforeRoute } = app();
    const body = { model: 'sonnet', stream: false, messages: [{ role: 'user', content: 'hi' }] };
    const response = await post(server, JSON.stringify(body), 'application/json');
    expect(await response.json()).toEqual({ echoed: body });
    expect(parsesBeforeRoute).toEqual([0]);
    expect(begun).toEqual([body]);
    expect(finished).toEqual([body]);
  });

  it('parses a body the JSON guard did not read (not declared JSON) as before', async () => {
    const { server, begun, finished } = app();
    const response = await post(server, '{"model":"sonnet"}', 'text/plain');
    expect(response.status).toBe(200);
    expect(begun).toEqual([{ model: 'sonnet' }]);
    expect(finished).toEqual([{ model: 'sonnet' }]);
  });
});
