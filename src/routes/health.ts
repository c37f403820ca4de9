import { Hono } from 'hono';
import type { ExecutableProbe } from '../claude/executable.js';

export interface HealthDeps {
  probeClaudeCode: () => Promise<ExecutableProbe>;
  version: string;
  /** Upstream refusals that need the operator, e.g. third-party app classification (last seen, count). */
  upstreamNotices?: () => Record<string, unknown>;
}

export function healthRoutes(deps: HealthDeps) {
  // Liveness: the gateway answers even when Claude Code is missing; the body says what is wrong.
  return new Hono().get('/health', async (c) => {
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
}
