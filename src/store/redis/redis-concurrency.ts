import type { Redis } from 'ioredis';
import { type LockOptions, Semaphore } from 'redis-semaphore';
import type { SharedConcurrency } from '../../contract/ports/limits.js';

export interface RedisConcurrencyOptions {
  /**
   * How long a slot outlives its last refresh. A gateway that dies holds its keys' slots this long
   * at most (it can refuse, never over-admit); held slots are refreshed every third of it.
   */
  leaseTtlMs?: number;
  /** A held slot could not be refreshed (Redis away); it is tried again at the next interval. */
  onRefreshError?: (error: unknown) => void;
  /** A held slot expired before it was refreshed: other gateways may count it free now. */
  onLeaseLost?: (error: Error) => void;
}

/**
 * redis-semaphore refreshes from a timer and lets a failed refresh reject there, which would be an
 * unhandled rejection (a crash) whenever Redis goes away while a run holds a slot. A failed refresh
 * is reported and retried instead; the slot expires on its own if Redis stays away past its TTL.
 */
class RunSlot extends Semaphore {
  readonly #onRefreshError: (error: unknown) => void;

  constructor(
    client: Redis,
    key: string,
    limit: number,
    options: LockOptions,
    onRefreshError: (error: unknown) => void,
  ) {
    super(client, key, limit, options);
    this.#onRefreshError = onRefreshError;
  }

  protected override async _refresh(): Promise<boolean> {
    try {
      return await super._refresh();
    } catch (error) {
      this.#onRefreshError(error);
      return true;
    }
  }
}

const KEY_PREFIX = 'cg:runs:';

/**
 * Per-key concurrency across gateways in Redis, through redis-semaphore: each key is a semaphore
 * (a sorted set of holders scored by their last refresh) whose acquire script drops expired holders,
 * counts the rest and adds one only under the limit, atomically, so instances never over-admit.
 * Expiry uses the gateways' clocks, so keep them in sync (NTP) to well under the lease TTL.
 */
export function redisConcurrency(client: Redis, options: RedisConcurrencyOptions = {}): SharedConcurrency {
  const ttl = options.leaseTtlMs ?? 30_000;
  const held = new Set<RunSlot>();
  return {
    async tryAcquire(keyId, limit) {
      const semaphore = new RunSlot(
        client,
        `${KEY_PREFIX}${keyId}`,
        limit,
        {
          lockTimeout: ttl,
          refreshInterval: ttl / 3,
          // One try: a key at its limit is a 429 now, not a wait.
          acquireAttemptsLimit: 1,
          onLockLost: (error) => options.onLeaseLost?.(error),
        },
        (error) => options.onRefreshError?.(error),
      );
      if (!(await semaphore.tryAcquire())) return undefined;
      held.add(semaphore);
      return async () => {
        if (!held.delete(semaphore)) return;
        await semaphore.release();
      };
    },
    async running(keyId) {
      // redis-semaphore keeps its sorted set under `semaphore:<key>`.
      return client.zcount(`semaphore:${KEY_PREFIX}${keyId}`, `(${Date.now() - ttl}`, '+inf');
    },
    async close() {
      const all = [...held];
      held.clear();
      await Promise.allSettled(all.map((semaphore) => semaphore.release()));
    },
  };
}
