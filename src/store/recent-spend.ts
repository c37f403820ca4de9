import type { KeyStore } from '../contract/ports/keys.js';

/**
 * A key's spend as the authentication lookup just read it, so the budget check of the same request
 * needs no second read of the key (one round trip less on a shared database). A reading serves one
 * check, and only within `maxAgeMs` of the lookup; otherwise the key is read again. So a charge is
 * seen at most `maxAgeMs` late (budgets already let runs in flight overshoot).
 */
export interface RecentSpend {
  /** The key store for the authenticator: each key it finds leaves its spend here. */
  readonly keys: KeyStore;
  /** The key's spend: the lookup's reading when fresh and unused, else read now; 0 for a key that is gone. */
  spentUsd(keyId: string): Promise<number>;
}

export function recentSpend(keys: KeyStore, options: { maxAgeMs: number; now?: () => number }): RecentSpend {
  const now = options.now ?? Date.now;
  // One reading per key (the latest), so the map is bounded by the number of keys.
  const readings = new Map<string, { spentUsd: number; at: number }>();
  return {
    keys: {
      ...keys,
      async findByHash(keyHash) {
        const at = now();
        const found = await keys.findByHash(keyHash);
        if (found) readings.set(found.id, { spentUsd: found.spentUsd, at });
        return found;
      },
    },
    async spentUsd(keyId) {
      const reading = readings.get(keyId);
      // Used once: the next check (a WebSocket session's next turn, after this one's charge)
      // reads again rather than reuse a spend from before that charge.
      readings.delete(keyId);
      if (reading && now() - reading.at <= options.maxAgeMs) return reading.spentUsd;
      return (await keys.get(keyId))?.spentUsd ?? 0;
    },
  };
}
