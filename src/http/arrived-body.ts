import type { IncomingMessage } from 'node:http';
import { nodeRequestOf } from './node-response.js';

/**
 * Hands @hono/node-server a request body that has already arrived whole, read at once. The library
 * reads a body through its stream's events, which take a few event-loop turns even when every byte
 * is already buffered (as a small body is, sent with its headers): about 0.3 ms before a turn can
 * start. It reads a request's `rawBody` first (the hook that servers which buffer the body
 * themselves use), so the bytes are put there. A body not all there yet, one without a
 * Content-Length, or one somebody already reads is left to the usual path.
 */
export function takeArrivedBody(env: unknown): void {
  const incoming = nodeRequestOf(env);
  if (!incoming || incoming.readableFlowing !== null || incoming.readableDidRead) return;
  if (incoming.readableEncoding !== null) return;
  const length = Number(incoming.headers['content-length']);
  if (!Number.isSafeInteger(length) || length <= 0 || incoming.readableLength !== length) return;
  const bytes: unknown = incoming.read(length);
  if (Buffer.isBuffer(bytes)) (incoming as IncomingMessage & { rawBody?: Buffer }).rawBody = bytes;
}
