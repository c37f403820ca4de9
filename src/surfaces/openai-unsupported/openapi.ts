import type { OpenApiFragment } from '../../docs/openapi-fragment.js';

const notOffered = (what: string) => ({
  post: {
    summary: `Not offered: Claude Code has no ${what} capability`,
    responses: {
      '404': {
        description:
          'Always: an OpenAI error with `code: "unsupported_capability"` and `x-should-retry: false`.',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    },
  },
});

/** The OpenAI endpoints the gateway answers only to say they are not offered. */
export const noCapabilityOpenApi: OpenApiFragment = {
  schemas: {},
  paths: {
    '/v1/embeddings': notOffered('embeddings'),
    '/v1/audio/{operation}': notOffered('audio'),
    '/v1/images/{operation}': notOffered('image generation'),
  },
};
