import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/helpers/gateway-harness.js';
import {
  type RedisServer,
  redisTestsSkipReason,
  startRedisServer,
} from '../../../test/helpers/redis-server.js';
import { redisConcurrency } from './redis-concurrency.js';
import { connectRedis, redisAnswers } from './redis-connection.js';
import { redisRateWindow } from './redis-rate-window.js';

/** The Redis limit stores against a real redis-server: two clients stand for two gateways. */
const skipReason = redisTestsSkipReason();
if (skipReason) console.warn(`skipped: ${skipReason}`);

describe.skipIf(skipReason !== undefined)('limits in Redis', () => {
  let server: RedisServer | undefined;
  let one: Redis;
  let two: Redis;
  beforeAll(async () => {
    server = await startRedisServer();
    one = connectRedis(server.url);
    two = connectRedis(server.url);
    await eventually(async () => (await redisAnswers(one)) && (await redisAnswers(two)), 10_000);
  }, 30_000);
  afterAll(async () => {
    one?.disconnect();
    two?.disconnect();
    await server?.stop();
  });

  it('counts one window per key across clients, each hit exactly once', async () => {
    const windows = [redisRateWindow(one, 60_000), redisRateWindow(two, 60_000)];
    const hits = await Promise.all(
      Array.from({ length: 20 }, (_, i) => windows[i % 2]?.increment('key_rpm')),
    );
    expect(hits.map((hit) => hit?.totalHits).sort((x = 0, y = 0) => x - y)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
    const reset = hits[0]?.resetTime.getTime() ?? 0;
    expect(reset).toBeGreaterThan(Date.now());
    expect(reset).toBeLessThanOrEqual(Date.now() + 60_000);
    expect((await windows[1]?.get('key_rpm'))?.totalHits).toBe(20);
    expect(await windows[0]?.get('another_key')).toBeUndefined();
    await windows[0]?.resetKey('key_rpm');
    expect(await windows[1]?.get('key_rpm')).toBeUndefined();
  });

  it('never admits more than the limit across clients, and frees a slot when it is given back', async () => {
    const gateways = [redisConcurrency(one), redisConcurrency(two)];
    const attempts = await Promise.all(
      Array.from({ length: 6 }, (_, i) => gateways[i % 2]?.tryAcquire('key_conc', 2)),
    );
    const held = attempts.filter((release) => release !== undefined);
    expect(held).toHaveLength(2);
    expect(await gateways[0]?.running('key_conc')).toBe(2);
    await held[0]?.();
    await held[0]?.(); // twice is harmless
    expect(await gateways[1]?.running('key_conc')).toBe(1);
    const again = await gateways[1]?.tryAcquire('key_conc', 2);
    expect(again).toBeDefined();
    await Promise.all(gateways.map((gateway) => gateway?.close()));
    expect(await gateways[0]?.running('key_conc')).toBe(0);
  });

  it("lets a dead gateway's slot expire after its lease; a failed refresh is reported, not thrown", async () => {
    if (!server) throw new Error('no server');
    const lost = connectRedis(server.url);
    expect(await eventually(() => redisAnswers(lost), 10_000)).toBe(true);
    const refreshErrors: unknown[] = [];
    const dead = redisConcurrency(lost, { leaseTtlMs: 900, onRefreshError: (e) => refreshErrors.push(e) });
    const alive = redisConcurrency(two, { leaseTtlMs: 900 });
    expect(await dead.tryAcquire('key_dead', 1)).toBeDefined();
    expect(await alive.tryAcquire('key_dead', 1)).toBeUndefined();
    // The gateway loses Redis: its refreshes fail (reported) and its slot runs out on its own.
    lost.disconnect();
    expect(await eventually(async () => (await alive.tryAcquire('key_dead', 1)) !== undefined, 10_000)).toBe(
      true,
    );
    expect(await eventually(() => refreshErrors.length > 0, 5_000)).toBe(true);
    await alive.close();
  });
});
