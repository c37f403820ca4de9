import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../../http/context-variables.js';
import { GatewayError } from '../../contract/gateway-error.js';
import {
  documented,
  jsonBody,
  jsonOrSseResponse,
  jsonResponse,
  pathParams,
} from '../../http/openapi-route.js';
import { noteRequestsPerMinute } from '../../http/rate-limit-headers.js';
import { requestCaller } from '../../http/serve-run.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
import { openAIAuthErrors, openAIError, openAIRunErrors } from '../openai/openai-error-docs.js';
import { foldResponse } from './fold.js';
import { locateImage } from './locate-image.js';
import { type ResponsesDeps, startResponseRun } from './respond.js';
import type { ResponseStreamEvent } from './response-object.js';
import { parseResponsesRequest, responsesRequestSchema } from './schema.js';
import { responseNotFound } from './stored-chain.js';

/** Names the hosted tools a request sent that Claude did not see (see docs/openai-responses.md). */
export const DROPPED_TOOLS_HEADER = 'x-gateway-dropped-tools';

/** Owner of stored responses when the gateway runs without keys (loopback use). */
const NO_KEY_OWNER = 'anonymous';

const createResponse = createRoute({
  method: 'post',
  path: '/responses',
  summary: 'Create a response (OpenAI Responses API)',
  description:
    'Non-streaming: a `response` object. With `stream: true`: `text/event-stream` of named Responses events (`response.created` ... `response.completed`). Hosted tools Claude Code cannot serve are left out and named in the `x-gateway-dropped-tools` response header.',
  request: { body: jsonBody(responsesRequestSchema.openapi('ResponsesRequest')) },
  responses: {
    200: {
      ...jsonOrSseResponse('The response, or its events as server-sent events.'),
      headers: z.object({
        [DROPPED_TOOLS_HEADER]: z.string().optional().openapi({
          description: 'Comma-separated hosted tools (`type` or `type:name`) Claude did not see.',
        }),
      }),
    },
    400: openAIError('Invalid request; `param` names the field.'),
    404: openAIError('Unknown model, or unknown or expired `previous_response_id`.'),
    ...openAIRunErrors,
  },
});

const responseId = pathParams({ id: 'The response id (`resp_...`).' });

const getResponse = createRoute({
  method: 'get',
  path: '/responses/{id}',
  summary: 'Retrieve a stored response',
  request: { params: responseId },
  responses: {
    200: jsonResponse('The response object.'),
    401: openAIAuthErrors[401],
    404: openAIError('No such response for this key (or it expired).'),
  },
});

const deleteResponse = createRoute({
  method: 'delete',
  path: '/responses/{id}',
  summary: 'Delete a stored response',
  request: { params: responseId },
  responses: {
    200: jsonResponse(
      'The response is gone.',
      z.object({ id: z.string(), object: z.literal('response.deleted'), deleted: z.literal(true) }),
    ),
    401: openAIAuthErrors[401],
    404: openAIError('No such response for this key.'),
  },
});

/** POST /responses, GET and DELETE /responses/{id}: the OpenAI Responses API. */
export function responsesRoutes(deps: ResponsesDeps) {
  const now = deps.now ?? Date.now;
  // Errors go to the app's one error funnel, which asks this surface's renderer (surface.ts).
  // The body is parsed by parseResponsesRequest, which names the deepest field at fault.
  const app = new OpenAPIHono();

  app.post(documented(app, createResponse), async (c) => {
    const body: unknown = await c.req.json().catch(() => {
      throw new GatewayError({
        kind: 'invalid_request',
        status: 400,
        message: 'The body is not valid JSON.',
      });
    });
    const request = parseResponsesRequest(body);
    const { caller, abort } = requestCaller(c);
    const { principal } = caller;
    const started = await startResponseRun(deps, {
      request,
      ownerId: principal?.id ?? NO_KEY_OWNER,
      run: {
        ...caller,
        origin: {
          ...(principal ? { callerId: principal.id } : {}),
          ...(request.user ? { endUser: request.user } : {}),
        },
        auditBody: body,
        locateImage: (url) => locateImage(request, url),
      },
    });
    noteRequestsPerMinute(c, started.requestsPerMinute);
    if (started.planned.droppedTools.length > 0) {
      c.header(DROPPED_TOOLS_HEADER, started.planned.droppedTools.join(', '));
    }
    if (request.stream) {
      return writeSse(c, sseFrames(started.events), { keepAliveMs: deps.keepAliveMs, onAbort: abort });
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

  app.get(documented(app, getResponse), async (c) => {
    const id = c.req.param('id');
    const record = await deps.store.get(id, c.get('principal')?.id ?? NO_KEY_OWNER, now());
    if (!record) throw responseNotFound(id, null);
    return c.json(record.response as Record<string, unknown>);
  });

  app.delete(documented(app, deleteResponse), async (c) => {
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
