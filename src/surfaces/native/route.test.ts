import { describe, expect, it } from 'vitest';
import { readSse } from '../../../test/helpers/sse-events.js';
import { GatewayError } from '../../contract/gateway-error.js';
import { echo, memoryNativeSessions, setup, usage } from './test-support.js';

async function createSession(call: ReturnType<typeof setup>['call'], body: unknown = {}, key = 'k1') {
  const response = await call('POST', '/api/v1/sessions', body, key);
  expect(response.status).toBe(201);
  return ((await response.json()) as { sessionId: string }).sessionId;
}

describe('native routes over a scripted run service', () => {
  it('creates a session, runs two turns that continue it, and keeps the history', async () => {
    const { call, run } = setup();
    const created = await call('POST', '/api/v1/sessions', { model: 'opus', systemPrompt: 'Be brief.' });
    expect(created.status).toBe(201);
    const session = (await created.json()) as Record<string, unknown>;
    expect(session).toMatchObject({ model: 'opus', messageCount: 0, status: 'idle' });
    const id = session.sessionId as string;

    const first = await call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'One.' });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      response: 'echo: One.',
      costUsd: 0.25,
      sessionId: id,
      usage,
      stopReason: 'end_turn',
    });
    await call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'Two.', stream: false });

    // Turn 2 carries turn 1 as real history and names the native session as its conversation.
    const second = run.requests[1];
    expect(second?.surface).toBe('native');
    expect(second?.origin).toEqual({ callerId: 'k1', conversationId: id });
    expect(second?.plan).toMatchObject({
      model: 'claude-opus',
      systemPrompt: { text: 'Be brief.', placement: 'replace' },
      history: [
        { role: 'user', content: [{ type: 'text', text: 'One.' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'echo: One.' }] },
      ],
      prompt: [{ type: 'text', text: 'Two.' }],
    });
    // Each turn was admitted under the caller's key.
    expect(run.admitted.map((admitted) => [admitted.principal?.id, admitted.ask])).toEqual([
      ['k1', { model: 'opus' }],
      ['k1', { model: 'opus' }],
    ]);

    const history = (await (await call('GET', `/api/v1/sessions/${id}/messages`)).json()) as {
      messages: Array<{ role: string; content: string; timestamp: string }>;
    };
    expect(history.messages.map((m) => `${m.role}: ${m.content}`)).toEqual([
      'user: One.',
      'assistant: echo: One.',
      'user: Two.',
      'assistant: echo: Two.',
    ]);
    expect(history.messages[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);

    const list = (await (await call('GET', '/api/v1/sessions')).json()) as {
      sessions: Array<{ sessionId: string; messageCount: number }>;
      total: number;
    };
    expect(list.total).toBe(1);
    expect(list.sessions[0]).toMatchObject({ sessionId: id, messageCount: 4 });

    const details = (await (await call('GET', `/api/v1/sessions/${id}`)).json()) as Record<string, unknown>;
    expect(details).toMatchObject({ sessionId: id, messageCount: 4, costUsd: 0.5 });
    expect(details.usage).toMatchObject({ inputTokens: 6, outputTokens: 4 });
  });

  it('streams a turn as named SSE events, by POST and by GET', async () => {
    const { call, app } = setup();
    const id = await createSession(call);
    const posted = await call('POST', `/api/v1/sessions/${id}/stream`, { prompt: 'Hi.' });
    expect(posted.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect((await readSse(posted)).events).toEqual([
      { event: 'message', data: { type: 'text_delta', text: 'echo: ' } },
      { event: 'message', data: { type: 'text_delta', text: 'Hi.' } },
      {
        event: 'complete',
        data: {
          response: 'echo: Hi.',
          usage,
          costUsd: 0.25,
          durationMs: 40,
          sessionId: id,
          stopReason: 'end_turn',
        },
      },
    ]);
    const viaGet = await app.request(`/api/v1/sessions/${id}/stream?prompt=${encodeURIComponent('Again?')}`, {
      headers: { 'x-api-key': 'k1' },
    });
    expect((await readSse(viaGet)).events.at(-1)).toMatchObject({
      event: 'complete',
      data: { response: 'echo: Again?' },
    });
    const viaMessages = await call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'S', stream: true });
    expect((await readSse(viaMessages)).events.map((e) => e.event)).toEqual([
      'message',
      'message',
      'complete',
    ]);
  });

  it('sends an error after the first byte as an error event, and keeps the failed turn out of the history', async () => {
    const { call } = setup(async function* () {
      yield { type: 'text_delta', text: 'par' };
      yield {
        type: 'error',
        error: new GatewayError({
          kind: 'upstream',
          status: 502,
          code: 'upstream_error',
          message: 'API down',
        }),
      };
    });
    const id = await createSession(call);
    const response = await call('POST', `/api/v1/sessions/${id}/stream`, { prompt: 'Hi.' });
    expect(response.status).toBe(200);
    expect((await readSse(response)).events).toEqual([
      { event: 'message', data: { type: 'text_delta', text: 'par' } },
      {
        event: 'error',
        data: {
          error: { code: 'UPSTREAM_ERROR', message: 'API down', details: { reason: 'upstream_error' } },
        },
      },
    ]);
    const history = (await (await call('GET', `/api/v1/sessions/${id}/messages`)).json()) as { messages: [] };
    expect(history.messages).toEqual([]);
  });

  it('answers a refusal before the first event with its HTTP status, in the native error shape', async () => {
    const { call } = setup(async function* () {
      yield {
        type: 'error',
        error: new GatewayError({
          kind: 'rate_limited',
          status: 429,
          code: 'rate_limit_exceeded',
          message: 'Slow down.',
          retryAfterSeconds: 7,
        }),
      };
    });
    const id = await createSession(call);
    for (const [path, body] of [
      [`/api/v1/sessions/${id}/stream`, { prompt: 'x' }],
      [`/api/v1/sessions/${id}/messages`, { prompt: 'x' }],
    ] as const) {
      const response = await call('POST', path, body);
      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('7');
      const error = (await response.json()) as Record<string, unknown>;
      expect(error).toMatchObject({ error: { code: 'RATE_LIMIT_EXCEEDED', message: 'Slow down.' } });
      expect(typeof error.requestId).toBe('string');
      expect(Date.parse(error.timestamp as string)).not.toBeNaN();
    }
  });

  it('refuses a second turn while one runs (409), then accepts it', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { call } = setup(async function* (request) {
      await gate;
      yield* echo(request);
    });
    const id = await createSession(call);
    const first = call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'slow' });
    // The first turn is in: its session is busy until the gate opens.
    let busy: Response | undefined;
    for (let attempt = 0; attempt < 50; attempt++) {
      busy = await call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'again' });
      if (busy.status === 409) break;
    }
    expect(busy?.status).toBe(409);
    expect(await busy?.json()).toMatchObject({ error: { code: 'SESSION_BUSY' } });
    release();
    expect((await first).status).toBe(200);
    expect((await call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'now' })).status).toBe(200);
  });

  it("hides another key's session (404) and ends a deleted one", async () => {
    const { call, ended } = setup();
    const id = await createSession(call);
    for (const [method, path] of [
      ['GET', `/api/v1/sessions/${id}`],
      ['GET', `/api/v1/sessions/${id}/messages`],
      ['DELETE', `/api/v1/sessions/${id}`],
      ['POST', `/api/v1/sessions/${id}/messages`],
    ] as const) {
      const response = await call(method, path, method === 'POST' ? { prompt: 'x' } : undefined, 'k2');
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    }
    expect(
      ((await (await call('GET', '/api/v1/sessions', undefined, 'k2')).json()) as { total: number }).total,
    ).toBe(0);

    expect((await call('DELETE', `/api/v1/sessions/${id}`)).status).toBe(200);
    expect(ended).toEqual([id]);
    expect((await call('GET', `/api/v1/sessions/${id}`)).status).toBe(404);
    expect((await call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'x' })).status).toBe(404);
  });

  it('expires idle sessions after the TTL', async () => {
    const { call, advance, ended } = setup();
    const id = await createSession(call);
    advance(59_000);
    expect((await call('GET', `/api/v1/sessions/${id}`)).status).toBe(200);
    advance(1_000);
    expect((await call('GET', `/api/v1/sessions/${id}`)).status).toBe(404);
    expect(ended).toEqual([id]);
  });

  it('makes room under the per-key cap by ending the least recently active session', async () => {
    const { call, advance } = setup(echo, { maxPerKey: 2 });
    const a = await createSession(call);
    advance(1);
    const b = await createSession(call);
    advance(1);
    await call('POST', `/api/v1/sessions/${a}/messages`, { prompt: 'keep a' });
    advance(1);
    const c = await createSession(call);
    const ids = (
      (await (await call('GET', '/api/v1/sessions')).json()) as { sessions: Array<{ sessionId: string }> }
    ).sessions.map((s) => s.sessionId);
    expect(ids.sort()).toEqual([a, c].sort());
    expect(ids).not.toContain(b);
  });

  it('rejects invalid bodies and unknown models as INVALID_REQUEST naming the field', async () => {
    const { call } = setup();
    const badModel = await call('POST', '/api/v1/sessions', { model: 'gpt-4' });
    expect(badModel.status).toBe(400);
    expect(await badModel.json()).toMatchObject({
      error: { code: 'MODEL_NOT_FOUND', details: { param: 'model' } },
    });
    const agent = await call('POST', '/api/v1/sessions', { cwd: '/tmp' });
    expect(await agent.json()).toMatchObject({
      error: { code: 'INVALID_REQUEST', details: { param: 'cwd' } },
    });
    const id = await createSession(call);
    const noPrompt = await call('POST', `/api/v1/sessions/${id}/messages`, { stream: false });
    expect(noPrompt.status).toBe(400);
    expect(await noPrompt.json()).toMatchObject({
      error: { code: 'INVALID_REQUEST', details: { param: 'prompt' } },
    });
    const notJson = await call('POST', `/api/v1/sessions/${id}/messages`);
    expect(notJson.status).toBe(400);
  });

  it('lists models and reports session statistics in health', async () => {
    const { call } = setup();
    await createSession(call);
    expect(await (await call('GET', '/api/v1/models')).json()).toEqual({
      models: [
        { id: 'sonnet', name: 'sonnet' },
        { id: 'opus', name: 'opus' },
      ],
      total: 2,
    });
    expect(await (await call('GET', '/api/v1/health')).json()).toMatchObject({
      status: 'ok',
      sessions: { active: 1, total: 1, running: 0 },
    });
  });

  it('reports the same session counts on every gateway sharing the store, ended sessions in the total', async () => {
    const store = memoryNativeSessions();
    const a = setup(echo, { store });
    const b = setup(echo, { store });
    await createSession(a.call);
    const ended = await createSession(a.call);
    expect((await a.call('DELETE', `/api/v1/sessions/${ended}`)).status).toBe(200);
    for (const gateway of [a, b]) {
      expect(await (await gateway.call('GET', '/api/v1/health')).json()).toMatchObject({
        sessions: { active: 1, total: 2, running: 0 },
      });
    }
  });
});

describe('native SSE connection handling', () => {
  it('sends keep-alive comments while the run is silent', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { call } = setup(
      async function* (request) {
        yield { type: 'text_delta', text: 'a' };
        await gate;
        yield* echo(request);
      },
      { keepAliveMs: 5 },
    );
    const id = ((await (await call('POST', '/api/v1/sessions', {})).json()) as { sessionId: string })
      .sessionId;
    const response = await call('POST', `/api/v1/sessions/${id}/stream`, { prompt: 'x' });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let text = '';
    // Read until a keep-alive comment arrives, then let the run finish.
    while (reader && !text.includes(': keepalive')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    release();
    for (;;) {
      const chunk = await reader?.read();
      if (!chunk || chunk.done) break;
      text += decoder.decode(chunk.value);
    }
    expect(text).toContain(': keepalive\n\n');
    expect(text).toContain('event: complete');
  });

  it('aborts the run when the client goes away mid-stream, and the session is free again', async () => {
    let aborted: AbortSignal | undefined;
    const { call, sessions } = setup(async function* (request) {
      aborted = request.signal;
      yield { type: 'text_delta', text: 'started' };
      // Like a real run: it ends when aborted, also when that happened before it got here.
      if (!request.signal.aborted)
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
    });
    const id = ((await (await call('POST', '/api/v1/sessions', {})).json()) as { sessionId: string })
      .sessionId;
    const response = await call('POST', `/api/v1/sessions/${id}/stream`, { prompt: 'x' });
    const reader = response.body?.getReader();
    await reader?.read();
    expect(sessions.isRunning(id)).toBe(true);
    await reader?.cancel();
    for (let attempt = 0; attempt < 100 && sessions.isRunning(id); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(aborted?.aborted).toBe(true);
    expect(sessions.isRunning(id)).toBe(false);
  });
});

describe('key policy for native turns', () => {
  it("records GET (EventSource) turns, a refused one too; POST turns are the HTTP layer's", async () => {
    const recorded: Array<{ method: string; path: string }> = [];
    const happened: string[] = [];
    const { call, app, run } = setup(echo, {
      admit: async (principal) => {
        if (principal.id === 'poor') {
          throw new GatewayError({
            kind: 'quota_exceeded',
            status: 429,
            code: 'insufficient_quota',
            message: 'No budget.',
          });
        }
        return { release: () => happened.push('release') };
      },
      recordTurn: (_principal, turn) => {
        recorded.push({ method: turn.method, path: turn.path });
        return {
          onSummary: () => happened.push('summary'),
          refused: async (error) => {
            happened.push(`refused ${error.status}`);
          },
          finish: () => happened.push('finish'),
        };
      },
    });
    const id = ((await (await call('POST', '/api/v1/sessions', {})).json()) as { sessionId: string })
      .sessionId;
    await call('POST', `/api/v1/sessions/${id}/messages`, { prompt: 'x' });
    expect(recorded).toEqual([]);
    expect(happened).toEqual(['release']);
    const viaGet = await app.request(`/api/v1/sessions/${id}/stream?prompt=y`, {
      headers: { 'x-api-key': 'k1' },
    });
    await viaGet.text();
    expect(recorded).toEqual([{ method: 'GET', path: `/api/v1/sessions/${id}/stream` }]);
    expect(run.admitted).toHaveLength(2);
    expect(happened).toEqual(['release', 'summary', 'release', 'finish']);

    const poor = (
      (await (await call('POST', '/api/v1/sessions', {}, 'poor')).json()) as { sessionId: string }
    ).sessionId;
    const refused = await app.request(`/api/v1/sessions/${poor}/stream?prompt=y`, {
      headers: { 'x-api-key': 'poor' },
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ error: { code: 'QUOTA_EXCEEDED' } });
    expect(happened.slice(4)).toEqual(['refused 429']);
    expect(run.requests).toHaveLength(2);
  });
});
