/** What every Responses route reads from a request and writes back the same way. */
import type { Context } from 'hono';
import '../../../http/context-variables.js';
import { GatewayError } from '../../../contract/gateway-error.js';
import type { SseFrame } from '../../../http/sse.js';
import type { ResponseStreamEvent } from './response-object.js';

/** Owner of stored responses when the gateway runs without keys (loopback use). */
export const NO_KEY_OWNER = 'anonymous';

/** The caller's key id, the owner of what it stores (a fixed id where auth is off). */
export function ownerOf(c: Context): string {
  return c.get('principal')?.id ?? NO_KEY_OWNER;
}

/** The JSON body, or a 400 in the Responses API's terms. */
export async function jsonOf(c: Context): Promise<unknown> {
  return c.req.json().catch(() => {
    throw new GatewayError({ kind: 'invalid_request', status: 400, message: 'The body is not valid JSON.' });
  });
}

/**
 * The Responses API's SSE dialect: each event named by its type (`event: response.created`) with
 * the same `type` inside `data` (Codex parses that one), and no `[DONE]`.
 */
export async function* sseFrames(events: AsyncIterable<ResponseStreamEvent>): AsyncGenerator<SseFrame> {
  for await (const event of events) yield { event: event.type, data: JSON.stringify(event) };
}
