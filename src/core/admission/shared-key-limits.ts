import type { Store } from 'hono-rate-limiter';
import { storeUnavailable } from '../../contract/auth-errors.js';
import { concurrencyExceeded } from '../../contract/policy-errors.js';
import type { SharedConcurrency, SharedRateWindow } from '../../contract/ports/limits.js';
import type { ConcurrencyLimiter } from './key-concurrency.js';

/** Per-key concurrency against leases every gateway shares; a store that does not answer is a 503. */
export function sharedKeyConcurrency(
  shared: SharedConcurrency,
  onReleaseError: (error: unknown) => void,
): ConcurrencyLimiter {
  return {
    async acquire(keyId, limit) {
      if (limit === undefined) return () => {};
      const release = await shared.tryAcquire(keyId, limit).catch(() => {
        throw storeUnavailable();
      });
      if (!release) throw concurrencyExceeded(limit);
      // A lease that cannot be deleted (database away) expires on its own after its TTL.
      return () => void release().catch(onReleaseError);
    },
  };
}

/** hono-rate-limiter's Store over the shared window counter; a store that does not answer is a 503. */
export function sharedRateLimitStore(counter: SharedRateWindow): Store {
  const unavailable = () => {
    throw storeUnavailable();
  };
  return {
    localKeys: false,
    prefix: 'rpm:',
    increment: (key) => counter.increment(key).catch(unavailable),
    get: (key) => counter.get(key).catch(unavailable),
    decrement: (key) => counter.decrement(key).catch(unavailable),
    resetKey: (key) => counter.resetKey(key).catch(unavailable),
  };
}
