import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { type SseFrame, writeSse } from './sse.js';

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
