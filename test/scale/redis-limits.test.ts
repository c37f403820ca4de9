import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { createKeyWithCli } from '../helpers/gateway-cli.js';
import { eventually } from '../helpers/gateway-harness.js';
import { type RedisServer, redisTestsSkipReason, startRedisServer } from '../helpers/redis-server.js';
import { type MockAnthropic, startMockAnthropic, text } from '../mock-anthropic/server.js';
import { type ServerProcess, startServerProcess } from '../ops/server-process.js';
import { bearer, chatBody, postJson, readError } from '../security/http.js';

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

const chat = (server: ServerProcess, key: string, body: unknown = chatBody()) =>
  postJson(server.origin, '/v1/chat/completions', body, bearer(key));

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
    const servers = [a, b, a, b, a, b];
    const statuses = await Promise.all(
      servers.map((server, i) => chat(server, key, chatBody(`rpm ${i}`)).then((r) => r.status)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(3);
    const limited = await readError(await chat(a, key));
    expect(limited.error.code).toBe('rate_limit_exceeded');
    expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
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
    mock.enqueue(text('one two three four five', { chunkDelayMs: 300 }));
    const stream = await chat(a, key, chatBody('slow', { stream: true }));
    expect(stream.status).toBe(200);
    const busy = await readError(await chat(b, key, chatBody('meanwhile on b')));
    expect(busy.status).toBe(429);
    expect(busy.error.code).toBe('concurrency_limit_exceeded');
    expect(await stream.text()).toContain('data: [DONE]');
    // The slot is given back when the stream's run ends; B may run now.
    expect(await eventually(async () => (await chat(b, key, chatBody('after'))).status === 200, 10_000)).toBe(
      true,
    );
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
