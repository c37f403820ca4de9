import type { Context, MiddlewareHandler } from 'hono';
import './context-variables.js';
import type { RequestsPerMinuteStanding } from '../contract/admission.js';
import { RequestsPerMinuteExceeded } from '../contract/policy-errors.js';
import { addHeadersLater } from './late-headers.js';

/** A key's requests-per-minute standing as the headers one wire's clients read. */
export type RateLimitHeaderRenderer = (
  standing: RequestsPerMinuteStanding,
  now: number,
) => Record<string, string>;

export interface RateLimitHeadersDeps {
  /** What every limited key's response carries (OpenAI's `x-ratelimit-*-requests`, which most SDKs read). */
  standard: RateLimitHeaderRenderer;
  /** Headers a surface's own clients read on top, for the paths it owns. */
  extraFor(path: string): RateLimitHeaderRenderer | undefined;
  now?: () => number;
}

/** Hands admission's decision on a run to the response: its rate-limit headers are stamped from it. */
export function noteRequestsPerMinute(c: Context, standing: RequestsPerMinuteStanding | undefined): void {
  if (standing) c.set('rateLimit', standing);
}

/**
 * Stamps the rate-limit headers on the response of a run whose key has a requests-per-minute limit,
 * from what admission decided (noted by the route, or carried by its refusal): no second read of the
 * counter. Requests that start no run carry none.
 */
export function rateLimitHeaders(deps: RateLimitHeadersDeps): MiddlewareHandler {
  const now = deps.now ?? Date.now;
  return async function rateLimitHeadersMiddleware(c, next) {
    const addRateLimitHeaders = () => {
      const standing =
        c.get('rateLimit') ?? (c.error instanceof RequestsPerMinuteExceeded ? c.error.standing : undefined);
      if (!standing) return;
      const at = now();
      const extra = deps.extraFor(c.req.path);
      const headers = { ...deps.standard(standing, at), ...extra?.(standing, at) };
      for (const [name, value] of Object.entries(headers)) c.header(name, value);
    };
    // A stream sends its headers before the route returns: they are added then (and set again below).
    addHeadersLater(c, addRateLimitHeaders);
    await next();
    addRateLimitHeaders();
  };
}
