import type { Redis } from 'ioredis';
import { RateLimiterRedis, type RateLimiterRes } from 'rate-limiter-flexible';
import type { RateWindowHit, SharedRateWindow } from '../../contract/ports/limits.js';

/**
 * The requests-per-minute window in Redis, through rate-limiter-flexible's RateLimiterRedis: one
 * counter per key, incremented and given its expiry in one atomic script, so every gateway on the
 * same Redis shares one exact count (no slack). The window opens at a key's first request and lasts
 * `windowMs`, as with the database window and the in-memory one.
 *
 * The limiter only counts: each key's limit differs and admission compares the count with it, so
 * the limiter's own points are set out of reach.
 */
export function redisRateWindow(client: Redis, windowMs: number): SharedRateWindow {
  const limiter = new RateLimiterRedis({
    storeClient: client,
    keyPrefix: 'cg:rpm',
    points: Number.MAX_SAFE_INTEGER,
    duration: windowMs / 1000,
    // A client still connecting is an error at once, never a wait.
    rejectIfRedisNotReady: true,
  });
  const hit = (res: RateLimiterRes): RateWindowHit => ({
    totalHits: res.consumedPoints,
    resetTime: new Date(Date.now() + res.msBeforeNext),
  });
  return {
    async increment(key) {
      return hit(await limiter.consume(key, 1));
    },
    async get(key) {
      const res = await limiter.get(key);
      return res ? hit(res) : undefined;
    },
    async decrement(key) {
      await limiter.reward(key, 1);
    },
    async resetKey(key) {
      await limiter.delete(key);
    },
  };
}
