import { Hono } from 'hono';
import type { ExecutableProbe } from '../claude/executable.js';

export interface ReadyDeps {
  probeClaudeCode: () => Promise<ExecutableProbe>;
  /** Resolves false when the store (the SQLite file or the shared database) refuses a write. */
  storeWritable: () => Promise<boolean>;
  draining: () => boolean;
}

/** Readiness: 200 only when Claude Code runs, the store takes writes and no shutdown has begun. */
export function readyRoutes(deps: ReadyDeps) {
  return new Hono().get('/ready', async (c) => {
    const probe = await deps.probeClaudeCode();
    const checks = {
      claude_code: probe.found,
      store_writable: await deps.storeWritable(),
      accepting_requests: !deps.draining(),
    };
    const ready = Object.values(checks).every(Boolean);
    return c.json({ status: ready ? 'ready' : 'not_ready', checks }, ready ? 200 : 503);
  });
}
