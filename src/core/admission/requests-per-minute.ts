import type { RequestsPerMinuteStanding } from '../../contract/admission.js';
import { storeUnavailable } from '../../contract/auth-errors.js';
import type { Principal } from '../../contract/key-policy.js';
import { RequestsPerMinuteExceeded } from '../../contract/policy-errors.js';
import type { RateWindowHit } from '../../contract/ports/limits.js';

/** A key's window opens at its first counted run and lasts a minute (a fixed window per key). */
export const RPM_WINDOW_MS = 60_000;

/** Counts one hit of a key in its current window: in memory, in the shared database, or in Redis. */
export interface RateWindowCounter {
  increment(key: string): Promise<RateWindowHit>;
}

export interface RequestsPerMinute {
  /**
   * Counts one run of the key and says where the key stands; throws `RequestsPerMinuteExceeded` once
   * the window is spent, and the 503 when the shared counter does not answer. Keys without a limit
   * are not counted (undefined).
   */
  count(principal: Principal): Promise<RequestsPerMinuteStanding | undefined>;
}

export function requestsPerMinute(
  window: RateWindowCounter,
  now: () => number = Date.now,
): RequestsPerMinute {
  return {
    async count(principal) {
      const limit = principal.policy.rpm;
      if (limit === undefined) return undefined;
      const hit = await window.increment(principal.id).catch(() => {
        throw storeUnavailable();
      });
      const standing: RequestsPerMinuteStanding = {
        limit,
        remaining: Math.max(0, limit - hit.totalHits),
        resetAt: hit.resetTime.getTime(),
      };
      if (hit.totalHits > limit) throw new RequestsPerMinuteExceeded(standing, now());
      return standing;
    },
  };
}

/**
 * The window of a single gateway, in memory. Ended windows are dropped as new hits come (at most
 * once per window length), so the map holds only keys seen within the last window or two.
 */
export function memoryRateWindow(windowMs: number, now: () => number = Date.now): RateWindowCounter {
  const windows = new Map<string, { hits: number; resetAt: number }>();
  let sweptAt = now();
  const sweep = (at: number) => {
    if (at - sweptAt < windowMs) return;
    sweptAt = at;
    for (const [key, window] of windows) if (window.resetAt <= at) windows.delete(key);
  };
  return {
    async increment(key) {
      const at = now();
      sweep(at);
      const current = windows.get(key);
      const window = current && current.resetAt > at ? current : { hits: 0, resetAt: at + windowMs };
      window.hits++;
      windows.set(key, window);
      return { totalHits: window.hits, resetTime: new Date(window.resetAt) };
    },
  };
}
