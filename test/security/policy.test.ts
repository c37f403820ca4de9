import { readFileSync } from 'node:fs';
import path from 'node:path';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { eventually, type Harness, useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';
import { bearer, chatBody, postJson, readError } from './http.js';

const h = useHarness({ config: { GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed' } });

const newKey = (
  name: string,
  policy: Parameters<Harness['gateway']['store']['keys']['create']>[0]['policy'],
) => h.gateway.store.keys.create({ name, policy });

const chat = (key: string, body: unknown = chatBody()) =>
  postJson(h.origin, '/v1/chat/completions', body, bearer(key));

describe('allowed models', () => {
  it('answers 403 model_not_allowed naming `model`, and serves the allowed one', async () => {
    const { key } = await newKey('haiku-only', { models: ['haiku'] });
    const denied = await readError(await chat(key));
    expect(denied.status).toBe(403);
    expect(denied.error).toMatchObject({
      type: 'permission_error',
      code: 'model_not_allowed',
      param: 'model',
    });
    expect(h.mock.requests).toHaveLength(0);

    const allowed = await chat(key, { ...chatBody('ok?'), model: 'haiku' });
    expect(allowed.status).toBe(200);
    expect(h.mock.requests).toHaveLength(1);
  });
});

describe('requests per minute', () => {
  it('counts every run, sends the headers on each, and 429s with Retry-After once spent', async () => {
    const { key } = await newKey('two-a-minute', { rpm: 2 });
    const first = await chat(key);
    expect(first.status).toBe(200);
    expect(first.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(first.headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+m)?\d+(\.\d+)?(ms|s)$/);

    // A request that never reaches a run (its body is invalid) does not count, and says nothing.
    const invalid = await chat(key, { model: 'sonnet', messages: 'not a list' });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('x-ratelimit-remaining-requests')).toBeNull();

    const second = await chat(key);
    expect(second.status).toBe(200);
    expect(second.headers.get('x-ratelimit-remaining-requests')).toBe('0');

    const client = new OpenAI({ baseURL: h.baseURL, apiKey: key, maxRetries: 0 });
    const error = await client.chat.completions
      .create(chatBody() as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const limited = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(limited.code).toBe('rate_limit_exceeded');
    const retryAfter = Number(limited.headers?.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers?.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(h.mock.requests).toHaveLength(2);

    // Other keys have their own window.
    const { key: other } = await newKey('other', { rpm: 2 });
    expect((await chat(other)).status).toBe(200);
  });
});

describe('budget', () => {
  it("stops a key with 429 insufficient_quota once Claude Code's reported cost reaches its budget", async () => {
    const { key, record } = await newKey('tiny-budget', { budgetUsd: 0.000001 });
    h.mock.enqueue(text('expensive', { usage: { input_tokens: 1000, output_tokens: 1000 } }));
    expect((await chat(key)).status).toBe(200);
    const spent = (await h.gateway.store.keys.get(record.id))?.spentUsd ?? 0;
    expect(spent).toBeGreaterThan(0.000001);

    const client = new OpenAI({ baseURL: h.baseURL, apiKey: key, maxRetries: 0 });
    const error = await client.chat.completions
      .create(chatBody() as never)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    const quota = error as InstanceType<typeof OpenAI.RateLimitError>;
    expect(quota.code).toBe('insufficient_quota');
    expect(quota.headers?.get('x-should-retry')).toBe('false');
    expect(h.mock.requests).toHaveLength(1);
  });
});

describe('concurrent runs per key', () => {
  it('refuses a second request while the first runs, and frees the slot when it ends', async () => {
    const { key, record } = await newKey('one-at-a-time', { concurrency: 1 });
    h.mock.enqueue({ kind: 'hang' });
    const client = new AbortController();
    const first = postJson(
      h.origin,
      '/v1/chat/completions',
      chatBody('slow'),
      bearer(key),
      client.signal,
    ).catch(() => undefined);
    await h.mock.waitForRequests(1);

    const second = await readError(await chat(key, chatBody('second')));
    expect(second.status).toBe(429);
    expect(second.error).toMatchObject({ type: 'rate_limit_error', code: 'concurrency_limit_exceeded' });
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    // The slot is the key's, whatever surface asks: a Messages run is refused in Anthropic's shape,
    // while counting tokens runs nothing and needs no slot.
    const messagesBody = { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };
    const viaMessages = await postJson(h.origin, '/v1/messages', messagesBody, bearer(key));
    expect(viaMessages.status).toBe(429);
    expect(await viaMessages.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    const counted = await postJson(h.origin, '/v1/messages/count_tokens', messagesBody, bearer(key));
    expect(counted.status).toBe(200);

    // Another key is not affected.
    const { key: other } = await newKey('neighbour', { concurrency: 1 });
    expect((await chat(other, chatBody('neighbour'))).status).toBe(200);

    // The client gives up: the run is aborted and, once it is recorded, the slot is free again.
    client.abort();
    await first;
    const recorded = async () =>
      (await h.gateway.store.audit.recent(20)).filter((entry) => entry.keyId === record.id);
    expect(await eventually(async () => (await recorded()).length === 4, 10_000)).toBe(true);
    expect((await recorded()).map((entry) => entry.status)).toEqual([499, 200, 429, 429]);
    const third = await chat(key, chatBody('third'));
    expect(third.status).toBe(200);
    expect((await json(third)).choices[0].message.content).toBe('echo: third');
  });

  it('holds the slot for a whole stream and releases it when the stream ends', async () => {
    const { key } = await newKey('streamer', { concurrency: 1, rpm: 100 });
    h.mock.enqueue(text('one two three four', { chunkDelayMs: 400 }));
    const stream = await chat(key, chatBody('stream', { stream: true }));
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    // The response headers are out, the run is not over: the key is still busy.
    expect((await chat(key)).status).toBe(429);
    expect((await readSse(stream)).done).toBe(true);
    const again = await chat(key);
    expect(again.status).toBe(200);
  });
});

describe('agent mode', () => {
  it('refuses agent mode to keys without agent tools, and tools outside the key list', async () => {
    const { key: plain } = await newKey('no-agent', {});
    const noAgent = await readError(await chat(plain, chatBody('x', { claude_code: { tools: ['Read'] } })));
    expect(noAgent).toMatchObject({
      status: 403,
      error: { code: 'agent_mode_not_allowed', param: 'claude_code' },
    });

    const { key: reader } = await newKey('reader', { agentTools: ['Read', 'Grep'] });
    const bash = await readError(
      await chat(reader, chatBody('x', { claude_code: { tools: ['Read', 'Bash'] } })),
    );
    expect(bash).toMatchObject({
      status: 403,
      error: { code: 'tool_not_allowed', param: 'claude_code.tools' },
    });
    expect(bash.error.message).toContain("'Bash'");
    const unnamed = await readError(await chat(reader, chatBody('x', { claude_code: {} })));
    expect(unnamed).toMatchObject({
      status: 400,
      error: { code: 'tools_required', param: 'claude_code.tools' },
    });
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe('audit log', () => {
  it('records every request of a key with status and cost, and never the prompt text', async () => {
    const { key, record } = await newKey('audited', { models: ['sonnet'] });
    const secret = 'the launch code is 0000-HUNTER2';
    h.mock.enqueue(text('noted', { usage: { input_tokens: 20, output_tokens: 7 } }));
    const ok = await chat(key, chatBody(secret));
    const requestId = ok.headers.get('x-request-id');
    expect((await chat(key, { ...chatBody(secret), model: 'opus' })).status).toBe(403);

    const entries = (await h.gateway.store.audit.recent(50)).filter((entry) => entry.keyId === record.id);
    expect(entries.map((entry) => [entry.status, entry.model, entry.errorCode])).toEqual([
      [403, 'opus', 'model_not_allowed'],
      [200, 'sonnet', null],
    ]);
    expect(entries[1]).toMatchObject({
      requestId,
      path: '/v1/chat/completions',
      promptTokens: 20,
      completionTokens: 7,
      prompt: null,
    });
    expect(entries[1]?.costUsd).toBeGreaterThan(0);
    // Neither the database nor its write-ahead log holds the prompt.
    for (const file of ['gateway.db', 'gateway.db-wal']) {
      expect(readFileSync(path.join(h.dataDir, file)).includes('HUNTER2'), file).toBe(false);
    }
  });
});
