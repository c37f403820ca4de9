import { type ZodType, z } from 'zod';
import { chatCompletionRequestSchema } from '../surfaces/openai-chat/schema.js';
import { responsesDocs } from '../surfaces/openai-responses/openapi.js';
import type { OpenApiFragment } from './openapi-fragment.js';

type JsonObject = Record<string, unknown>;

/** JSON Schema of what a route accepts, from the very zod schema it validates with. */
function inputSchema(schema: ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonObject;
  return rest;
}

const errorSchema: JsonObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'param', 'code'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string' },
        param: { type: ['string', 'null'] },
        code: { type: ['string', 'null'] },
      },
    },
  },
};

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const modelSchema: JsonObject = {
  type: 'object',
  required: ['id', 'object', 'created', 'owned_by'],
  properties: {
    id: { type: 'string' },
    object: { const: 'model' },
    created: { type: 'integer' },
    owned_by: { type: 'string' },
  },
};

const authErrors = {
  '401': errorResponse('Missing or unknown API key.'),
  '403': errorResponse('The key may not do this (model, agent mode or tool not allowed; admin only).'),
};

const probeResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { type: 'object' } } },
});

export interface OpenApiInfo {
  version: string;
  /** Schemas and paths each further surface contributes (its own `openapi.ts`). */
  fragments?: readonly OpenApiFragment[];
}

/** The OpenAPI 3.1 description served at /openapi.json. */
export function buildOpenApiDocument(info: OpenApiInfo): JsonObject {
  return {
    openapi: '3.1.0',
    info: {
      title: 'claude-gateway',
      version: info.version,
      description:
        'An OpenAI-compatible API in front of Claude Code. Every path under /v1 also answers without the /v1 prefix.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'What OpenAI clients send.' },
        apiKeyHeader: { type: 'apiKey', in: 'header', name: 'x-api-key' },
      },
      schemas: {
        ChatCompletionRequest: inputSchema(chatCompletionRequestSchema),
        ...Object.fromEntries(
          Object.entries(responsesDocs.requestSchemas).map(([name, schema]) => [name, inputSchema(schema)]),
        ),
        Model: modelSchema,
        Error: errorSchema,
        ...Object.assign({}, ...(info.fragments ?? []).map((fragment) => fragment.schemas)),
      },
    },
    paths: {
      '/v1/chat/completions': {
        post: {
          summary: 'Create a chat completion',
          description:
            'Non-streaming: a `chat.completion` object. With `stream: true`: `text/event-stream` of `chat.completion.chunk` objects ending with `data: [DONE]`.',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: { $ref: '#/components/schemas/ChatCompletionRequest' } },
            },
          },
          responses: {
            '200': {
              description: 'The completion, or its chunks as server-sent events.',
              content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': {} },
            },
            '400': errorResponse('Invalid request; `param` names the field.'),
            ...authErrors,
            '404': errorResponse('Unknown model.'),
            '413': errorResponse('Body larger than MAX_BODY_BYTES.'),
            '429': errorResponse(
              'Rate limit, per-key concurrency, gateway queue full, or budget used up (`insufficient_quota`).',
            ),
            '503': errorResponse('No Claude Code slot free in time, or shutting down.'),
          },
        },
      },
      ...responsesDocs.paths(errorResponse, authErrors),
      '/v1/models': {
        get: {
          summary: 'List served models',
          responses: {
            '200': {
              description: 'The models.',
              content: {
                'application/json': {
                  schema: {
                    type: 'object',
                    properties: {
                      object: { const: 'list' },
                      data: { type: 'array', items: { $ref: '#/components/schemas/Model' } },
                    },
                  },
                },
              },
            },
            '401': authErrors['401'],
          },
        },
      },
      '/v1/models/{id}': {
        get: {
          summary: 'Describe one model',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': {
              description: 'The model.',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Model' } } },
            },
            '401': authErrors['401'],
            '404': errorResponse('Unknown model.'),
          },
        },
      },
      '/v1/usage': {
        get: {
          summary: 'Usage per key and UTC day (admin keys only)',
          parameters: [
            {
              name: 'from',
              in: 'query',
              description: 'YYYY-MM-DD, ISO date-time or Unix seconds; default 30 days before `to`.',
              schema: { type: 'string' },
            },
            {
              name: 'to',
              in: 'query',
              description: 'Exclusive end; a date-only value includes that whole day. Default: now.',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': probeResponse(
              '`{object:"list", from, to, data:[{key_id, key_name, day, requests, errors, prompt_tokens, completion_tokens, cost_usd}]}`',
            ),
            '400': errorResponse('Bad `from` or `to`.'),
            ...authErrors,
          },
        },
      },
      '/health': {
        get: {
          summary: 'Liveness',
          security: [],
          responses: { '200': probeResponse('Always 200 while the process runs.') },
        },
      },
      '/ready': {
        get: {
          summary: 'Readiness',
          security: [],
          responses: {
            '200': probeResponse('Claude Code found, store writable, not shutting down.'),
            '503': probeResponse('Not ready; `checks` says why.'),
          },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
          security: [],
          responses: { '200': { description: 'Prometheus text format.', content: { 'text/plain': {} } } },
        },
      },
      ...Object.assign({}, ...(info.fragments ?? []).map((fragment) => fragment.paths)),
    },
  };
}
