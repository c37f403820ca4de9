import type { ServerResponse } from 'node:http';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import { applyLateHeaders } from './late-headers.js';
import { nodeResponseOf } from './node-response.js';

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
  /**
   * Under Node, the longest the middlewares wait for the stream's second frame before they see its
   * response (see `writeSse`); 50 ms unless given.
   */
  handOverMs?: number;
}

const KEEP_ALIVE_COMMENT = ': keepalive\n\n';
/** The frames a stream writes before the middlewares see its response (see `writeSse`). */
const HAND_OVER_AFTER_FRAMES = 2;
const HAND_OVER_MS = 50;
const STREAM_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
  'Transfer-Encoding': 'chunked',
  'X-Accel-Buffering': 'no',
};

/** A frame as it goes on the wire: a multi-line `data` becomes one `data:` line per line. */
export function sseText(frame: SseFrame): string {
  for (const field of [frame.event, frame.id]) {
    if (field !== undefined && /[\r\n]/.test(field))
      throw new Error('An SSE event name or id holds a newline');
  }
  let text = frame.event !== undefined ? `event: ${frame.event}\n` : '';
  for (const line of frame.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  if (frame.id !== undefined) text += `id: ${frame.id}\n`;
  return `${text}\n`;
}

/**
 * Writes the frames a surface gives it, knowing no wire: comment keep-alives while the model is
 * silent (thinking, tools) so proxies do not cut the stream, no proxy buffering, and `onAbort` when
 * the client leaves. Terminators (`[DONE]`, `message_stop`) and error frames are the surface's.
 *
 * Under Node the frames go straight to the socket: the headers leave with the first frame, before
 * the middlewares unwind, and no web stream sits between a frame and the socket (the first token
 * is the one latency a client of a live conversation feels); the server's fetch must be wrapped in
 * `answersOnSocket`. Elsewhere (`app.request` in tests) the same frames go through Hono's stream.
 */
export function writeSse(
  c: Context,
  frames: AsyncIterable<SseFrame>,
  options: SseOptions,
): Response | Promise<Response> {
  const keepAliveText = options.keepAliveFrame ? sseText(options.keepAliveFrame) : KEEP_ALIVE_COMMENT;
  for (const [name, value] of Object.entries(STREAM_HEADERS)) c.header(name, value);
  const outgoing = nodeResponseOf(c.env);
  if (!outgoing) {
    return streamSSE(c, async (stream) => {
      stream.onAbort(options.onAbort);
      await pumpFrames(frames, keepAliveText, options.keepAliveMs, {
        write: (text) => stream.write(text),
        gone: () => stream.aborted,
      });
    });
  }
  applyLateHeaders(c);
  const headers: Record<string, string> = {};
  for (const [name, value] of c.res.headers) headers[name] = value;
  outgoing.writeHead(200, headers);
  outgoing.once('close', () => {
    if (!outgoing.writableFinished) options.onAbort();
  });
  let written = 0;
  // Node sends the headers with the first write: a first frame that is not there yet (a run held
  // for an account's reset, a task's first event) must not hold them back.
  setImmediate(() => {
    if (written === 0 && !outgoing.destroyed) outgoing.flushHeaders();
  });
  const handOver = handOverOnce(() => c.body(null), options.handOverMs ?? HAND_OVER_MS);
  pumpFrames(frames, keepAliveText, options.keepAliveMs, {
    write: (text) => {
      const waits = writeOrWait(outgoing, text);
      if (++written === HAND_OVER_AFTER_FRAMES) handOver.now();
      return waits;
    },
    gone: () => outgoing.destroyed,
  })
    .then(
      () => outgoing.end(),
      // A surface whose frames fail mid-stream: the client sees the stream cut, not a clean end.
      (error: unknown) => outgoing.destroy(error instanceof Error ? error : new Error(String(error))),
    )
    .finally(handOver.now);
  // What the middlewares see (an event stream: accounting waits for the run's summary, the stall
  // guard watches the socket); `answersOnSocket` tells @hono/node-server it has been sent. They see
  // it once the stream's second frame is out (its first token, as a rule: the first frame is sent
  // as Claude Code's answer starts, and their after-work there would hold up the token behind it),
  // at its end, or after `handOverMs`, whichever comes first.
  return handOver.response;
}

/** The route's response, made and handed back once, by `now()` or after `afterMs`. */
function handOverOnce(
  respond: () => Response,
  afterMs: number,
): { response: Promise<Response>; now: () => void } {
  let now!: () => void;
  const response = new Promise<Response>((resolve) => {
    const timer = setTimeout(() => now(), afterMs);
    let done = false;
    now = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(respond());
    };
  });
  return { response, now };
}

interface FrameSink {
  write(text: string): unknown;
  /** The client is gone: nothing more is read from the frames (which ends their run). */
  gone(): boolean;
}

/** Writes each frame as it comes, and the keep-alive after each `keepAliveMs` of the stream's life. */
async function pumpFrames(
  frames: AsyncIterable<SseFrame>,
  keepAliveText: string,
  keepAliveMs: number,
  sink: FrameSink,
): Promise<void> {
  const keepAlive = setInterval(() => void sink.write(keepAliveText), keepAliveMs);
  try {
    for await (const frame of frames) {
      if (sink.gone()) break;
      await sink.write(sseText(frame));
    }
  } finally {
    clearInterval(keepAlive);
  }
}

/** Writes to the socket; waits while its buffer is full. Nothing is written once the client is gone. */
function writeOrWait(outgoing: ServerResponse, text: string): Promise<void> | undefined {
  if (outgoing.destroyed || outgoing.writableEnded) return undefined;
  const hasRoom = outgoing.write(text);
  // Node corks the socket for each write until its next tick, and from inside a promise chain that
  // tick comes only after every pending promise callback (the middlewares unwinding, the next
  // events): the frame leaves now instead.
  outgoing.socket?.uncork();
  if (hasRoom) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      outgoing.off('drain', done);
      outgoing.off('close', done);
      resolve();
    };
    outgoing.once('drain', done);
    outgoing.once('close', done);
  });
}
