import type { Context, MiddlewareHandler } from 'hono';
import type { RateLimitInfo } from 'hono-rate-limiter';
import type { Principal } from '../../contract/key-policy.js';
import '../../http/context-variables.js';

/** A key's standing in its window without counting a request (for requests the limiter skips). */
export type RateLimitPeek = (principal: Principal) => Promise<RateLimitInfo | undefined>;

/**
 * The native API's rate-limit headers for keys with a requests-per-minute limit, as its clients
 * read them: `X-RateLimit-Limit`, `-Remaining`, and `-Reset` in Unix seconds. It must wrap the
 * key-policy middleware so the 429 that middleware answers carries them too.
 */
export function nativeRateLimitHeaders(pathPrefix: string, peek?: RateLimitPeek): MiddlewareHandler {
  return async function nativeRateLimitHeadersMiddleware(c, next) {
    if (!c.req.path.startsWith(pathPrefix)) return next();
    try {
      await next();
    } finally {
      await setHeaders(c, peek);
    }
  };
}

async function setHeaders(c: Context, peek: RateLimitPeek | undefined): Promise<void> {
  // Counted requests carry the limiter's own figures; others (GET, DELETE) show the standing.
  const principal = c.get('principal') as Principal | undefined;
  const info = c.get('rateLimit') ?? (principal ? await peek?.(principal) : undefined);
  if (!info) return;
  c.header('X-RateLimit-Limit', String(info.limit));
  c.header('X-RateLimit-Remaining', String(Math.max(0, info.remaining)));
  const reset = info.resetTime ?? new Date(Date.now() + 60_000);
  c.header('X-RateLimit-Reset', String(Math.ceil(reset.getTime() / 1000)));
}
