import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, upgradeWebSocket } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { RunEvent } from '../../contract/run-events.js';
import type { RunRequest } from '../../contract/run-service.js';
import type { Script } from '../../core/test-support.js';
import { selectProtocol, WS_PROTOCOL } from '../../http/ws-tickets.js';
import { echo, setup } from './test-support.js';

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

async function listen(script: Script) {
  const harness = setup(script, { upgradeWebSocket });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: selectProtocol });
  const server = serve({
    fetch: harness.app.fetch,
    port: 0,
    hostname: '127.0.0.1',
    websocket: { server: wss },
  }) as Server;
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  close = async () => {
    for (const client of wss.clients) client.terminate();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  const { port } = server.address() as AddressInfo;
  return { ...harness, url: (id: string) => `ws://127.0.0.1:${port}/api/v1/sessions/${id}/ws` };
}

/** Resolves with the frames of one turn, up to and including its complete or error frame. */
function turnFrames(ws: WebSocket): Promise<Array<Record<string, unknown>>> {
  return new Promise((resolve) => {
    const frames: Array<Record<string, unknown>> = [];
    const onMessage = (data: WebSocket.RawData) => {
      const frame = JSON.parse(String(data)) as Record<string, unknown>;
      frames.push(frame);
      if (frame.type === 'complete' || frame.type === 'error') {
        ws.off('message', onMessage);
        resolve(frames);
      }
    };
    ws.on('message', onMessage);
  });
}

function connect(url: string, options: WebSocket.ClientOptions, protocols?: string[]): Promise<WebSocket> {
  const ws = protocols ? new WebSocket(url, protocols, options) : new WebSocket(url, options);
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('error', reject);
  });
}

describe('the native WebSocket over a scripted run service', () => {
  it('runs several turns on one socket, each continuing the session', async () => {
    const { call, url, run } = await listen(echo);
    const created = await call('POST', '/api/v1/sessions', {});
    const { sessionId } = (await created.json()) as { sessionId: string };
    const ws = await connect(url(sessionId), { headers: { 'x-api-key': 'k1' } });
    let frames = turnFrames(ws);
    ws.send(JSON.stringify({ type: 'message', prompt: 'One.' }));
    expect(await frames).toEqual([
      { type: 'text_delta', text: 'echo: ' },
      { type: 'text_delta', text: 'One.' },
      expect.objectContaining({ type: 'complete', response: 'echo: One.', sessionId }),
    ]);
    frames = turnFrames(ws);
    ws.send(JSON.stringify({ type: 'message', prompt: 'Two.' }));
    expect((await frames).at(-1)).toMatchObject({ type: 'complete', response: 'echo: Two.' });
    expect(run.requests[1]?.plan.history).toHaveLength(2);
    // Each frame is a turn of its own, admitted under the key's policy.
    expect(run.admitted.map((admitted) => admitted.principal?.id)).toEqual(['k1', 'k1']);
    ws.close();
  });

  it('cancels a running turn: the run is aborted and the turn ends with CANCELLED', async () => {
    let aborted: AbortSignal | undefined;
    const { call, url } = await listen(async function* (request: RunRequest): AsyncGenerator<RunEvent> {
      aborted = request.signal;
      yield { type: 'text_delta', text: 'thinking...' };
      // Like a real run: it ends when aborted, also when that happened before it got here.
      if (!request.signal.aborted)
        await new Promise((resolve) => request.signal.addEventListener('abort', resolve));
    });
    const { sessionId } = (await (await call('POST', '/api/v1/sessions', {})).json()) as {
      sessionId: string;
    };
    const ws = await connect(url(sessionId), { headers: { 'x-api-key': 'k1' } });
    const frames = turnFrames(ws);
    ws.once('message', () => ws.send(JSON.stringify({ type: 'cancel' })));
    ws.send(JSON.stringify({ type: 'message', prompt: 'Long.' }));
    expect((await frames).at(-1)).toMatchObject({ type: 'error', error: { code: 'CANCELLED' } });
    expect(aborted?.aborted).toBe(true);
    ws.close();
  });

  it('authenticates by a ticket offered as a subprotocol, once, and refuses other keys and bad frames', async () => {
    const { call, url, tickets } = await listen(echo);
    const { sessionId } = (await (await call('POST', '/api/v1/sessions', {})).json()) as {
      sessionId: string;
    };
    const issued = await call('POST', '/api/v1/ws-tickets');
    expect(issued.status).toBe(201);
    const { ticket } = (await issued.json()) as { ticket: string };
    const ws = await connect(url(sessionId), {}, [WS_PROTOCOL, `ticket.${ticket}`]);
    expect(ws.protocol).toBe(WS_PROTOCOL);
    const frames = turnFrames(ws);
    ws.send('not json');
    expect(await frames).toEqual([
      { type: 'error', error: expect.objectContaining({ code: 'INVALID_REQUEST' }) },
    ]);
    ws.close();

    await expect(connect(url(sessionId), {}, [WS_PROTOCOL, `ticket.${ticket}`])).rejects.toThrow('HTTP 401');
    await expect(connect(url(sessionId), { headers: { 'x-api-key': 'k2' } })).rejects.toThrow('HTTP 404');
    const otherTicket = tickets.issue({ id: 'k2', name: 'k2', admin: false, source: 'store', policy: {} });
    await expect(connect(url(sessionId), {}, [WS_PROTOCOL, `ticket.${otherTicket.ticket}`])).rejects.toThrow(
      'HTTP 404',
    );
  });
});
