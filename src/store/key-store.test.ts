import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../auth/api-key.js';
import { AuditLog } from './audit-log.js';
import { openStoreDatabase } from './database.js';
import { DuplicateKeyNameError, KeyStore } from './key-store.js';

function stores() {
  const db = openStoreDatabase(':memory:');
  let clock = Date.UTC(2026, 0, 1, 12);
  return { db, keys: new KeyStore(db, () => clock++), audit: new AuditLog(db) };
}

describe('KeyStore', () => {
  it('keeps only the digest: the key is returned once and found again by its hash', () => {
    const { db, keys } = stores();
    const { record, key } = keys.create({
      name: 'ci',
      policy: { rpm: 5, concurrency: 2, budgetUsd: 1.5, models: ['sonnet'], agentTools: ['Read'] },
    });
    expect(key).toMatch(/^sk-cg-[A-Za-z0-9_-]{43}$/);
    expect(record.prefix).toBe(key.slice(0, 12));
    const dump = JSON.stringify(db.prepare('SELECT * FROM api_keys').all());
    expect(dump).not.toContain(key);
    expect(dump).toContain(hashApiKey(key));
    expect(keys.findByHash(hashApiKey(key))).toMatchObject({
      id: record.id,
      policy: { rpm: 5, concurrency: 2, budgetUsd: 1.5, models: ['sonnet'], agentTools: ['Read'] },
    });
  });

  it('leaves absent limits out of the policy', () => {
    const { keys } = stores();
    expect(keys.create({ name: 'open' }).record.policy).toEqual({});
  });

  it('revokes by id or name; a revoked key is no longer found and its name is free again', () => {
    const { keys } = stores();
    const first = keys.create({ name: 'bob' });
    expect(() => keys.create({ name: 'bob' })).toThrow(DuplicateKeyNameError);
    expect(keys.revoke('bob')?.id).toBe(first.record.id);
    expect(keys.findByHash(hashApiKey(first.key))).toBeUndefined();
    expect(keys.revoke('bob')).toBeUndefined();
    const second = keys.create({ name: 'bob' });
    expect(keys.revoke(second.record.id)?.name).toBe('bob');
    expect(keys.count()).toBe(0);
    expect(keys.count({ includeRevoked: true })).toBe(2);
    expect(keys.list({ includeRevoked: true })).toHaveLength(2);
  });
});

describe('AuditLog', () => {
  it('adds each entry cost to the key spend and sums usage per key and UTC day', () => {
    const { keys, audit } = stores();
    const { record } = keys.create({ name: 'a' });
    const base = {
      requestId: 'r',
      keyId: record.id,
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'sonnet',
      stream: false,
      errorCode: null,
      durationMs: 10,
      timeToFirstChunkMs: null,
      queueWaitMs: null,
      prompt: null,
    };
    const day1 = Date.UTC(2026, 0, 1, 23, 59);
    const day2 = Date.UTC(2026, 0, 2, 0, 1);
    audit.record({ ...base, at: day1, status: 200, promptTokens: 10, completionTokens: 5, costUsd: 0.25 });
    audit.record({ ...base, at: day1, status: 429, promptTokens: 0, completionTokens: 0, costUsd: 0 });
    audit.record({ ...base, at: day2, status: 200, promptTokens: 1, completionTokens: 2, costUsd: 0.5 });
    expect(keys.get(record.id)?.spentUsd).toBeCloseTo(0.75);
    expect(audit.usage(day1, day2 + 1)).toEqual([
      {
        keyId: record.id,
        keyName: 'a',
        day: '2026-01-01',
        requests: 2,
        errors: 1,
        promptTokens: 10,
        completionTokens: 5,
        costUsd: 0.25,
      },
      {
        keyId: record.id,
        keyName: 'a',
        day: '2026-01-02',
        requests: 1,
        errors: 0,
        promptTokens: 1,
        completionTokens: 2,
        costUsd: 0.5,
      },
    ]);
    expect(audit.usage(day2, day2 + 1)).toHaveLength(1);
  });
});
