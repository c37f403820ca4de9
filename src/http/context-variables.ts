import type { RequestsPerMinuteStanding } from '../contract/admission.js';
import type { RunHooks } from '../contract/finished-request.js';
import type { Principal } from '../contract/key-policy.js';

// Typed Hono context variables shared by the auth, accounting and route layers.
declare module 'hono' {
  interface ContextVariableMap {
    /** Set by the auth middleware on every request that needs a key. */
    principal: Principal;
    /** Set by the accounting middleware on a key's POSTs; routes pass them to the run. */
    runHooks: RunHooks | undefined;
    /** Set by a route whose run was admitted for a key with a requests-per-minute limit. */
    rateLimit: RequestsPerMinuteStanding | undefined;
    /** Headers middlewares add once the route has answered (see late-headers.ts). */
    lateHeaders: Array<() => void> | undefined;
    /** `performance.now()` when the request reached the app (its `Server-Timing`). */
    receivedAt: number | undefined;
    /** Set by the JSON guard: the body it decoded and checked, as text. */
    jsonBodyText: string | undefined;
  }
}
