/**
 * The per-key limit checks two gateways sharing their limits must pass, whichever store holds them
 * (PostgreSQL in test/scale/multi-instance.test.ts, Redis in test/scale/redis-limits.test.ts).
 */
import { expect } from 'vitest';
import type { MockAnthropic } from '../mock-anthropic/server.js';
import { text } from '../mock-anthropic/server.js';
import type { ServerProcess } from '../ops/server-process.js';
import { bearer, chatBody, postJson, readError } from '../security/http.js';
import { eventually } from './gateway-harness.js';
import { readSse } from './sse-events.js';

export const chatOn = (server: ServerProcess, key: string, body: unknown = chatBody()) =>
  postJson(server.origin, '/v1/chat/completions', body, bearer(key));

/**
 * A key limited to 3 requests a minute, sent 6 at once alternating between `a` and `b`: exactly 3
 * succeed, and `limitedOn` then refuses the key with its rate-limit error and headers.
 */
export async function expectThreePerMinuteAcross(
  a: ServerProcess,
  b: ServerProcess,
  key: string,
  limitedOn: ServerProcess,
): Promise<void> {
  const servers = [a, b, a, b, a, b];
  const statuses = await Promise.all(
    servers.map((server, i) => chatOn(server, key, chatBody(`rpm ${i}`)).then((r) => r.status)),
  );
  expect(statuses.filter((status) => status === 200)).toHaveLength(3);
  expect(statuses.filter((status) => status === 429)).toHaveLength(3);
  const limited = await readError(await chatOn(limitedOn, key));
  expect(limited.error.code).toBe('rate_limit_exceeded');
  expect(limited.headers.get('x-ratelimit-remaining-requests')).toBe('0');
}

/**
 * A key limited to one run at a time streaming on `a`: `b` refuses it meanwhile, and serves it once
 * the stream's run has ended and given its slot back.
 */
export async function expectOneAtATimeAcross(
  mock: MockAnthropic,
  a: ServerProcess,
  b: ServerProcess,
  key: string,
): Promise<void> {
  mock.enqueue(text('one two three four five', { chunkDelayMs: 300 }));
  const stream = await chatOn(a, key, chatBody('slow', { stream: true }));
  expect(stream.status).toBe(200);
  const busy = await readError(await chatOn(b, key, chatBody('meanwhile on b')));
  expect(busy.status).toBe(429);
  expect(busy.error.code).toBe('concurrency_limit_exceeded');
  expect((await readSse(stream)).done).toBe(true);
  expect(await eventually(async () => (await chatOn(b, key, chatBody('after'))).status === 200, 10_000)).toBe(
    true,
  );
}
