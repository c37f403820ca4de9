import type { Context, MiddlewareHandler } from 'hono';
import { MemoryStore, type RateLimitInfo, rateLimiter, type Store } from 'hono-rate-limiter';
import './context-variables.js';
import type { Principal } from '../contract/key-policy.js';
import { requestsPerMinuteExceeded } from '../contract/policy-errors.js';

export const RPM_WINDOW_MS = 60_000;
const INFO_PROPERTY = 'rateLimit';

export interface RequestsPerMinute {
  middleware: MiddlewareHandler;
  /**
   * Counts one request of a key that came without a POST (a WebSocket turn), in the same
   * one-minute window as the middleware; throws the same 429 GatewayError once the key is over.
   */
  countRequest(principal: Principal): Promise<void>;
  /** Where a limited key stands in its window without counting a request (for rate-limit headers). */
  peek(principal: Principal): Promise<RateLimitInfo | undefined>;
  /** Stops the store's cleanup timer. */
  close(): void;
}

/**
 * Per-key requests-per-minute limit (hono-rate-limiter, fixed one-minute window per key), with
 * OpenAI's `x-ratelimit-*-requests` headers on every limited key's response and `Retry-After` on
 * the 429, so OpenAI SDKs back off for the right time.
 */
export function requestsPerMinute(now: () => number = Date.now, sharedStore?: Store): RequestsPerMinute {
  // In memory for one gateway; a store shared by every gateway (PostgreSQL) when there are several.
  const store: Store = sharedStore ?? new MemoryStore();
  const limiter = rateLimiter({
    windowMs: RPM_WINDOW_MS,
    store,
    standardHeaders: false,
    requestPropertyName: INFO_PROPERTY,
    skip: (c) => c.get('principal').policy.rpm === undefined,
    keyGenerator: (c) => c.get('principal').id,
    limit: (c) => c.get('principal').policy.rpm ?? Number.POSITIVE_INFINITY,
    handler: (c) => {
      const info = setRateLimitHeaders(c, now());
      throw requestsPerMinuteExceeded(info?.limit ?? 0, secondsUntilReset(info, now()));
    },
  });
  return {
    middleware: async (c, next) =>
      limiter(c, async () => {
        setRateLimitHeaders(c, now());
        await next();
      }),
    async countRequest(principal) {
      const limit = principal.policy.rpm;
      if (limit === undefined) return;
      const { totalHits, resetTime } = await store.increment(principal.id);
      if (totalHits <= limit) return;
      const at = now();
      throw requestsPerMinuteExceeded(
        limit,
        Math.max(0, ((resetTime?.getTime() ?? at + RPM_WINDOW_MS) - at) / 1000),
      );
    },
    async peek(principal) {
      const limit = principal.policy.rpm;
      if (limit === undefined) return undefined;
      const used = await store.get?.(principal.id);
      const resetTime = used?.resetTime ?? new Date(now() + RPM_WINDOW_MS);
      return {
        limit,
        used: used?.totalHits ?? 0,
        remaining: Math.max(0, limit - (used?.totalHits ?? 0)),
        resetTime,
      };
    },
    close: () => void store.shutdown?.(),
  };
}

function setRateLimitHeaders(c: Context, at: number): RateLimitInfo | undefined {
  const info = c.get(INFO_PROPERTY);
  if (!info) return undefined;
  c.header('x-ratelimit-limit-requests', String(info.limit));
  c.header('x-ratelimit-remaining-requests', String(info.remaining));
  c.header('x-ratelimit-reset-requests', formatDuration(secondsUntilReset(info, at)));
  return info;
}

function secondsUntilReset(info: RateLimitInfo | undefined, at: number): number {
  const resetAt = info?.resetTime?.getTime() ?? at + RPM_WINDOW_MS;
  return Math.max(0, (resetAt - at) / 1000);
}

/** OpenAI writes reset times as Go-style durations: `20ms`, `1.5s`, `6m0s`. */
export function formatDuration(seconds: number): string {
  if (seconds < 1) return `${Math.max(0, Math.round(seconds * 1000))}ms`;
  if (seconds < 60) return `${Number(seconds.toFixed(3))}s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${whole % 60}s`;
}
