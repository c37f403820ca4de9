import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { ExecutableProbe } from '../engine/processes/executable.js';
import { documented, jsonResponse } from '../http/openapi-route.js';

export interface ReadyDeps {
  probeClaudeCode: () => Promise<ExecutableProbe>;
  /** Resolves false when the store (the SQLite file or the shared database) refuses a write. */
  storeWritable: () => Promise<boolean>;
  /** With REDIS_URL: whether Redis, which holds the shared limits, answers. */
  limitsReachable?: () => Promise<boolean>;
  draining: () => boolean;
  /** Whether Claude Code has credentials by one of the documented ways. */
  hasCredentials: () => boolean;
  /** Shown with a failed credentials check: what the operator can set. */
  credentialsHelp: string;
}

/**
 * Readiness: 200 only when Claude Code runs and has credentials, the store takes writes (and Redis
 * answers, when it holds the limits) and no shutdown has begun.
 */
const readyRoute = createRoute({
  method: 'get',
  path: '/ready',
  summary: 'Readiness',
  security: [],
  responses: {
    200: jsonResponse('Claude Code found and logged in, store writable, not shutting down.'),
    503: jsonResponse('Not ready; `checks` says why.'),
  },
});

export function readyRoutes(deps: ReadyDeps) {
  const app = new OpenAPIHono();
  app.get(documented(app, readyRoute), async (c) => {
    const probe = await deps.probeClaudeCode();
    const checks = {
      claude_code: probe.found,
      claude_credentials: deps.hasCredentials(),
      store_writable: await deps.storeWritable(),
      ...(deps.limitsReachable ? { limits_store_reachable: await deps.limitsReachable() } : {}),
      accepting_requests: !deps.draining(),
    };
    const ready = Object.values(checks).every(Boolean);
    const help = checks.claude_credentials ? {} : { message: deps.credentialsHelp };
    return c.json({ status: ready ? 'ready' : 'not_ready', checks, ...help }, ready ? 200 : 503);
  });
  return app;
}
