import type { RateLimitHeaderRenderer } from '../../http/rate-limit-headers.js';

/**
 * The native API's rate-limit headers, as its clients read them: `X-RateLimit-Limit`, `-Remaining`,
 * and `-Reset` in Unix seconds.
 */
export const nativeRateLimitHeaders: RateLimitHeaderRenderer = (standing) => ({
  'X-RateLimit-Limit': String(standing.limit),
  'X-RateLimit-Remaining': String(standing.remaining),
  'X-RateLimit-Reset': String(Math.ceil(standing.resetAt / 1000)),
});
