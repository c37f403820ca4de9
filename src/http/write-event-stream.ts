import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';

/** One server-sent event: an optional `event:` name and its `data:` text. */
export interface EventFrame {
  event?: string;
  data: string;
}

export interface EventStreamOptions {
  keepAliveMs: number;
  /**
   * What is sent while the run is silent (thinking, tools), so proxies do not cut the stream: a
   * frame (Anthropic's `ping` event) or an SSE comment line (OpenAI clients ignore comments).
   */
  keepAlive: EventFrame | { comment: string };
  /** Called when the client goes away mid-stream. */
  onAbort: () => void;
}

/**
 * Writes frames as server-sent events, with a keep-alive frame each `keepAliveMs` of silence. Any
 * wire whose frames are named events (Anthropic Messages, OpenAI Responses) can use it.
 */
export function writeEventStream(
  c: Context,
  frames: AsyncIterable<EventFrame>,
  options: EventStreamOptions,
): Response {
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache');
  return streamSSE(c, async (stream) => {
    stream.onAbort(options.onAbort);
    let lastWrite = Date.now();
    const keepAlive = setInterval(() => {
      if (Date.now() - lastWrite < options.keepAliveMs) return;
      lastWrite = Date.now();
      const { keepAlive: frame } = options;
      void ('comment' in frame ? stream.write(`: ${frame.comment}\n\n`) : stream.writeSSE(frame));
    }, options.keepAliveMs);
    try {
      for await (const frame of frames) {
        lastWrite = Date.now();
        await stream.writeSSE(frame);
      }
    } finally {
      clearInterval(keepAlive);
    }
  });
}
