import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { ChatCompletionChunk } from '../openai/chat-response.js';
import type { GatewayError } from '../openai/errors.js';

export type SseEvent = { kind: 'chunk'; chunk: ChatCompletionChunk } | { kind: 'error'; error: GatewayError };

export interface SseOptions {
  keepAliveMs: number;
  /** Called when the client goes away mid-stream. */
  onAbort: () => void;
}

/**
 * Writes OpenAI's SSE dialect: `data: <json>` frames, `data: [DONE]` at the end, an error after the
 * first byte as a `data: {"error":…}` frame (openai-node raises it as an APIError), and comment
 * keep-alives while the model is silent (thinking, tools) so proxies do not cut the stream.
 */
export function writeOpenAISse(c: Context, events: AsyncIterable<SseEvent>, options: SseOptions): Response {
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache');
  return streamSSE(c, async (stream) => {
    stream.onAbort(options.onAbort);
    const keepAlive = setInterval(() => {
      void stream.write(': keepalive\n\n');
    }, options.keepAliveMs);
    try {
      for await (const event of events) {
        if (event.kind === 'error') {
          await stream.writeSSE({ data: JSON.stringify(event.error.toBody()) });
          return;
        }
        await stream.writeSSE({ data: JSON.stringify(event.chunk) });
      }
      await stream.writeSSE({ data: '[DONE]' });
    } finally {
      clearInterval(keepAlive);
    }
  });
}
