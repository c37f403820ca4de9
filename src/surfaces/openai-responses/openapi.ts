/** This surface's part of the gateway's OpenAPI document (src/docs/openapi-document.ts). */
import { responsesRequestSchema } from './schema.js';

type JsonObject = Record<string, unknown>;

export interface SurfaceDocs {
  /** Request schemas to describe, by component name. */
  requestSchemas: Record<string, typeof responsesRequestSchema>;
  paths(
    errorResponse: (description: string) => JsonObject,
    authErrors: Record<string, JsonObject>,
  ): JsonObject;
}

const idParameter = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

export const responsesDocs: SurfaceDocs = {
  requestSchemas: { ResponsesRequest: responsesRequestSchema },
  paths: (errorResponse, authErrors) => ({
    '/v1/responses': {
      post: {
        summary: 'Create a response (OpenAI Responses API)',
        description:
          'Non-streaming: a `response` object. With `stream: true`: `text/event-stream` of named Responses events (`response.created` ... `response.completed`). Hosted tools Claude Code cannot serve are left out and named in the `x-gateway-dropped-tools` response header.',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/ResponsesRequest' } } },
        },
        responses: {
          '200': {
            description: 'The response, or its events as server-sent events.',
            headers: {
              'x-gateway-dropped-tools': {
                description: 'Comma-separated hosted tools (`type` or `type:name`) Claude did not see.',
                schema: { type: 'string' },
              },
            },
            content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': {} },
          },
          '400': errorResponse('Invalid request; `param` names the field.'),
          ...authErrors,
          '404': errorResponse('Unknown model, or unknown or expired `previous_response_id`.'),
          '413': errorResponse('Body or attachment too large.'),
          '429': errorResponse('Rate limit, per-key concurrency, gateway queue full, or budget used up.'),
          '503': errorResponse('No Claude Code slot free in time, or shutting down.'),
        },
      },
    },
    '/v1/responses/{id}': {
      get: {
        summary: 'Retrieve a stored response',
        parameters: [idParameter],
        responses: {
          '200': {
            description: 'The response object.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '401': authErrors['401'],
          '404': errorResponse('No such response for this key (or it expired).'),
        },
      },
      delete: {
        summary: 'Delete a stored response',
        parameters: [idParameter],
        responses: {
          '200': {
            description: '`{id, object: "response.deleted", deleted: true}`',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
          '401': authErrors['401'],
          '404': errorResponse('No such response for this key.'),
        },
      },
    },
  }),
};
