import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startNodeServer } from './node-server.js';

const LIMITS = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 5_000,
  keepAliveTimeoutMs: 1_000,
  maxConnections: 50,
};

let server: Server | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  wss?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** An app with one WebSocket route that refuses callers without `x-key` the way the gateway does. */
async function start(): Promise<number> {
  const app = new Hono();
  app.get('/ws', async (c, next) => {
    if (c.req.header('x-key') !== 'good') {
      return c.json({ error: { code: 'MISSING_API_KEY', message: 'No key.', details: {} } }, 401);
    }
    return upgradeWebSocket(() => ({
      onMessage: (event, ws) => ws.send(`echo ${String(event.data)}`),
    }))(c, next);
  });
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.onError((_error, c) => c.json({ error: { code: 'INTERNAL_ERROR', message: 'Failed.' } }, 500));
  wss = new WebSocketServer({ noServer: true });
  server = startNodeServer({
    fetch: app.fetch,
    port: 0,
    hostname: '127.0.0.1',
    limits: LIMITS,
    websocket: { server: wss },
  });
  await new Promise<void>((resolve) => server?.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** Sends raw request text and reads until the server closes the connection (bounded). */
function raw(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s; got ${JSON.stringify(received)}`));
    }, 5_000);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(received);
    });
    socket.on('error', reject);
    socket.write(request);
  });
}

const upgrade = (path: string, extra = '') =>
  `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
  `Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n${extra}\r\n`;

function parse(answer: string): { status: number; headers: string; body: string } {
  const [head = '', body = ''] = answer.split('\r\n\r\n');
  return { status: Number(head.split(' ')[1]), headers: head.toLowerCase(), body };
}

describe('refused WebSocket upgrades', () => {
  it('answer with the app’s status, JSON content type and error body', async () => {
    const port = await start();
    const answer = parse(await raw(port, upgrade('/ws')));
    expect(answer.status).toBe(401);
    expect(answer.headers).toContain('content-type: application/json');
    expect(answer.headers).toContain(`content-length: ${Buffer.byteLength(answer.body)}`);
    expect(JSON.parse(answer.body)).toEqual({
      error: { code: 'MISSING_API_KEY', message: 'No key.', details: {} },
    });
    const missing = parse(await raw(port, upgrade('/nowhere')));
    expect(missing.status).toBe(404);
    expect(missing.body.length).toBeGreaterThan(0);
    const failed = parse(await raw(port, upgrade('/boom')));
    expect(failed.status).toBe(500);
    expect(failed.body.length).toBeGreaterThan(0);
  });

  it('answer an Upgrade other than websocket with a 400 instead of leaving the connection open', async () => {
    const port = await start();
    const answer = parse(
      await raw(port, 'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n'),
    );
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'upgrade_not_supported' } });
  });

  it('still accept the upgrades the app accepts', async () => {
    const port = await start();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, { headers: { 'x-key': 'good' } });
    const echoed = await new Promise<string>((resolve, reject) => {
      ws.once('open', () => ws.send('hi'));
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    ws.close();
    expect(echoed).toBe('echo hi');
  });
});
