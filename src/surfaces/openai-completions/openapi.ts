import { inputSchema, type JsonObject, type OpenApiFragment } from '../../docs/openapi-fragment.js';
import { completionRequestSchema } from './schema.js';

const openAIError = (description: string): JsonObject => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** `POST /v1/completions` in the OpenAPI document. */
export const completionsOpenApi: OpenApiFragment = {
  schemas: { CompletionRequest: inputSchema(completionRequestSchema) },
  paths: {
    '/v1/completions': {
      post: {
        summary: 'Create a legacy text completion',
        description:
          'Non-streaming: a `text_completion` object. With `stream: true`: `text/event-stream` of `text_completion` chunks ending with `data: [DONE]`. `echo`, `suffix`, `n`>1, `best_of`>1, `logprobs` and more than one prompt are 400s naming the parameter.',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/CompletionRequest' } } },
        },
        responses: {
          '200': {
            description: 'The completion, or its chunks as server-sent events.',
            content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': {} },
          },
          '400': openAIError('Invalid or unsupported parameter; `param` names it.'),
          '401': openAIError('Missing or unknown API key.'),
          '404': openAIError('Unknown model.'),
          '429': openAIError('Rate limit, concurrency, queue full or budget used up.'),
          '503': openAIError('No Claude Code slot free in time, or shutting down.'),
        },
      },
    },
  },
};
