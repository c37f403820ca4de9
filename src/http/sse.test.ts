import type { ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerType, serve as serveNode } from '@hono/node-server';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { addHeadersLater } from './late-headers.js';
import { answersOnSocket } from './node-response.js';
import { type SseFrame, sseText, writeSse } from './sse.js';

/** Frames that arrive only after a silence of `silenceMs`. */
async function* afterSilence(silenceMs: number): AsyncGenerator<SseFrame> {
  await new Promise((resolve) => setTimeout(resolve, silenceMs));
  yield { event: 'message_stop', data: '{"type":"message_stop"}' };
}

function serve(keepAliveFrame?: SseFrame) {
  const app = new Hono();
  app.get('/stream', (c) =>
    writeSse(c, afterSilence(60), {
      // The keep-alive timer is due long before the frame's timer, so Node fires it first.
      keepAliveMs: 5,
      ...(keepAliveFrame ? { keepAliveFrame } : {}),
      onAbort: () => {},
    }),
  );
  return app;
}

describe('writeSse keep-alives', () => {
  it('sends comment lines while the surface is silent', async () => {
    const body = await (await serve().request('/stream')).text();
    expect(body).toContain(': keepalive\n\n');
    expect(body.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);
  });

  it("sends the surface's own keep-alive frame instead when given one (Anthropic ping)", async () => {
    const body = await (await serve({ event: 'ping', data: '{"type":"ping"}' }).request('/stream')).text();
    expect(body).toContain('event: ping\ndata: {"type":"ping"}\n\n');
    expect(body).not.toContain(': keepalive');
  });
});

describe('sseText', () => {
  it('writes a multi-line data as one data line per line, with its event and id', () => {
    expect(sseText({ event: 'delta', data: 'a\nb\r\nc', id: '7' })).toBe(
      'event: delta\ndata: a\ndata: b\ndata: c\nid: 7\n\n',
    );
    expect(sseText({ data: '[DONE]' })).toBe('data: [DONE]\n\n');
  });

  it('refuses an event name or id that would break the frame', () => {
    expect(() => sseText({ event: 'a\nb', data: '' })).toThrow();
    expect(() => sseText({ id: 'a\rb', data: '' })).toThrow();
  });
});

describe('writeSse under Node', () => {
  async function listen(app: Hono): Promise<{ url: string; close(): Promise<void> }> {
    const server = await new Promise<ServerType>((resolve) => {
      const started: ServerType = serveNode(
        { fetch: answersOnSocket(app.fetch), port: 0, hostname: '127.0.0.1' },
        () => resolve(started),
      );
    });
    const { port } = server.address() as AddressInfo;
    return {
      url: `http://127.0.0.1:${port}`,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    };
  }

  it("sends the route's headers, those middlewares add later, and every frame", async () => {
    const app = new Hono();
    app.use(async (c, next) => {
      c.header('x-before', 'yes');
      addHeadersLater(c, () => c.header('x-late', 'added'));
      await next();
      // Too late for a stream, and harmless: Hono's copy of the response is not what was sent.
      c.header('x-after', 'never sent');
    });
    app.get('/stream', (c) =>
      writeSse(
        c,
        (async function* () {
          yield { data: 'one' };
          yield { event: 'last', data: 'two' };
        })(),
        { keepAliveMs: 60_000, onAbort: () => {} },
      ),
    );
    const server = await listen(app);
    const serverErrors = vi.spyOn(console, 'error');
    try {
      const response = await fetch(`${server.url}/stream`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream');
      expect(response.headers.get('x-before')).toBe('yes');
      expect(response.headers.get('x-late')).toBe('added');
      expect(response.headers.get('x-hono-already-sent')).toBeNull();
      expect(await response.text()).toBe('data: one\n\nevent: last\ndata: two\n\n');
      expect(response.headers.get('x-after')).toBeNull();
      // @hono/node-server logs what it could not send (headers written twice) with console.error.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(serverErrors).not.toHaveBeenCalled();
    } finally {
      serverErrors.mockRestore();
      await server.close();
    }
  });

  it('sends the headers at once when the first frame is not there yet (a held run)', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = new Hono();
    app.get('/stream', (c) =>
      writeSse(
        c,
        (async function* () {
          await gate;
          yield { data: 'late' };
        })(),
        { keepAliveMs: 60_000, onAbort: () => {} },
      ),
    );
    const server = await listen(app);
    try {
      // Resolves on the headers alone: the frame is only released once they are in.
      const response = await fetch(`${server.url}/stream`);
      expect(response.status).toBe(200);
      release();
      expect(await response.text()).toBe('data: late\n\n');
    } finally {
      release();
      await server.close();
    }
  });

  it('sends a frame at once, not after the promise callbacks queued behind its write', async () => {
    const corked: number[] = [];
    const app = new Hono();
    app.get('/stream', (c) => {
      const socket = (c.env as { outgoing: ServerResponse }).outgoing.socket;
      return writeSse(
        c,
        (async function* () {
          yield { data: 'one' };
          // Asked for the next frame right after the first was written, still inside the promise
          // chain: Node's own uncork would only come once that chain is done.
          corked.push(socket?.writableCorked ?? -1);
          yield { data: 'two' };
        })(),
        { keepAliveMs: 60_000, onAbort: () => {} },
      );
    });
    const server = await listen(app);
    try {
      const response = await fetch(`${server.url}/stream`);
      expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
      expect(corked).toEqual([0]);
    } finally {
      await server.close();
    }
  });

  it('lets the middlewares see the response once the second frame is out, not at the first', async () => {
    let unwound = false;
    const seen: boolean[] = [];
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
    const app = new Hono();
    app.use(async (_c, next) => {
      await next();
      unwound = true;
    });
    app.get('/stream', (c) =>
      writeSse(
        c,
        (async function* () {
          yield { data: 'one' };
          await nextTurn();
          seen.push(unwound);
          yield { data: 'two' };
          await nextTurn();
          seen.push(unwound);
        })(),
        { keepAliveMs: 60_000, onAbort: () => {}, handOverMs: 60_000 },
      ),
    );
    const server = await listen(app);
    try {
      const response = await fetch(`${server.url}/stream`);
      expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
      expect(seen).toEqual([false, true]);
    } finally {
      await server.close();
    }
  });

  it('lets the middlewares see the response of a stream silent after its first frame, and goes on', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let unwound = () => {};
    const middlewaresDone = new Promise<void>((resolve) => {
      unwound = resolve;
    });
    const app = new Hono();
    app.use(async (_c, next) => {
      await next();
      unwound();
    });
    app.get('/stream', (c) =>
      writeSse(
        c,
        (async function* () {
          yield { data: 'one' };
          await gate;
          yield { data: 'two' };
        })(),
        { keepAliveMs: 60_000, onAbort: () => {}, handOverMs: 5 },
      ),
    );
    const server = await listen(app);
    try {
      const response = await fetch(`${server.url}/stream`);
      // Only the timer can let the middlewares go on here: the second frame waits for the gate.
      await middlewaresDone;
      release();
      expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
    } finally {
      release();
      await server.close();
    }
  });

  it('calls onAbort when the client goes away mid-stream, and the frames are no longer read', async () => {
    let aborted = () => {};
    const abort = new Promise<void>((resolve) => {
      aborted = resolve;
    });
    let framesRead = 0;
    const app = new Hono();
    app.get('/stream', (c) =>
      writeSse(
        c,
        (async function* () {
          for (;;) {
            framesRead++;
            yield { data: 'tick' };
            await new Promise((resolve) => setTimeout(resolve, 5));
            if (framesRead > 400) return;
          }
        })(),
        { keepAliveMs: 60_000, onAbort: () => aborted() },
      ),
    );
    const server = await listen(app);
    try {
      const controller = new AbortController();
      const response = await fetch(`${server.url}/stream`, { signal: controller.signal });
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      await reader.read();
      controller.abort();
      await abort;
      expect(framesRead).toBeLessThan(400);
    } finally {
      await server.close();
    }
  });
});
