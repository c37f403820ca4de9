import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ResponseStreamEvent } from './response-object.js';

/**
 * The Responses API's SSE dialect: each event named by its type (`event: response.created`) with
 * the same `type` inside `data` (Codex parses that one), no `[DONE]`, and comment keep-alives
 * while the model is silent so proxies do not cut the stream.
 */
export function writeResponsesSse(
  c: Context,
  events: AsyncIterable<ResponseStreamEvent>,
  options: { keepAliveMs: number; onAbort: () => void },
): Response {
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache');
  return streamSSE(c, async (stream) => {
    stream.onAbort(options.onAbort);
    const keepAlive = setInterval(() => {
      void stream.write(': keepalive\n\n');
    }, options.keepAliveMs);
    try {
      for await (const event of events) {
        await stream.writeSSE({ event: event.type, data: JSON.stringify(event) });
      }
    } finally {
      clearInterval(keepAlive);
    }
  });
}
