import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { ExecutableProbe } from '../engine/processes/executable.js';
import { documented, jsonResponse } from '../http/openapi-route.js';

export interface HealthDeps {
  probeClaudeCode: () => Promise<ExecutableProbe>;
  version: string;
  /** Upstream refusals that need the operator, e.g. third-party app classification (last seen, count). */
  upstreamNotices?: () => Record<string, unknown>;
}

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  summary: 'Liveness',
  security: [],
  responses: {
    200: jsonResponse(
      'Always 200 while the process runs: `{status: "ok"|"degraded", gateway, claude_code, upstream}`.',
    ),
  },
});

export function healthRoutes(deps: HealthDeps) {
  const app = new OpenAPIHono();
  // Liveness: the gateway answers even when Claude Code is missing; the body says what is wrong.
  app.get(documented(app, healthRoute), async (c) => {
    const probe = await deps.probeClaudeCode();
    return c.json(
      {
        status: probe.found ? 'ok' : 'degraded',
        gateway: { version: deps.version },
        claude_code: { found: probe.found, version: probe.version ?? null, path: probe.path ?? null },
        ...(deps.upstreamNotices ? { upstream: deps.upstreamNotices() } : {}),
      },
      200,
    );
  });
  return app;
}
