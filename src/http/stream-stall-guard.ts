import type { ServerResponse } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { nodeResponseOf } from './node-response.js';

export interface StreamStallGuardOptions {
  /** STREAM_STALL_TIMEOUT_MS: how long a stream may sit with unsent data before it is cut. */
  stallMs: number;
  onStall?: (path: string) => void;
}

/**
 * A client that opens a stream and stops reading holds its run slot: the run waits on the stream's
 * backpressure. Once the socket has had data it could not hand to the client for `stallMs`, the
 * connection is closed; closing it aborts the run the same way a client hanging up does.
 */
export function streamStallGuard(options: StreamStallGuardOptions): MiddlewareHandler {
  return async function streamStallGuardMiddleware(c, next) {
    await next();
    if (!(c.res.headers.get('content-type') ?? '').startsWith('text/event-stream')) return;
    const outgoing = nodeResponseOf(c.env);
    if (!outgoing) return;
    watchStall(outgoing, options.stallMs, () => {
      options.onStall?.(c.req.path);
      outgoing.destroy();
    });
  };
}

/** Calls `onStall` once `stream` has needed a drain for `stallMs` without getting one. */
export function watchStall(
  stream: Pick<ServerResponse, 'writableNeedDrain' | 'once'>,
  stallMs: number,
  onStall: () => void,
): void {
  let blockedSince: number | undefined;
  const timer = setInterval(
    () => {
      if (!stream.writableNeedDrain) {
        blockedSince = undefined;
        return;
      }
      const now = Date.now();
      blockedSince ??= now;
      if (now - blockedSince < stallMs) return;
      clearInterval(timer);
      onStall();
    },
    Math.max(10, Math.min(1_000, Math.floor(stallMs / 4))),
  );
  timer.unref();
  stream.once('close', () => clearInterval(timer));
}
