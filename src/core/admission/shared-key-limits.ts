import { storeUnavailable } from '../../contract/auth-errors.js';
import { concurrencyExceeded } from '../../contract/policy-errors.js';
import type { SharedConcurrency } from '../../contract/ports/limits.js';
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
