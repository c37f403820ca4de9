import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';

const h = useHarness({ config: { READY_CACHE_MS: '600000' } });

/** When the readiness probe last wrote to the store, read from a separate read-only connection. */
function lastProbeWrite(): number | undefined {
  const db = new Database(path.join(h.dataDir, 'gateway.db'), { readonly: true });
  try {
    const row = db.prepare('SELECT checked_at FROM readiness_probe WHERE id = 1').get() as
      | { checked_at: number }
      | undefined;
    return row?.checked_at;
  } finally {
    db.close();
  }
}

describe('/ready', () => {
  it('writes to the store once per READY_CACHE_MS, however often it is called', async () => {
    expect((await fetch(`${h.origin}/ready`)).status).toBe(200);
    const first = lastProbeWrite();
    expect(first).toBeTypeOf('number');
    for (let i = 0; i < 20; i++) {
      const response = await fetch(`${h.origin}/ready`);
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    }
    expect(lastProbeWrite()).toBe(first);
  });

  it('still turns 503 at once when the store closes', async () => {
    h.gateway.store.close();
    const response = await fetch(`${h.origin}/ready`);
    expect(response.status).toBe(503);
  });
});
