import type { RateLimitInfo } from 'hono-rate-limiter';
import type { RunHooks } from '../contract/finished-request.js';
import type { Principal } from '../contract/key-policy.js';

// Typed Hono context variables shared by the auth, policy and route layers.
declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the auth middleware on every request that needs a key. */
    principal: Principal;
    /** Set by the policy middleware on requests that may run Claude Code; routes pass them to the run. */
    runHooks: RunHooks | undefined;
    /** Set by hono-rate-limiter for keys with a requests-per-minute limit. */
    rateLimit: RateLimitInfo | undefined;
  }
}
