import type { Account } from '../../contract/accounts.js';
import type { SharedConcurrency } from '../../contract/ports/limits.js';

/**
 * Run slots per account: never more than `maxConcurrency` runs at once on an account. With a shared
 * store (PostgreSQL run leases, or Redis) every run on an account holds a lease there, so the limit
 * holds across every gateway on it and each one sees the others' running counts; the leases are the
 * keys' own, under an `account:` namespace no key id can collide with (key ids are `key_...`). This
 * gateway's own count is kept as well, for `least-used`.
 */

export type ReleaseSlot = () => void;

export interface AccountSlots {
  /** A slot on `account`, or undefined when its `maxConcurrency` runs are going (on any gateway). */
  tryAcquire(account: Account): Promise<ReleaseSlot | undefined>;
  /** Runs this gateway has on each account now. */
  running(): ReadonlyMap<string, number>;
  /** Runs on the account now on every gateway sharing the store (this one's alone without one). */
  runningEverywhere(account: Account): Promise<number>;
}

export interface AccountSlotsOptions {
  /** Leases every gateway on the store shares; absent: this gateway alone counts. */
  shared?: SharedConcurrency;
  /** A lease that could not be given back (the store away); it expires by itself. */
  onReleaseError?: (error: unknown) => void;
}

export const ACCOUNT_LEASE_PREFIX = 'account:';
/** The lease limit of an account without maxConcurrency: its leases only count its runs. */
const UNLIMITED = 2 ** 31 - 1;

export function accountSlots(options: AccountSlotsOptions = {}): AccountSlots {
  const running = new Map<string, number>();

  const count = (name: string, by: number) => {
    const next = (running.get(name) ?? 0) + by;
    if (next > 0) running.set(name, next);
    else running.delete(name);
  };

  const slot = (name: string, giveBack: () => Promise<void>): ReleaseSlot => {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      count(name, -1);
      giveBack().catch((error: unknown) => options.onReleaseError?.(error));
    };
  };
  const nothingToGiveBack = async () => {};

  return {
    async tryAcquire(account) {
      const limit = account.maxConcurrency;
      if (options.shared) {
        const lease = await options.shared.tryAcquire(
          `${ACCOUNT_LEASE_PREFIX}${account.name}`,
          limit ?? UNLIMITED,
        );
        if (lease === undefined) return undefined;
        count(account.name, 1);
        return slot(account.name, lease);
      }
      // Checked and counted with no await in between, so concurrent callers cannot both pass.
      if (limit !== undefined && (running.get(account.name) ?? 0) >= limit) return undefined;
      count(account.name, 1);
      return slot(account.name, nothingToGiveBack);
    },
    running: () => running,
    async runningEverywhere(account) {
      if (!options.shared) return running.get(account.name) ?? 0;
      return options.shared.running(`${ACCOUNT_LEASE_PREFIX}${account.name}`);
    },
  };
}

/** The first of `candidates` (in order) with a free slot; `busy` when every one is full. */
export async function takeFirstFree(
  candidates: readonly Account[],
  slots: AccountSlots,
): Promise<{ kind: 'taken'; account: Account; release: ReleaseSlot } | { kind: 'busy' }> {
  for (const account of candidates) {
    const release = await slots.tryAcquire(account);
    if (release) return { kind: 'taken', account, release };
  }
  return { kind: 'busy' };
}
