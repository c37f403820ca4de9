/** What /openapi.json says of `POST /messages` and `POST /messages/count_tokens` (route.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { jsonBody, jsonOrSseResponse, jsonResponse } from '../../http/openapi-route.js';
import { countTokensRequestSchema, messagesRequestSchema } from './schema.js';

const anthropicErrorSchema = z
  .object({
    type: z.literal('error'),
    error: z.object({ type: z.string(), message: z.string() }),
  })
  .openapi('AnthropicError');
const anthropicError = (description: string) => jsonResponse(description, anthropicErrorSchema);

const anthropicHeaders = z.object({
  'anthropic-version': z
    .string()
    .optional()
    .openapi({ description: 'Accepted (any value); the gateway speaks 2023-06-01.' }),
  'anthropic-beta': z.string().optional().openapi({ description: 'Accepted and ignored.' }),
});

export const createMessage = createRoute({
  method: 'post',
  path: '/messages',
  summary: 'Create a message (Anthropic Messages API)',
  description:
    'Non-streaming: a `message` object. With `stream: true`: `text/event-stream` of named events (`message_start`, `content_block_start`/`_delta`/`_stop`, `message_delta`, `message_stop`, `ping`; `error` after the first byte). Errors use the Anthropic shape. Authenticate with `x-api-key` or `Authorization: Bearer`.',
  request: {
    headers: anthropicHeaders,
    body: jsonBody(messagesRequestSchema.openapi('AnthropicMessagesRequest')),
  },
  responses: {
    200: jsonOrSseResponse('The message, or its events as server-sent events.'),
    400: anthropicError('`invalid_request_error`; the message starts with the field at fault.'),
    401: anthropicError('`authentication_error`: missing or unknown API key.'),
    403: anthropicError('`permission_error`: the key may not use this model.'),
    404: anthropicError('`not_found_error`: unknown model.'),
    413: anthropicError('`request_too_large`: body or attachment over the limit.'),
    429: anthropicError('`rate_limit_error`: rate limit, concurrency, queue full or budget used up.'),
    500: anthropicError('`api_error`.'),
    502: anthropicError(
      '`api_error`: the Claude API refused the gateway’s credentials or failed, Claude Code crashed, or the answer missed its structured output.',
    ),
    504: anthropicError('`api_error`: the run took longer than the gateway allows.'),
    529: anthropicError(
      '`overloaded_error`: no Claude Code slot free in time, the Claude API overloaded or unreachable, or shutting down.',
    ),
  },
});

export const countTokens = createRoute({
  method: 'post',
  path: '/messages/count_tokens',
  summary: 'Estimate the input tokens of a message request',
  description:
    'An estimate that errs high (see "Counting tokens" in docs/anthropic-messages.md): cl100k_base token counts scaled by 1.5, images at 1,600 tokens, PDF pages at 3,000. Claude Code sends `?beta=true`; any query is accepted.',
  request: {
    headers: anthropicHeaders,
    body: jsonBody(countTokensRequestSchema.openapi('AnthropicCountTokensRequest')),
  },
  responses: {
    200: jsonResponse('The estimate.', z.object({ input_tokens: z.number().int() })),
    400: anthropicError('`invalid_request_error`.'),
    401: anthropicError('`authentication_error`.'),
    529: anthropicError('`overloaded_error`: the gateway is shutting down.'),
  },
});
