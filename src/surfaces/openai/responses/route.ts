import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../../../http/context-variables.js';
import type { RequestsPerMinuteStanding } from '../../../contract/admission.js';
import { GatewayError } from '../../../contract/gateway-error.js';
import { documented, jsonBody, jsonOrSseResponse } from '../../../http/openapi-route.js';
import { noteRequestsPerMinute } from '../../../http/rate-limit-headers.js';
import { requestCaller } from '../../../http/serve-run.js';
import { writeSse } from '../../../http/sse.js';
import { openAIError, openAIRunErrors } from '../openai-error-docs.js';
import { compactRoutes } from './compact-route.js';
import { foldResponse } from './fold.js';
import { inputTokensRoutes } from './input-tokens-route.js';
import { locateImage } from './locate-image.js';
import { type ResponsesDeps, startBackgroundRun, startResponseRun } from './respond.js';
import type { ResponseStreamEvent } from './response-object.js';
import { parseResponsesRequest, responsesRequestSchema } from './schema.js';
import { storedResponseRoutes } from './stored-routes.js';
import type { ResponsesPlan } from './to-plan.js';
import { jsonOf, ownerOf, sseFrames } from './wire.js';

/** Names the hosted tools a request sent that Claude did not see (see docs/openai-responses.md). */
export const DROPPED_TOOLS_HEADER = 'x-gateway-dropped-tools';

const createResponse = createRoute({
  method: 'post',
  path: '/responses',
  summary: 'Create a response (OpenAI Responses API)',
  description:
    'Non-streaming: a `response` object. With `stream: true`: `text/event-stream` of named Responses events (`response.created` ... `response.completed`). With `background: true` the run is detached from the request: the response comes back `queued` at once (or its events stream while it runs) and is polled with GET, resumed with `GET ?stream=true&starting_after=N`, cancelled with POST `/cancel`. Hosted tools Claude Code cannot serve are left out and named in the `x-gateway-dropped-tools` response header.',
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
    404: openAIError('Unknown model, or unknown or expired `previous_response_id` or `item_reference`.'),
    ...openAIRunErrors,
  },
});

/**
 * The OpenAI Responses API: POST /responses, GET, DELETE and POST .../cancel of a stored one, its
 * input items, POST /responses/input_tokens and POST /responses/compact.
 */
export function responsesRoutes(deps: ResponsesDeps) {
  // Errors go to the app's one error funnel, which asks this surface's renderer (surface.ts).
  // Bodies are parsed by parseBody (schema.ts), which names the deepest field at fault.
  const app = new OpenAPIHono();
  // Fixed paths before /responses/{id}: `input_tokens` and `compact` are not response ids.
  app.route('/', inputTokensRoutes(deps));
  app.route('/', compactRoutes(deps));

  app.post(documented(app, createResponse), async (c) => {
    const body = await jsonOf(c);
    const request = parseResponsesRequest(body);
    const { caller, abort } = requestCaller(c);
    const { principal } = caller;
    const call = {
      request,
      ownerId: ownerOf(c),
      run: {
        ...caller,
        origin: {
          ...(principal ? { callerId: principal.id } : {}),
          ...(request.user ? { endUser: request.user } : {}),
        },
        auditBody: body,
        locateImage: (url: string) => locateImage(request, url),
      },
    };
    const noteRun = (started: {
      requestsPerMinute: RequestsPerMinuteStanding | undefined;
      planned: ResponsesPlan;
    }) => {
      noteRequestsPerMinute(c, started.requestsPerMinute);
      if (started.planned.droppedTools.length > 0) {
        c.header(DROPPED_TOOLS_HEADER, started.planned.droppedTools.join(', '));
      }
    };
    if (request.background) {
      const started = await startBackgroundRun(deps, call);
      noteRun(started);
      if (!request.stream) return c.json(started.response);
      // The stream follows the detached run; a client that leaves stops following, not the run.
      const following = new AbortController();
      const events = deps.background.follow(started.response.id, call.ownerId, -1, following.signal);
      return writeSse(c, sseFrames(events), {
        keepAliveMs: deps.keepAliveMs,
        onAbort: () => following.abort(),
      });
    }
    const started = await startResponseRun(deps, call);
    noteRun(started);
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

  app.route('/', storedResponseRoutes(deps));
  return app;
}
