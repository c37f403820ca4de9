import { describe, expect, it } from 'vitest';
import type { ApiKeyRecord, KeyStore } from '../contract/ports/keys.js';
import { recentSpend } from './recent-spend.js';

function fakeKeys(record: ApiKeyRecord): KeyStore & { gets: number } {
  const store = {
    gets: 0,
    create: async () => ({ record, key: 'k' }),
    list: async () => [record],
    findByHash: async (hash: string) => (hash === 'h' ? { ...record, keyHash: 'h' } : undefined),
    get: async (id: string) => {
      store.gets++;
      return id === record.id ? record : undefined;
    },
    count: async () => 1,
    revoke: async () => undefined,
    update: async () => undefined,
    spentSince: async () => 0,
  };
  return store;
}

const record: ApiKeyRecord = {
  id: 'key_1',
  name: 'k',
  prefix: 'sk-',
  admin: false,
  policy: { budgetUsd: 5 },
  spentUsd: 1.25,
  createdAt: 0,
  revokedAt: null,
  expiresAt: null,
};

describe('recentSpend', () => {
  it('answers the budget check from the lookup that authenticated the request, without a read', async () => {
    let at = 1_000;
    const stored = { ...record };
    const keys = fakeKeys(stored);
    const spend = recentSpend(keys, { maxAgeMs: 500, now: () => at });
    expect((await spend.keys.findByHash('h'))?.id).toBe('key_1');
    stored.spentUsd = 2; // a run finished on another gateway after the lookup
    at += 500;
    expect(await spend.spentUsd('key_1')).toBe(1.25);
    expect(keys.gets).toBe(0);
    // Used once: the next check (a WebSocket session's next turn) reads the charge made since.
    expect(await spend.spentUsd('key_1')).toBe(2);
    expect(keys.gets).toBe(1);
  });

  it('reads the key again once the reading is older than maxAgeMs, or when there is none', async () => {
    let at = 1_000;
    const keys = fakeKeys({ ...record, spentUsd: 3 });
    const spend = recentSpend(keys, { maxAgeMs: 500, now: () => at });
    expect(await spend.spentUsd('key_1')).toBe(3);
    expect(keys.gets).toBe(1);
    await spend.keys.findByHash('h');
    at += 501;
    expect(await spend.spentUsd('key_1')).toBe(3);
    expect(keys.gets).toBe(2);
    expect(await spend.spentUsd('key_gone')).toBe(0);
  });

  it('remembers nothing for a key that was not found, and passes other calls through', async () => {
    const keys = fakeKeys(record);
    const spend = recentSpend(keys, { maxAgeMs: 500 });
    expect(await spend.keys.findByHash('wrong')).toBeUndefined();
    await spend.spentUsd('key_1');
    expect(keys.gets).toBe(1);
    expect(await spend.keys.count()).toBe(1);
  });
});
