/**
 * POST /responses/input_tokens: how many input tokens a request would send, without running it:
 * the request is planned as POST /responses would plan it (the `previous_response_id` chain
 * included) and the plan estimated as Claude counts (src/core/tokens), erring high.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { estimatePlanTokens } from '../../../core/tokens/estimate-plan-tokens.js';
import { documented, jsonBody, jsonResponse } from '../../../http/openapi-route.js';
import { openAIAuthErrors, openAIError } from '../openai-error-docs.js';
import type { ResponsesDeps } from './respond.js';
import { parseBody, responsesRequestSchema } from './schema.js';
import { loadChainItems, resolveItemReferences } from './stored-chain.js';
import { toPlan } from './to-plan.js';
import { jsonOf, ownerOf } from './wire.js';

/** A would-be request; `model` may be left out (the count does not depend on it). */
const inputTokensRequestSchema = responsesRequestSchema.extend({ model: z.string().min(1).nullish() });

const inputTokensRoute = createRoute({
  method: 'post',
  path: '/responses/input_tokens',
  summary: 'Count the input tokens of a would-be response',
  request: { body: jsonBody(inputTokensRequestSchema.openapi('InputTokensRequest')) },
  responses: {
    200: jsonResponse(
      'An estimate as Claude counts, erring high.',
      z.object({ object: z.literal('response.input_tokens'), input_tokens: z.number().int() }),
    ),
    400: openAIError('Invalid request; `param` names the field.'),
    ...openAIAuthErrors,
    413: openAIError('Body or attachment larger than allowed.'),
    404: openAIError('Unknown model, or unknown or expired `previous_response_id` or `item_reference`.'),
  },
});

export function inputTokensRoutes(deps: ResponsesDeps) {
  const now = deps.now ?? Date.now;
  const app = new OpenAPIHono();
  app.post(documented(app, inputTokensRoute), async (c) => {
    const { model, ...request } = parseBody(inputTokensRequestSchema, await jsonOf(c));
    const ownerId = ownerOf(c);
    const at = now();
    const previousItems = request.previous_response_id
      ? await loadChainItems(deps.store, request.previous_response_id, ownerId, {
          now: at,
          ttlMs: deps.ttlMs,
        })
      : [];
    const input = Array.isArray(request.input)
      ? await resolveItemReferences(deps.store, request.input, ownerId, at)
      : request.input;
    const planned = toPlan(
      { ...request, input, model: model ?? 'any' },
      {
        // An unknown model is the 404 a create would get; none named counts the same as any.
        resolveModel: model ? deps.resolveModel : (name) => name,
        systemPromptPlacement: deps.systemPromptPlacement,
        attachments: deps.attachments,
        previousItems,
      },
    );
    return c.json({
      object: 'response.input_tokens',
      input_tokens: estimatePlanTokens(planned.plan, deps.countTokens),
    });
  });
  return app;
}
