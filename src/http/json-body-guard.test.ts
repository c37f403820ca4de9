import type { IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { type ServerType, serve as serveNode } from '@hono/node-server';
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

describe('jsonBodyGuard under Node', () => {
  type Seen = { json: unknown; rawBody: boolean };
  async function listen(): Promise<{ port: number; seen: Seen[]; close(): Promise<void> }> {
    const seen: Seen[] = [];
    const app = new Hono<{ Bindings: { incoming: IncomingMessage & { rawBody?: Buffer } } }>();
    // As the gateway's key check does: the guard runs once the socket's data has been parsed.
    app.use(async (_c, next) => {
      await Promise.resolve();
      await next();
    });
    app.use(jsonBodyGuard({ maxDepth: 8 }));
    app.post('/', async (c) => {
      seen.push({ json: await c.req.json(), rawBody: Buffer.isBuffer(c.env.incoming.rawBody) });
      return c.text('ok');
    });
    const server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serveNode({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () =>
        resolve(started),
      );
    });
    return {
      port: (server.address() as AddressInfo).port,
      seen,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  /** Sends the head and the body's parts as separate writes, `gapMs` apart; resolves with the status. */
  function post(port: number, parts: string[], gapMs: number, chunked = false): Promise<string> {
    const length = parts.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
    const head = [
      'POST / HTTP/1.1',
      'host: 127.0.0.1',
      'content-type: application/json',
      chunked ? 'transfer-encoding: chunked' : `content-length: ${length}`,
      'connection: close',
      '',
      '',
    ].join('\r\n');
    const frame = (part: string) =>
      chunked ? `${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n` : part;
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (data: string) => {
        answer += data;
      });
      socket.on('end', () => resolve(answer.split('\r\n')[0] ?? ''));
      socket.on('error', reject);
      socket.write(head + frame(parts[0] ?? ''));
      const rest = parts.slice(1);
      const next = () => {
        const part = rest.shift();
        if (part === undefined) {
          if (chunked) socket.write('0\r\n\r\n');
          return;
        }
        setTimeout(() => {
          socket.write(frame(part));
          next();
        }, gapMs);
      };
      next();
    });
  }

  it('takes a body that arrived with its headers at once, and one still arriving the usual way', async () => {
    const server = await listen();
    try {
      const body = JSON.stringify({ messages: [{ role: 'user', content: 'héllo' }] });
      expect(await post(server.port, [body], 0)).toBe('HTTP/1.1 200 OK');
      const cut = body.length - 7;
      expect(await post(server.port, [body.slice(0, cut), body.slice(cut)], 30)).toBe('HTTP/1.1 200 OK');
      expect(await post(server.port, [body.slice(0, cut), body.slice(cut)], 5, true)).toBe('HTTP/1.1 200 OK');
      expect(server.seen).toEqual([
        { json: JSON.parse(body), rawBody: true },
        { json: JSON.parse(body), rawBody: false },
        { json: JSON.parse(body), rawBody: false },
      ]);
    } finally {
      await server.close();
    }
  });
});
