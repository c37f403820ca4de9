import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { GatewayError } from '../../contract/gateway-error.js';
import { documented, pathParams } from '../../http/openapi-route.js';
import { openAIError } from './openai-error-docs.js';

/**
 * OpenAI endpoints for capabilities Claude Code does not have. Without these they would be the
 * generic unknown-URL 404; with them a client (or the person reading its log) learns why. 404 and not
 * 501: SDKs retry 5xx answers, and no retry can help here (`x-should-retry: false` says so too).
 */
const CAPABILITIES: ReadonlyArray<{ path: string; docPath: string; what: string }> = [
  { path: '/embeddings', docPath: '/embeddings', what: 'embeddings' },
  { path: '/audio/*', docPath: '/audio/{operation}', what: 'audio (speech, transcription, translation)' },
  { path: '/images/*', docPath: '/images/{operation}', what: 'image generation or editing' },
];

/** Any method answers the same 404; the document names the POST clients send. */
const notOffered = (docPath: string, what: string) =>
  createRoute({
    method: 'post',
    path: docPath,
    summary: `Not offered: Claude Code has no ${what} capability`,
    ...(docPath.includes('{')
      ? { request: { params: pathParams({ operation: 'Any operation, e.g. `speech`.' }) } }
      : {}),
    responses: {
      404: openAIError(
        'Always: an OpenAI error with `code: "unsupported_capability"` and `x-should-retry: false`.',
      ),
    },
  });

export function noCapabilityRoutes() {
  const app = new OpenAPIHono();
  for (const { path, docPath, what } of CAPABILITIES) {
    app.all(documented(app, notOffered(docPath, what), path), (c) => {
      throw new GatewayError({
        kind: 'not_found',
        status: 404,
        message: `${c.req.method} ${c.req.path}: Claude Code has no ${what} capability, so this gateway does not offer it. Use a provider that does for this endpoint.`,
        code: 'unsupported_capability',
        shouldRetry: false,
      });
    });
  }
  return app;
}
