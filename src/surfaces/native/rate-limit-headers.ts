import type { Context, MiddlewareHandler } from 'hono';
import '../../auth/context-variables.js';

/**
 * The native API's rate-limit headers for keys with a requests-per-minute limit, as its clients
 * read them: `X-RateLimit-Limit`, `-Remaining`, and `-Reset` in Unix seconds. It must wrap the
 * key-policy middleware so the 429 that middleware answers carries them too.
 */
export function nativeRateLimitHeaders(pathPrefix: string): MiddlewareHandler {
  return async function nativeRateLimitHeadersMiddleware(c, next) {
    if (!c.req.path.startsWith(pathPrefix)) return next();
    try {
      await next();
    } finally {
      setHeaders(c);
    }
  };
}

function setHeaders(c: Context): void {
  const info = c.get('rateLimit');
  if (!info) return;
  c.header('X-RateLimit-Limit', String(info.limit));
  c.header('X-RateLimit-Remaining', String(Math.max(0, info.remaining)));
  const reset = info.resetTime ?? new Date(Date.now() + 60_000);
  c.header('X-RateLimit-Reset', String(Math.ceil(reset.getTime() / 1000)));
}
