/**
 * A key's requests per minute are one budget of runs, counted at admission whatever surface or
 * transport a run came in on: chat, Messages, a native turn by POST and by WebSocket frame, a task.
 * Once it is spent, each surface refuses in its own error shape, with the rate-limit headers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useHarness } from '../helpers/gateway-harness.js';
import { bearer, chatBody, postJson } from './http.js';

const workspace = mkdtempSync(path.join(tmpdir(), 'rpm-surfaces-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const h = useHarness({
  config: {
    GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed',
    AGENT_MODE: 'true',
    AGENT_ALLOWED_ROOTS: workspace,
    AGENT_ALLOWED_TOOLS: 'Read',
  },
});

const messagesBody = { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
const taskBody = () => ({ prompt: 'Say hi.', cwd: workspace, tools: ['Read'] });

/** One WebSocket turn on a native session: the frame that ends it (`complete` or `error`). */
async function webSocketTurn(sessionId: string, key: string, prompt: string) {
  const url = `${h.origin.replace('http', 'ws')}/api/v1/sessions/${sessionId}/ws`;
  const ws = new WebSocket(url, { headers: { 'x-api-key': key } });
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const ended = new Promise<Record<string, unknown>>((resolve) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (frame.type === 'complete' || frame.type === 'error') resolve(frame);
      });
    });
    ws.send(JSON.stringify({ type: 'message', prompt }));
    return await ended;
  } finally {
    ws.close();
  }
}

function expectRefusedForRate(response: Response) {
  expect(response.status).toBe(429);
  expect(response.headers.get('x-ratelimit-limit-requests')).toBe('5');
  expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('0');
  expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

describe('requests per minute across surfaces and transports', () => {
  it('gives a key with rpm 5 five runs in all, then refuses each surface in its own shape', async () => {
    const { key } = await h.gateway.store.keys.create({
      name: 'five-a-minute',
      policy: { rpm: 5, agentTools: ['*'] },
    });
    const auth = bearer(key);
    const native = { 'x-api-key': key };

    // Streamed: a stream's headers leave with its first frame, before the route has returned.
    const chat = await postJson(h.origin, '/v1/chat/completions', chatBody('one', { stream: true }), auth);
    expect(chat.status).toBe(200);
    expect(chat.headers.get('content-type')).toContain('text/event-stream');
    expect(chat.headers.get('x-ratelimit-remaining-requests')).toBe('4');
    expect(await chat.text()).toContain('[DONE]');

    const messages = await postJson(h.origin, '/v1/messages', messagesBody, auth);
    expect(messages.status).toBe(200);
    expect(messages.headers.get('x-ratelimit-remaining-requests')).toBe('3');

    // Creating a session runs nothing and is not counted; its turns are.
    const created = await postJson(h.origin, '/api/v1/sessions', {}, native);
    expect(created.status).toBe(201);
    expect(created.headers.get('x-ratelimit-remaining-requests')).toBeNull();
    const { sessionId } = (await created.json()) as { sessionId: string };
    const turn = await postJson(
      h.origin,
      `/api/v1/sessions/${sessionId}/messages`,
      { prompt: 'three' },
      native,
    );
    expect(turn.status).toBe(200);
    expect(turn.headers.get('x-ratelimit-remaining-requests')).toBe('2');
    expect(turn.headers.get('x-ratelimit-remaining')).toBe('2');

    expect(await webSocketTurn(sessionId, key, 'four')).toMatchObject({ type: 'complete' });

    const task = await postJson(h.origin, '/api/v1/tasks', taskBody(), auth);
    expect(task.status).toBe(200);
    expect(await task.json()).toMatchObject({ status: 'completed' });
    expect(task.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const ran = h.mock.requests.length;

    const chatRefused = await postJson(h.origin, '/v1/chat/completions', chatBody('six'), auth);
    expectRefusedForRate(chatRefused);
    expect(await chatRefused.json()).toMatchObject({
      error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
    });

    const messagesRefused = await postJson(h.origin, '/v1/messages', messagesBody, auth);
    expectRefusedForRate(messagesRefused);
    expect(await messagesRefused.json()).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error' },
    });

    const turnRefused = await postJson(
      h.origin,
      `/api/v1/sessions/${sessionId}/messages`,
      { prompt: 'six' },
      native,
    );
    expectRefusedForRate(turnRefused);
    expect(turnRefused.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(await turnRefused.json()).toMatchObject({
      error: { code: 'RATE_LIMIT_EXCEEDED', details: { reason: 'rate_limit_exceeded' } },
    });

    expect(await webSocketTurn(sessionId, key, 'six')).toMatchObject({
      type: 'error',
      error: { code: 'RATE_LIMIT_EXCEEDED' },
    });

    const taskRefused = await postJson(h.origin, '/api/v1/tasks', taskBody(), auth);
    expectRefusedForRate(taskRefused);
    expect(await taskRefused.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });

    // No refused run reached Claude Code.
    expect(h.mock.requests).toHaveLength(ran);
  });
});
