import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { conversationOf, sessionFiles } from '../conversation/session-files.js';
import { eventually, type Harness, isAlive, startHarness, useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { lastUserText, startMockAnthropic, text } from '../mock-anthropic/server.js';

const OWNER = 'sk-native-owner-key-0001';
const OTHER = 'sk-native-other-key-0002';
const h = useHarness({ config: { GATEWAY_API_KEYS: `${OWNER},${OTHER}` } });

async function api(method: string, path: string, body?: unknown, key = OWNER): Promise<Response> {
  return fetch(`${h.origin}/api/v1${path}`, {
    method,
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

async function createSession(harness: Pick<Harness, 'origin'> = h, key = OWNER): Promise<string> {
  const response = await fetch(`${harness.origin}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'x-api-key': key, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'sonnet' }),
  });
  expect(response.status).toBe(201);
  return (await json<{ sessionId: string }>(response)).sessionId;
}

/** A WebSocket client that collects frames and can wait for the next one matching a test. */
async function openSocket(url: string, options: WebSocket.ClientOptions = {}, protocols?: string[]) {
  const ws = protocols ? new WebSocket(url, protocols, options) : new WebSocket(url, options);
  const frames: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Record<string, unknown>);
    for (const wake of waiters.splice(0)) wake();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let seen = 0;
  const next = async (match: (frame: Record<string, unknown>) => boolean, timeoutMs = 20_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      while (seen < frames.length) {
        const frame = frames[seen++] as Record<string, unknown>;
        if (match(frame)) return frame;
      }
      if (Date.now() > deadline) throw new Error(`no matching frame; got ${JSON.stringify(frames)}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 200);
      });
    }
  };
  return { ws, frames, next };
}

const ends = (frame: Record<string, unknown>) => frame.type === 'complete' || frame.type === 'error';

/**
 * After a failed turn on a WebSocket, the session is free the moment the error frame arrives: the
 * next turn (over the socket or HTTP) runs at once.
 */
async function failThenTurnAgain(harness: Harness): Promise<void> {
  const failures = [
    // Before any output: refused by the Messages API on a fresh session's first turn. (With history,
    // Claude Code answers a prompt-too-long 400 by compacting and retrying.)
    {
      reply: { kind: 'error', status: 400, message: 'prompt is too long: 210000 tokens > 200000 maximum' },
      history: false,
      times: 1,
    },
    // Overloaded after the answer started, then again on Claude Code's non-streaming fallback: the
    // error follows streamed text, so the run is still being torn down when the error is known.
    { reply: { kind: 'midStreamFailure', textBefore: 'Half an answer' }, history: true, times: 2 },
  ] as const;
  for (const failure of failures) {
    for (const nextTurnOver of ['ws', 'http'] as const) {
      const id = await createSession(harness);
      const { ws, next } = await openSocket(
        `${harness.origin.replace('http', 'ws')}/api/v1/sessions/${id}/ws`,
        {
          headers: { 'x-api-key': OWNER },
        },
      );
      try {
        if (failure.history) {
          ws.send(JSON.stringify({ type: 'message', prompt: 'Hello.' }));
          expect(await next(ends)).toMatchObject({ type: 'complete' });
        }
        for (let i = 0; i < failure.times; i++) harness.mock.enqueue(failure.reply);
        ws.send(JSON.stringify({ type: 'message', prompt: 'Fails.' }));
        expect(await next(ends)).toMatchObject({ type: 'error' });
        // Sent the moment the error arrives.
        if (nextTurnOver === 'ws') {
          ws.send(JSON.stringify({ type: 'message', prompt: 'Next.' }));
          expect(await next(ends)).toMatchObject({ type: 'complete', response: 'echo: Next.' });
        } else {
          const overHttp = await fetch(`${harness.origin}/api/v1/sessions/${id}/messages`, {
            method: 'POST',
            headers: { 'x-api-key': OWNER, 'content-type': 'application/json' },
            body: JSON.stringify({ prompt: 'Next.' }),
          });
          expect(overHttp.status).toBe(200);
        }
      } finally {
        ws.close();
      }
    }
  }
}

describe('native sessions API with the real Claude Code CLI', () => {
  it('runs two turns that continue the session: the model sees turn 1 as real turns', async () => {
    const id = await createSession();
    const first = await json(await api('POST', `/sessions/${id}/messages`, { prompt: 'My name is Ada.' }));
    expect(first).toMatchObject({ response: 'echo: My name is Ada.', sessionId: id, stopReason: 'end_turn' });
    expect((first.usage as { outputTokens: number }).outputTokens).toBeGreaterThan(0);
    expect(typeof first.costUsd).toBe('number');

    const second = await json(await api('POST', `/sessions/${id}/messages`, { prompt: 'What is my name?' }));
    expect(second.response).toBe('echo: What is my name?');
    expect(h.mock.requests).toHaveLength(2);
    expect(conversationOf(h.mock.requests[1])).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
    ]);

    // Turn 2 resumed the Claude Code session turn 1 left (nothing rebuilt from the transcript).
    const file = (await sessionFiles(h)).find((entry) => entry.turns.includes('user: My name is Ada.'));
    expect(file?.rebuiltEntries).toBe(0);
    expect(file?.turns).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
      'assistant: echo: What is my name?',
    ]);

    const history = await json<{ messages: Array<{ role: string; content: string; timestamp: string }> }>(
      await api('GET', `/sessions/${id}/messages`),
    );
    expect(history.messages.map((m) => `${m.role}: ${m.content}`)).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
      'assistant: echo: What is my name?',
    ]);

    const list = await json<{ sessions: Array<Record<string, unknown>>; total: number }>(
      await api('GET', '/sessions'),
    );
    expect(list.sessions.find((s) => s.sessionId === id)).toMatchObject({ model: 'sonnet', messageCount: 4 });

    const details = await json(await api('GET', `/sessions/${id}`));
    expect(details).toMatchObject({ sessionId: id, messageCount: 4, status: 'idle' });
    expect((details.usage as { outputTokens: number }).outputTokens).toBeGreaterThan(0);
  });

  it('streams a turn as SSE by POST and by GET (EventSource)', async () => {
    const id = await createSession();
    h.mock.enqueue(text('one two three'));
    const posted = await api('POST', `/sessions/${id}/stream`, { prompt: 'Count.' });
    expect(posted.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const { events } = await readSse(posted);
    const deltas = events
      .filter((e) => e.event === 'message')
      .map((e) => e.data as { type: string; text: string });
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.text).join('')).toBe('one two three');
    expect(events.filter((e) => e.event === 'complete')).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({
      event: 'complete',
      data: { response: 'one two three', sessionId: id },
    });

    const viaGet = await fetch(
      `${h.origin}/api/v1/sessions/${id}/stream?prompt=${encodeURIComponent('Again.')}`,
      {
        headers: { 'x-api-key': OWNER, accept: 'text/event-stream' },
      },
    );
    expect((await readSse(viaGet)).events.at(-1)).toMatchObject({
      event: 'complete',
      data: { response: 'echo: Again.' },
    });
    expect(conversationOf(h.mock.requests.at(-1))).toEqual([
      'user: Count.',
      'assistant: one two three',
      'user: Again.',
    ]);
  });

  it('runs two turns over a WebSocket and cancels a third: its Claude Code process is gone within 2 s', async () => {
    const id = await createSession();
    const { ws, next } = await openSocket(`${h.origin.replace('http', 'ws')}/api/v1/sessions/${id}/ws`, {
      headers: { 'x-api-key': OWNER },
    });
    try {
      ws.send(JSON.stringify({ type: 'message', prompt: 'First.' }));
      expect(await next((f) => f.type === 'text_delta')).toMatchObject({ type: 'text_delta' });
      expect(await next(ends)).toMatchObject({ type: 'complete', response: 'echo: First.', sessionId: id });
      ws.send(JSON.stringify({ type: 'message', prompt: 'Second.' }));
      expect(await next(ends)).toMatchObject({ type: 'complete', response: 'echo: Second.' });
      expect(conversationOf(h.mock.requests.at(-1))).toEqual([
        'user: First.',
        'assistant: echo: First.',
        'user: Second.',
      ]);

      h.mock.setHandler(() => ({ kind: 'hang' }));
      const before = h.mock.requests.length;
      ws.send(JSON.stringify({ type: 'message', prompt: 'Hang.' }));
      await h.mock.waitForRequests(before + 1);
      const pids = h.gateway.processes.livePids();
      expect(pids).toHaveLength(1);
      ws.send(JSON.stringify({ type: 'cancel' }));
      expect(await next(ends)).toMatchObject({ type: 'error', error: { code: 'CANCELLED' } });
      expect(await eventually(() => pids.every((pid) => !isAlive(pid)), 2_000)).toBe(true);
      // The cancelled turn is not part of the history.
      const history = await json<{ total: number }>(await api('GET', `/sessions/${id}/messages`));
      expect(history.total).toBe(4);
    } finally {
      ws.close();
      h.mock.setHandler((req) => text(`echo: ${lastUserText(req)}`));
    }
  });

  it('accepts a single-use ticket offered as a subprotocol instead of a header', async () => {
    const id = await createSession();
    const issued = await api('POST', '/ws-tickets');
    expect(issued.status).toBe(201);
    const { ticket } = await json<{ ticket: string }>(issued);
    const url = `${h.origin.replace('http', 'ws')}/api/v1/sessions/${id}/ws`;
    const { ws, next } = await openSocket(url, {}, ['claude-gateway.v1', `ticket.${ticket}`]);
    try {
      expect(ws.protocol).toBe('claude-gateway.v1');
      ws.send(JSON.stringify({ type: 'message', prompt: 'Via ticket.' }));
      expect(await next(ends)).toMatchObject({ type: 'complete', response: 'echo: Via ticket.' });
    } finally {
      ws.close();
    }
    // Used once: a second upgrade with it is refused, as is one with no credentials at all.
    await expect(openSocket(url, {}, ['claude-gateway.v1', `ticket.${ticket}`])).rejects.toThrow(/401/);
    await expect(openSocket(url)).rejects.toThrow(/401/);
  });

  it('refuses upgrades it will not accept with the native error body', async () => {
    const id = await createSession();
    const refusal = (path: string, key?: string) =>
      new Promise<{ status: number; type: string | undefined; body: Record<string, unknown> }>(
        (resolve, reject) => {
          const ws = new WebSocket(`${h.origin.replace('http', 'ws')}/api/v1${path}`, {
            headers: key ? { 'x-api-key': key } : {},
          });
          ws.once('open', () => reject(new Error(`${path} was accepted`)));
          ws.once('error', reject);
          ws.once('unexpected-response', (_request, response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => {
              body += chunk.toString('utf8');
            });
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                type: response.headers['content-type'],
                body: JSON.parse(body) as Record<string, unknown>,
              }),
            );
          });
        },
      );
    const noKey = await refusal(`/sessions/${id}/ws`);
    expect(noKey).toMatchObject({ status: 401, body: { error: { code: 'MISSING_API_KEY' } } });
    expect(noKey.type).toMatch(/^application\/json/);
    expect(noKey.body).toHaveProperty('requestId');
    expect(await refusal('/sessions/nope/ws', OWNER)).toMatchObject({
      status: 404,
      body: { error: { code: 'SESSION_NOT_FOUND' } },
    });
    expect(await refusal(`/sessions/${id}/ws`, OTHER)).toMatchObject({
      status: 404,
      body: { error: { code: 'SESSION_NOT_FOUND' } },
    });
  });

  it('answers 409 SESSION_BUSY to a second turn while one runs', async () => {
    const id = await createSession();
    h.mock.setHandler((req) => text(`echo: ${lastUserText(req)}`, { firstByteDelayMs: 1_500 }));
    try {
      const before = h.mock.requests.length;
      const slow = api('POST', `/sessions/${id}/messages`, { prompt: 'Slow.' });
      await h.mock.waitForRequests(before + 1);
      const busy = await api('POST', `/sessions/${id}/messages`, { prompt: 'Me too.' });
      expect(busy.status).toBe(409);
      expect(await json(busy)).toMatchObject({ error: { code: 'SESSION_BUSY' } });
      expect((await slow).status).toBe(200);
    } finally {
      h.mock.setHandler((req) => text(`echo: ${lastUserText(req)}`));
    }
  });

  it("hides another key's session, deletes a session, and answers 404 after", async () => {
    const id = await createSession();
    await api('POST', `/sessions/${id}/messages`, { prompt: 'Hello, delete me.' });
    const holdsIt = async () =>
      (await sessionFiles(h)).some((file) => file.turns.includes('user: Hello, delete me.'));
    expect(await holdsIt()).toBe(true);
    for (const [method, path] of [
      ['GET', `/sessions/${id}`],
      ['GET', `/sessions/${id}/messages`],
      ['POST', `/sessions/${id}/messages`],
      ['DELETE', `/sessions/${id}`],
    ] as const) {
      const response = await api(method, path, method === 'POST' ? { prompt: 'x' } : undefined, OTHER);
      expect(response.status).toBe(404);
      expect(await json(response)).toMatchObject({ error: { code: 'SESSION_NOT_FOUND' } });
    }
    const others = await json<{ sessions: Array<{ sessionId: string }> }>(
      await api('GET', '/sessions', undefined, OTHER),
    );
    expect(others.sessions.map((s) => s.sessionId)).not.toContain(id);

    expect((await api('DELETE', `/sessions/${id}`)).status).toBe(200);
    // Claude Code's session file is gone with it.
    expect(await holdsIt()).toBe(false);
    expect((await api('GET', `/sessions/${id}`)).status).toBe(404);
    expect((await api('POST', `/sessions/${id}/messages`, { prompt: 'x' })).status).toBe(404);
  });

  it('deleting a session aborts its running turn: the Claude Code process is gone, then 404', async () => {
    const id = await createSession();
    h.mock.setHandler(() => ({ kind: 'hang' }));
    try {
      const before = h.mock.requests.length;
      const streaming = api('POST', `/sessions/${id}/stream`, { prompt: 'Hang on.' });
      await h.mock.waitForRequests(before + 1);
      const pids = h.gateway.processes.livePids();
      expect(pids).toHaveLength(1);
      expect(await json(await api('GET', `/sessions/${id}`))).toMatchObject({ status: 'running' });
      expect((await api('DELETE', `/sessions/${id}`)).status).toBe(200);
      expect(await eventually(() => pids.every((pid) => !isAlive(pid)), 2_000)).toBe(true);
      // The stream the turn was on ends (with an error event or a cut connection), never a complete.
      const events = await readSse(await streaming).then(
        (read) => read.events,
        () => [],
      );
      expect(events.some((event) => event.event === 'complete')).toBe(false);
      expect((await api('GET', `/sessions/${id}`)).status).toBe(404);
    } finally {
      h.mock.setHandler((req) => text(`echo: ${lastUserText(req)}`));
    }
  });

  it('documents the native paths in the OpenAPI document', async () => {
    const document = await json<{ paths: Record<string, unknown> }>(await fetch(`${h.origin}/openapi.json`));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/sessions',
        '/api/v1/sessions/{id}/messages',
        '/api/v1/sessions/{id}/ws',
      ]),
    );
  });

  it('answers errors in the native shape', async () => {
    const missing = await api('GET', '/sessions/nope');
    expect(missing.status).toBe(404);
    const body = await json(missing);
    expect(body).toMatchObject({ error: { code: 'SESSION_NOT_FOUND', details: {} } });
    expect(Object.keys(body).sort()).toEqual(['error', 'requestId', 'timestamp']);
    expect(body.requestId).toBe(missing.headers.get('x-request-id'));

    const noKey = await fetch(`${h.origin}/api/v1/sessions`);
    expect(noKey.status).toBe(401);
    expect(await json(noKey)).toMatchObject({ error: { code: 'MISSING_API_KEY' } });
    const badKey = await api('GET', '/sessions', undefined, 'sk-wrong-key');
    expect(await json(badKey)).toMatchObject({ error: { code: 'INVALID_API_KEY' } });

    const invalid = await api('POST', '/sessions', { maxTurns: 'many' });
    expect(invalid.status).toBe(400);
    expect(await json(invalid)).toMatchObject({
      error: { code: 'INVALID_REQUEST', details: { param: 'maxTurns' } },
    });
  });
});

describe('failed WebSocket turns', () => {
  it('release the session before the error frame: the next turn runs at once', async () => {
    await failThenTurnAgain(h);
  });
});

describe('native API limits', () => {
  it('sends X-RateLimit-* (reset in Unix seconds) on the turns of limited keys, and 429 RATE_LIMIT_EXCEEDED past the limit', async () => {
    const { key } = await h.gateway.store.keys.create({ name: 'native-rpm', policy: { rpm: 2 } });
    // Creating a session runs nothing: it does not count against the key's requests per minute.
    const id = await createSession(h, key);
    expect((await api('GET', '/sessions', undefined, key)).headers.get('x-ratelimit-limit')).toBeNull();
    const turn = () => api('POST', `/sessions/${id}/messages`, { prompt: 'Counted.' }, key);
    const first = await turn();
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining')).toBe('1');
    // The OpenAI headers every surface's limited runs carry.
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    const reset = Number(first.headers.get('x-ratelimit-reset'));
    const nowSeconds = Date.now() / 1000;
    expect(reset).toBeGreaterThan(nowSeconds);
    expect(reset).toBeLessThanOrEqual(Math.ceil(nowSeconds) + 60);
    expect((await turn()).status).toBe(200);
    const limited = await turn();
    expect(limited.status).toBe(429);
    expect(await json(limited)).toMatchObject({ error: { code: 'RATE_LIMIT_EXCEEDED' } });
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Unlimited keys get none.
    const unlimited = await createSession(h);
    const free = await api('POST', `/sessions/${unlimited}/messages`, { prompt: 'Free.' });
    expect(free.status).toBe(200);
    expect(free.headers.get('x-ratelimit-limit')).toBeNull();
  });
});

describe('key policy on WebSocket turns', () => {
  it('counts each WebSocket turn against the key (rpm) and audits it with its usage', async () => {
    const { record, key } = await h.gateway.store.keys.create({ name: 'native-ws-rpm', policy: { rpm: 2 } });
    const id = await createSession(h, key); // runs nothing, so it does not count
    const { ws, next } = await openSocket(`${h.origin.replace('http', 'ws')}/api/v1/sessions/${id}/ws`, {
      headers: { 'x-api-key': key },
    });
    try {
      for (const prompt of ['Counted.', 'Counted too.']) {
        ws.send(JSON.stringify({ type: 'message', prompt }));
        expect(await next(ends)).toMatchObject({ type: 'complete', response: `echo: ${prompt}` });
      }
      ws.send(JSON.stringify({ type: 'message', prompt: 'One too many.' }));
      expect(await next(ends)).toMatchObject({ type: 'error', error: { code: 'RATE_LIMIT_EXCEEDED' } });
    } finally {
      ws.close();
    }
    const rows = (await h.gateway.store.audit.recent(20)).filter((row) => row.keyId === record.id);
    const turn = rows.find((row) => row.method === 'WS' && row.status === 200);
    expect(turn).toMatchObject({ path: `/api/v1/sessions/${id}/ws`, status: 200, stream: true });
    expect(turn?.completionTokens).toBeGreaterThan(0);
    // The refused turn is audited too, with its 429.
    expect(rows.filter((row) => row.method === 'WS').map((row) => row.status)).toEqual(
      expect.arrayContaining([200, 429]),
    );
  });
});

describe('native sessions across a restart', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it('keeps the session and its transcript; the next turn continues it', async () => {
    const mock = await startMockAnthropic();
    cleanup.push(() => mock.close());
    const dataDir = await mkdtemp(path.join(tmpdir(), 'claude-gateway-native-'));
    cleanup.push(() => rm(dataDir, { recursive: true, force: true }));
    const config = { GATEWAY_API_KEYS: OWNER, DATA_DIR: dataDir };

    const before = await startHarness({ mock, config });
    let id: string;
    try {
      id = await createSession(before);
      const first = await fetch(`${before.origin}/api/v1/sessions/${id}/messages`, {
        method: 'POST',
        headers: { 'x-api-key': OWNER, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'Remember 7.' }),
      });
      expect(first.status).toBe(200);
    } finally {
      await before.close();
    }

    const after = await startHarness({ mock, config });
    try {
      const details = await fetch(`${after.origin}/api/v1/sessions/${id}`, {
        headers: { 'x-api-key': OWNER },
      });
      expect(await json(details)).toMatchObject({ sessionId: id, messageCount: 2 });
      const next = await fetch(`${after.origin}/api/v1/sessions/${id}/messages`, {
        method: 'POST',
        headers: { 'x-api-key': OWNER, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'Which number?' }),
      });
      expect(await json(next)).toMatchObject({ response: 'echo: Which number?' });
      expect(conversationOf(mock.requests.at(-1))).toEqual([
        'user: Remember 7.',
        'assistant: echo: Remember 7.',
        'user: Which number?',
      ]);
    } finally {
      await after.close();
    }
  });
});
