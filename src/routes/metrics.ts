import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { digestsEqual, hashApiKey, presentedKey } from '../auth/api-key.js';
import { invalidApiKey } from '../auth/auth-errors.js';

/** GET /metrics in Prometheus text format; needs `Bearer <METRICS_TOKEN>` when that is set. */
export function metricsRoutes(registry: Registry, options: { token?: string | undefined }) {
  const tokenDigest = options.token ? hashApiKey(options.token) : undefined;
  return new Hono().get('/metrics', async (c) => {
    if (tokenDigest) {
      const presented = presentedKey(c.req.header('authorization'), undefined);
      if (!digestsEqual(hashApiKey(presented), tokenDigest)) {
        c.header('www-authenticate', 'Bearer');
        throw invalidApiKey();
      }
    }
    return c.body(await registry.metrics(), 200, { 'content-type': registry.contentType });
  });
}
