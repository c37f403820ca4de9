import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

/** One SSE frame, already in its surface's terms (`event:` name optional, `data:` text). */
export interface SseFrame {
  event?: string;
  data: string;
  /** The frame's `id:` (what a client sends back as Last-Event-ID to resume). */
  id?: string;
}

export interface SseOptions {
  keepAliveMs: number;
  /**
   * Sent after each `keepAliveMs` of silence instead of the `: keepalive` comment, for wires that
   * have a frame for it (Anthropic's `ping` event).
   */
  keepAliveFrame?: SseFrame;
  /** Called when the client goes away mid-stream. */
  onAbort: () => void;
}

/**
 * Writes the frames a surface gives it, knowing no wire: comment keep-alives while the model is
 * silent (thinking, tools) so proxies do not cut the stream, no proxy buffering, and `onAbort` when
 * the client leaves. Terminators (`[DONE]`, `message_stop`) and error frames are the surface's.
 */
export function writeSse(c: Context, frames: AsyncIterable<SseFrame>, options: SseOptions): Response {
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache');
  return streamSSE(c, async (stream) => {
    stream.onAbort(options.onAbort);
    const { keepAliveFrame } = options;
    const keepAlive = setInterval(() => {
      void (keepAliveFrame ? stream.writeSSE(keepAliveFrame) : stream.write(': keepalive\n\n'));
    }, options.keepAliveMs);
    try {
      for await (const frame of frames) {
        await stream.writeSSE({
          data: frame.data,
          ...(frame.event !== undefined ? { event: frame.event } : {}),
          ...(frame.id !== undefined ? { id: frame.id } : {}),
        });
      }
    } finally {
      clearInterval(keepAlive);
    }
  });
}
