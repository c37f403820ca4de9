import { describe, expect, it } from 'vitest';
import type { Account } from '../../contract/accounts.js';
import type { SharedConcurrency } from '../../contract/ports/limits.js';
import { accountSlots, takeFirstFree } from './account-slots.js';

function account(name: string, maxConcurrency?: number): Account {
  return {
    name,
    kind: 'subscription',
    env: {},
    fingerprint: name,
    ...(maxConcurrency ? { maxConcurrency } : {}),
  };
}

/** Leases as another gateway on the same store would see them: a count per lease key. */
function leases(): SharedConcurrency & { held: Map<string, number> } {
  const held = new Map<string, number>();
  return {
    held,
    async tryAcquire(key, limit) {
      const count = held.get(key) ?? 0;
      if (count >= limit) return undefined;
      held.set(key, count + 1);
      return async () => {
        held.set(key, (held.get(key) ?? 1) - 1);
      };
    },
    async running(key) {
      return held.get(key) ?? 0;
    },
    async close() {},
  };
}

describe('accountSlots', () => {
  it('holds an account to its maxConcurrency on this gateway, even when asked all at once', async () => {
    const slots = accountSlots();
    const main = account('main', 2);
    const taken = await Promise.all([1, 2, 3].map(() => slots.tryAcquire(main)));
    expect(taken.filter(Boolean)).toHaveLength(2);
    expect(slots.running().get('main')).toBe(2);

    const release = taken.find(Boolean);
    release?.();
    release?.();
    expect(slots.running().get('main')).toBe(1);
    expect(await slots.tryAcquire(main)).toBeTypeOf('function');
  });

  it('counts runs on an account without a limit, and never refuses them', async () => {
    const slots = accountSlots();
    const releases = await Promise.all([1, 2, 3, 4].map(() => slots.tryAcquire(account('open'))));
    expect(releases.every(Boolean)).toBe(true);
    expect(slots.running().get('open')).toBe(4);
    for (const release of releases) release?.();
    expect(slots.running().has('open')).toBe(false);
  });

  it("takes every account's slots from the shared leases, under the account namespace", async () => {
    const shared = leases();
    const here = accountSlots({ shared });
    const there = accountSlots({ shared });
    const main = account('main', 1);

    const release = await here.tryAcquire(main);
    expect(shared.held.get('account:main')).toBe(1);
    // Another gateway on the same store finds the account full.
    expect(await there.tryAcquire(main)).toBeUndefined();
    release?.();
    await Promise.resolve();
    expect(shared.held.get('account:main')).toBe(0);
    expect(await there.tryAcquire(main)).toBeTypeOf('function');
    // An account without a limit holds leases too (never refused), so every gateway sees its runs.
    await here.tryAcquire(account('open'));
    await there.tryAcquire(account('open'));
    expect(await here.runningEverywhere(account('open'))).toBe(2);
    expect(here.running().get('open')).toBe(1);
  });

  it('reports a lease that could not be given back', async () => {
    const errors: unknown[] = [];
    const failing: SharedConcurrency = {
      ...leases(),
      async tryAcquire() {
        return async () => {
          throw new Error('store away');
        };
      },
    };
    const slots = accountSlots({ shared: failing, onReleaseError: (error) => errors.push(error) });
    const release = await slots.tryAcquire(account('main', 1));
    release?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors).toEqual([new Error('store away')]);
    expect(slots.running().has('main')).toBe(false);
  });
});

describe('takeFirstFree', () => {
  it('takes the first candidate with a free slot, or says all are busy', async () => {
    const slots = accountSlots();
    const main = account('main', 1);
    const backup = account('backup', 1);
    expect(await takeFirstFree([main, backup], slots)).toMatchObject({ kind: 'taken', account: main });
    expect(await takeFirstFree([main, backup], slots)).toMatchObject({ kind: 'taken', account: backup });
    expect(await takeFirstFree([main, backup], slots)).toEqual({ kind: 'busy' });
  });
});
