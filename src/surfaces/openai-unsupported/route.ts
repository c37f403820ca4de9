import { Hono } from 'hono';
import { GatewayError } from '../../core/gateway-error.js';

/**
 * OpenAI endpoints for capabilities Claude Code does not have. Without these they would be the
 * generic unknown-URL 404; with them a client (or the person reading its log) learns why. 404 and not
 * 501: SDKs retry 5xx answers, and no retry can help here (`x-should-retry: false` says so too).
 */
const CAPABILITIES: ReadonlyArray<{ path: string; what: string }> = [
  { path: '/embeddings', what: 'embeddings' },
  { path: '/audio/*', what: 'audio (speech, transcription, translation)' },
  { path: '/images/*', what: 'image generation or editing' },
];

export function noCapabilityRoutes() {
  const app = new Hono();
  for (const { path, what } of CAPABILITIES) {
    app.all(path, (c) => {
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
