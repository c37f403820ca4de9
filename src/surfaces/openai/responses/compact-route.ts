/**
 * POST /responses/compact (OpenAI's compaction endpoint): the conversation (`input`, after the
 * chain of `previous_response_id`) summarized by Claude into one `compaction` item. It runs as a
 * Responses request whose input ends with a `compaction_trigger` (what Codex sends), so both ways
 * make the same item; the user messages of `input` are kept in front of it, as OpenAI keeps them.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { GatewayError } from '../../../contract/gateway-error.js';
import { documented, jsonBody, jsonResponse } from '../../../http/openapi-route.js';
import { noteRequestsPerMinute } from '../../../http/rate-limit-headers.js';
import { requestCaller } from '../../../http/serve-run.js';
import { openAIError, openAIRunErrors } from '../openai-error-docs.js';
import { foldResponse } from './fold.js';
import { itemResource } from './input-items.js';
import { type ResponsesDeps, startResponseRun } from './respond.js';
import type { ResponseStreamEvent } from './response-object.js';
import { type InputItem, inputItemSchema, parseBody, parseResponsesRequest } from './schema.js';
import { jsonOf, ownerOf } from './wire.js';

export const compactRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItemSchema)]).nullish(),
  instructions: z
    .string()
    .nullish()
    .openapi({ description: 'Accepted and ignored: the summary has its own.' }),
  previous_response_id: z.string().min(1).nullish(),
  prompt_cache_key: z.string().nullish().openapi({ description: 'Accepted and ignored.' }),
});

const compactRoute = createRoute({
  method: 'post',
  path: '/responses/compact',
  summary: 'Compact a conversation into one compaction item',
  description:
    '`{id, object: "response.compaction", created_at, output, usage}`: `output` holds the user messages of `input`, then one `compaction` item whose `encrypted_content` stands for the whole conversation in later requests (send it back as an input item).',
  request: { body: jsonBody(compactRequestSchema.openapi('CompactRequest')) },
  responses: {
    200: jsonResponse('The compacted conversation.'),
    400: openAIError('Invalid request (no `model`, nothing to compact...); `param` names the field.'),
    404: openAIError('Unknown model, or unknown or expired `previous_response_id`.'),
    ...openAIRunErrors,
  },
});

export function compactRoutes(deps: ResponsesDeps) {
  const now = deps.now ?? Date.now;
  const app = new OpenAPIHono();
  app.post(documented(app, compactRoute), async (c) => {
    const body = parseBody(compactRequestSchema, await jsonOf(c));
    const items: InputItem[] =
      typeof body.input === 'string'
        ? [{ type: 'message', role: 'user', content: body.input }]
        : (body.input ?? []);
    const request = parseResponsesRequest({
      model: body.model,
      previous_response_id: body.previous_response_id ?? null,
      input: [...items, { type: 'compaction_trigger' }],
      store: false,
    });
    const { caller } = requestCaller(c);
    const started = await startResponseRun(deps, {
      request,
      ownerId: ownerOf(c),
      run: {
        ...caller,
        ...(caller.principal ? { origin: { callerId: caller.principal.id } } : {}),
        auditBody: body,
      },
    });
    noteRequestsPerMinute(c, started.requestsPerMinute);
    const events: ResponseStreamEvent[] = [];
    for await (const event of started.events) events.push(event);
    const failure = started.failure();
    if (failure) throw failure;
    const response = foldResponse(events);
    const compaction = response?.output.find((item) => item.type === 'compaction');
    if (!response?.usage || !compaction) {
      throw new GatewayError({ kind: 'upstream', status: 502, message: 'The run ended without a summary.' });
    }
    const hex = response.id.replace(/^resp_/, '');
    const kept = items.flatMap((item, i) =>
      item.type === 'message' && item.role === 'user' ? [itemResource(item, `${hex}_in${i}`)] : [],
    );
    return c.json({
      id: response.id,
      object: 'response.compaction',
      created_at: Math.floor(now() / 1000),
      output: [...kept, compaction],
      usage: response.usage,
    });
  });
  return app;
}
