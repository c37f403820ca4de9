import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { createKeyWithCli } from '../helpers/gateway-cli.js';
import {
  chatOn as chat,
  expectOneAtATimeAcross,
  expectThreePerMinuteAcross,
} from '../helpers/limits-across-gateways.js';
import { type RedisServer, redisTestsSkipReason, startRedisServer } from '../helpers/redis-server.js';
import { type MockAnthropic, startMockAnthropic } from '../mock-anthropic/server.js';
import { type ServerProcess, startServerProcess } from '../ops/server-process.js';
import { readError } from '../security/http.js';

/**
 * Two real gateway processes sharing one SQLite key store (one machine, one file) and one Redis
 * (REDIS_URL), with the real Claude Code CLI against the mock. Without Redis their rpm windows and
 * run counts would be each gateway's own (in memory); with it, a key's limits hold across both.
 */
const skipReason = redisTestsSkipReason();
if (skipReason) console.warn(`skipped: ${skipReason}`);

let redis: RedisServer | undefined;
let mock: MockAnthropic;
let a: ServerProcess;
let b: ServerProcess;
let storeDir = '';
const storeEnv = () => ({ STORE_PATH: path.join(storeDir, 'gateway.db') });

describe.skipIf(skipReason !== undefined)('two gateways sharing limits in Redis', () => {
  beforeAll(async () => {
    redis = await startRedisServer();
    mock = await startMockAnthropic();
    storeDir = await mkdtemp(path.join(tmpdir(), 'cg-redis-store-'));
    const env = {
      ...storeEnv(),
      REDIS_URL: redis.url,
      WARM_SPARES: '0',
      READY_CACHE_MS: '0',
      GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed',
    };
    // One after the other: the first creates the SQLite file's schema.
    a = await startServerProcess(mock.url, env);
    b = await startServerProcess(mock.url, env);
  }, 120_000);

  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await mock?.close();
    await redis?.stop();
    if (storeDir) await rm(storeDir, { recursive: true, force: true });
  }, 60_000);

  it('admits exactly N requests per minute for a key across both instances', async () => {
    const { key } = await createKeyWithCli(storeEnv(), 'rpm-3', '--rpm', '3');
    await expectThreePerMinuteAcross(a, b, key, a);
    // The window is in Redis, with the minute as its expiry.
    const client = new Redis(redis?.url ?? '');
    try {
      const windows = await client.keys('cg:rpm*');
      expect(windows).toHaveLength(1);
      const ttl = await client.pttl(windows[0] ?? '');
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      client.disconnect();
    }
  });

  it('holds per-key concurrency across both instances', async () => {
    const { key } = await createKeyWithCli(storeEnv(), 'one-at-a-time', '--concurrency', '1');
    await expectOneAtATimeAcross(mock, a, b, key);
  });

  it('fails /ready and answers 503 store_unavailable while Redis is away', async () => {
    const { key } = await createKeyWithCli(storeEnv(), 'limited', '--rpm', '100');
    expect((await fetch(`${b.origin}/ready`)).status).toBe(200);
    const reachedMock = mock.requests.length;
    await redis?.stop();
    redis = undefined;
    const ready = await fetch(`${b.origin}/ready`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks).toMatchObject({ store_writable: true, limits_store_reachable: false });
    const refused = await readError(await chat(b, key));
    expect(refused.status).toBe(503);
    expect(refused.error.code).toBe('store_unavailable');
    expect(mock.requests).toHaveLength(reachedMock);
  });
});
