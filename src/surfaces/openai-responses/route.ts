import { Hono } from 'hono';
import '../../auth/context-variables.js';
import { GatewayError } from '../../core/gateway-error.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
import { foldResponse } from './fold.js';
import { locateImage } from './locate-image.js';
import { type ResponsesDeps, startResponseRun } from './respond.js';
import type { ResponseStreamEvent } from './response-object.js';
import { parseResponsesRequest } from './schema.js';
import { responseNotFound } from './stored-chain.js';

/** Names the hosted tools a request sent that Claude did not see (see the README). */
export const DROPPED_TOOLS_HEADER = 'x-gateway-dropped-tools';

/** Owner of stored responses when the gateway runs without keys (loopback use). */
const NO_KEY_OWNER = 'anonymous';

/** POST /responses, GET and DELETE /responses/{id}: the OpenAI Responses API. */
export function responsesRoutes(deps: ResponsesDeps) {
  const now = deps.now ?? Date.now;
  // Errors go to the app's one error funnel, which asks this surface's renderer (surface.ts).
  const app = new Hono();

  app.post('/responses', async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new GatewayError({
        kind: 'invalid_request',
        status: 400,
        message: 'The body is not valid JSON.',
      });
    });
    const request = parseResponsesRequest(body);
    const principal = c.get('principal');
    // Set by the request-accounting middleware: budget, audit and metrics learn how the run went.
    const onSummary = c.get('runHooks')?.onSummary;
    const disconnect = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => disconnect.abort(), { once: true });
    const started = await startResponseRun(deps, {
      request,
      ownerId: principal?.id ?? NO_KEY_OWNER,
      ...(principal ? { principal } : {}),
      runRequest: {
        origin: {
          ...(principal ? { callerId: principal.id } : {}),
          ...(request.user ? { endUser: request.user } : {}),
        },
        signal: disconnect.signal,
        requestId: c.get('requestId'),
        auditBody: body,
        ...(onSummary ? { onSummary } : {}),
        locateImage: (url) => locateImage(request, url),
      },
    });
    if (started.planned.droppedTools.length > 0) {
      c.header(DROPPED_TOOLS_HEADER, started.planned.droppedTools.join(', '));
    }
    if (request.stream) {
      return writeSse(c, sseFrames(started.events), {
        keepAliveMs: deps.keepAliveMs,
        onAbort: () => disconnect.abort(),
      });
    }
    const events: ResponseStreamEvent[] = [];
    for await (const event of started.events) events.push(event);
    const failure = started.failure();
    if (failure) throw failure;
    const response = foldResponse(events);
    if (!response)
      throw new GatewayError({ kind: 'upstream', status: 502, message: 'The run ended without an answer.' });
    return c.json(response);
  });

  app.get('/responses/:id', async (c) => {
    const id = c.req.param('id');
    const record = await deps.store.get(id, c.get('principal')?.id ?? NO_KEY_OWNER, now());
    if (!record) throw responseNotFound(id, null);
    return c.json(record.response as Record<string, unknown>);
  });

  app.delete('/responses/:id', async (c) => {
    const id = c.req.param('id');
    const deleted = await deps.store.delete(id, c.get('principal')?.id ?? NO_KEY_OWNER);
    if (!deleted) throw responseNotFound(id, null);
    return c.json({ id, object: 'response.deleted', deleted: true });
  });
  return app;
}

/**
 * The Responses API's SSE dialect: each event named by its type (`event: response.created`) with
 * the same `type` inside `data` (Codex parses that one), and no `[DONE]`.
 */
async function* sseFrames(events: AsyncIterable<ResponseStreamEvent>): AsyncGenerator<SseFrame> {
  for await (const event of events) yield { event: event.type, data: JSON.stringify(event) };
}
