import { describe, expect, it } from 'vitest';
import { openStoreDatabase } from './database.js';
import type { StoredResponse } from './responses-store.js';
import { createSqliteResponsesStore } from './sqlite-responses-store.js';

const record = (id: string, overrides: Partial<StoredResponse> = {}): StoredResponse => ({
  id,
  ownerId: 'key-a',
  previousResponseId: null,
  inputItems: [{ type: 'message', role: 'user', content: 'hi' }],
  response: { id, object: 'response', output: [] },
  createdAt: 1_000,
  expiresAt: 2_000,
  ...overrides,
});

describe('createSqliteResponsesStore', () => {
  it('keeps a response for its owner only, until it expires or is deleted', async () => {
    const store = createSqliteResponsesStore(openStoreDatabase(':memory:'));
    await store.save(record('resp_1', { previousResponseId: 'resp_0' }));
    expect(await store.get('resp_1', 'key-a', 1_500)).toEqual(
      record('resp_1', { previousResponseId: 'resp_0' }),
    );
    expect(await store.get('resp_1', 'key-b', 1_500)).toBeUndefined();
    expect(await store.get('resp_1', 'key-a', 2_000)).toBeUndefined();
    expect(await store.delete('resp_1', 'key-b')).toBe(false);
    expect(await store.delete('resp_1', 'key-a')).toBe(true);
    expect(await store.get('resp_1', 'key-a', 1_500)).toBeUndefined();
  });

  it('extends a chain as a whole, never shortening, and sweeps what expired', async () => {
    const store = createSqliteResponsesStore(openStoreDatabase(':memory:'));
    await store.save(record('resp_1'));
    await store.save(record('resp_2', { expiresAt: 9_000 }));
    await store.save(record('resp_3', { ownerId: 'key-b' }));
    await store.extend(['resp_1', 'resp_2', 'resp_3'], 'key-a', 5_000);
    expect((await store.get('resp_1', 'key-a', 4_000))?.expiresAt).toBe(5_000);
    expect((await store.get('resp_2', 'key-a', 4_000))?.expiresAt).toBe(9_000);
    expect(await store.get('resp_3', 'key-b', 4_000)).toBeUndefined();
    expect(await store.sweep(6_000)).toBe(2);
    expect(await store.get('resp_2', 'key-a', 6_000)).toBeDefined();
  });
});
