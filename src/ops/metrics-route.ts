import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Registry } from 'prom-client';
import { invalidApiKey } from '../contract/auth-errors.js';
import { documented } from '../http/openapi-route.js';
import { openAIError } from '../surfaces/openai/openai-error-docs.js';
import { digestsEqual, hashApiKey, presentedKey } from '../util/api-key.js';

/** GET /metrics in Prometheus text format; needs `Bearer <METRICS_TOKEN>` when that is set. */
const metricsRoute = createRoute({
  method: 'get',
  path: '/metrics',
  summary: 'Prometheus metrics',
  description: 'Needs `Authorization: Bearer <METRICS_TOKEN>` when METRICS_TOKEN is set.',
  security: [],
  responses: {
    200: { description: 'Prometheus text format.', content: { 'text/plain': { schema: z.string() } } },
    401: openAIError('METRICS_TOKEN is set and was not presented.'),
  },
});

export function metricsRoutes(registry: Registry, options: { token?: string | undefined }) {
  const tokenDigest = options.token ? hashApiKey(options.token) : undefined;
  const app = new OpenAPIHono();
  app.get(documented(app, metricsRoute), async (c) => {
    if (tokenDigest) {
      const presented = presentedKey(c.req.header('authorization'), undefined);
      if (!digestsEqual(hashApiKey(presented), tokenDigest)) {
        c.header('www-authenticate', 'Bearer');
        throw invalidApiKey();
      }
    }
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
  return app;
}
