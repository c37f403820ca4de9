import { inputSchema, type JsonObject, type OpenApiFragment } from '../../docs/openapi-fragment.js';
import { countTokensRequestSchema, messagesRequestSchema } from './schema.js';

const anthropicError = (description: string): JsonObject => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/AnthropicError' } } },
});

const headers: JsonObject[] = [
  {
    name: 'anthropic-version',
    in: 'header',
    required: false,
    description: 'Accepted (any value); the gateway speaks 2023-06-01.',
    schema: { type: 'string' },
  },
  {
    name: 'anthropic-beta',
    in: 'header',
    required: false,
    description: 'Accepted and ignored.',
    schema: { type: 'string' },
  },
];

/** `POST /v1/messages` and `/v1/messages/count_tokens` in the OpenAPI document. */
export const anthropicMessagesOpenApi: OpenApiFragment = {
  schemas: {
    AnthropicMessagesRequest: inputSchema(messagesRequestSchema),
    AnthropicCountTokensRequest: inputSchema(countTokensRequestSchema),
    AnthropicError: {
      type: 'object',
      required: ['type', 'error'],
      properties: {
        type: { const: 'error' },
        error: {
          type: 'object',
          required: ['type', 'message'],
          properties: { type: { type: 'string' }, message: { type: 'string' } },
        },
      },
    },
  },
  paths: {
    '/v1/messages': {
      post: {
        summary: 'Create a message (Anthropic Messages API)',
        description:
          'Non-streaming: a `message` object. With `stream: true`: `text/event-stream` of named events (`message_start`, `content_block_start`/`_delta`/`_stop`, `message_delta`, `message_stop`, `ping`; `error` after the first byte). Errors use the Anthropic shape. Authenticate with `x-api-key` or `Authorization: Bearer`.',
        parameters: headers,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/AnthropicMessagesRequest' } },
          },
        },
        responses: {
          '200': {
            description: 'The message, or its events as server-sent events.',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': {} },
          },
          '400': anthropicError('`invalid_request_error`; the message starts with the field at fault.'),
          '401': anthropicError('`authentication_error`: missing or unknown API key.'),
          '403': anthropicError('`permission_error`: the key may not use this model.'),
          '404': anthropicError('`not_found_error`: unknown model.'),
          '413': anthropicError('`request_too_large`: body or attachment over the limit.'),
          '429': anthropicError('`rate_limit_error`: rate limit, concurrency, queue full or budget used up.'),
          '500': anthropicError('`api_error`.'),
          '529': anthropicError('`overloaded_error`: no Claude Code slot free in time, or shutting down.'),
        },
      },
    },
    '/v1/messages/count_tokens': {
      post: {
        summary: 'Estimate the input tokens of a message request',
        description:
          'An estimate that errs high (see "Counting tokens" in the README): cl100k_base token counts scaled by 1.5, images at 1,600 tokens, PDF pages at 3,000. Claude Code sends `?beta=true`; any query is accepted.',
        parameters: headers,
        requestBody: {
          required: true,
          content: {
            'application/json': { schema: { $ref: '#/components/schemas/AnthropicCountTokensRequest' } },
          },
        },
        responses: {
          '200': {
            description: '`{input_tokens}`',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['input_tokens'],
                  properties: { input_tokens: { type: 'integer' } },
                },
              },
            },
          },
          '400': anthropicError('`invalid_request_error`.'),
          '401': anthropicError('`authentication_error`.'),
        },
      },
    },
  },
};
