/**
 * Chat completions created with `store: true`, read back, listed, updated and deleted, over the real
 * store (an SQLite file) and a fake run service; every answer checked against OpenAI's schemas.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import type { RunEvent } from '../../../contract/run-events.js';
import { createModelCatalog } from '../../../core/model-catalog.js';
import { fakeRunService, playing } from '../../../core/test-support.js';
import type { AppEnv } from '../../../http/request-logger.js';
import { type GatewayStore, openGatewayStore } from '../../../store/gateway-store.js';
import { renderOpenAIError } from '../openai-error.js';
import { schemaChecks } from '../test-support.js';
import { chatCompletionsRoutes } from './route.js';

type Json = Record<string, any>;

const usage = {
  inputTokens: 7,
  outputTokens: 3,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  reasoningTokens: 0,
};
const answer = (text: string): RunEvent[] => [
  { type: 'message_start' },
  { type: 'text_delta', text },
  { type: 'finish', reason: 'end_turn', usage },
];

let dir = '';
let store: GatewayStore;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'cg-chat-store-'));
  store = await openGatewayStore({ engine: 'sqlite', file: path.join(dir, 'store.db') });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function setup(runs: RunEvent[][]) {
  const { service } = fakeRunService(playing(...runs));
  let ids = 0;
  let clock = 1_700_000_000_000;
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('requestId', 'req_1');
    const key = c.req.header('x-test-key') ?? 'key-a';
    c.set('principal', { id: key, name: key, admin: false, source: 'store', policy: {} });
    await next();
  });
  app.onError((err, c) => {
    if (!(err instanceof GatewayError)) throw err;
    const rendered = renderOpenAIError(err, { requestId: 'req_1' });
    return c.json(rendered.body as object, rendered.status as 400, rendered.headers);
  });
  const prefix = `chatcmpl-${Math.random().toString(36).slice(2, 8)}`;
  app.route(
    '/v1',
    chatCompletionsRoutes({
      runs: service,
      planContext: {
        models: createModelCatalog(['sonnet', 'haiku']),
        systemPromptPlacement: 'replace',
        maxImageBytes: 1_000_000,
        remoteImages: false,
      },
      keepAliveMs: 60_000,
      completions: store.chatCompletions,
      storedTtlMs: 60_000,
      newId: () => `${prefix}-${++ids}`,
      // Each completion a second after the last: the list's order is by creation.
      now: () => (clock += 1_000),
    }),
  );
  const call = async (url: string, init: { method?: string; body?: unknown; key?: string } = {}) => {
    const res = await app.request(`/v1${url}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', 'x-test-key': init.key ?? 'key-a' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    return {
      status: res.status,
      body: (res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text()) as Json,
    };
  };
  return { call, id: (n: number) => `${prefix}-${n}` };
}

const openAI = schemaChecks('openai');

describe('stored chat completions', () => {
  it('keeps a completion created with store: true for its key: GET, messages, metadata update, DELETE', async () => {
    const h = setup([answer('Paris.'), answer('not kept')]);
    const created = await h.call('/chat/completions', {
      body: {
        model: 'sonnet',
        store: true,
        metadata: { topic: 'geo' },
        messages: [
          { role: 'system', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Capital of ' },
              { type: 'text', text: 'France?' },
            ],
          },
        ],
      },
    });
    expect(created.status).toBe(200);
    await h.call('/chat/completions', {
      body: { model: 'sonnet', messages: [{ role: 'user', content: 'x' }] },
    });
    expect((await h.call(`/chat/completions/${h.id(2)}`)).status).toBe(404);

    const got = await h.call(`/chat/completions/${h.id(1)}`);
    expect(got.body).toEqual({ ...created.body, metadata: { topic: 'geo' } });
    expect(openAI('CreateChatCompletionResponse', got.body)).toBe('valid');
    expect((await h.call(`/chat/completions/${h.id(1)}`, { key: 'key-b' })).status).toBe(404);

    const messages = await h.call(`/chat/completions/${h.id(1)}/messages`);
    expect(messages.body).toEqual({
      object: 'list',
      data: [
        { id: `${h.id(1)}-0`, role: 'system', content: 'Be brief.', refusal: null, content_parts: null },
        {
          id: `${h.id(1)}-1`,
          role: 'user',
          content: 'Capital of France?',
          refusal: null,
          content_parts: [
            { type: 'text', text: 'Capital of ' },
            { type: 'text', text: 'France?' },
          ],
        },
      ],
      first_id: `${h.id(1)}-0`,
      last_id: `${h.id(1)}-1`,
      has_more: false,
    });
    const second = await h.call(`/chat/completions/${h.id(1)}/messages?after=${h.id(1)}-0`);
    expect(second.body.data.map((message: Json) => message.id)).toEqual([`${h.id(1)}-1`]);

    const updated = await h.call(`/chat/completions/${h.id(1)}`, {
      body: { metadata: { topic: 'capitals' } },
    });
    expect(updated.body.metadata).toEqual({ topic: 'capitals' });
    expect((await h.call(`/chat/completions/${h.id(1)}`, { body: {} })).status).toBe(400);
    expect(
      (await h.call(`/chat/completions/${h.id(1)}`, { body: { metadata: {} }, key: 'key-b' })).status,
    ).toBe(404);

    const deleted = await h.call(`/chat/completions/${h.id(1)}`, { method: 'DELETE' });
    expect(deleted.body).toEqual({ object: 'chat.completion.deleted', id: h.id(1), deleted: true });
    expect(openAI('ChatCompletionDeleted', deleted.body)).toBe('valid');
    expect((await h.call(`/chat/completions/${h.id(1)}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('lists them by model and metadata, in either order, paged by after', async () => {
    const h = setup([answer('a'), answer('b'), answer('c')]);
    const create = (model: string, metadata: Record<string, string>) =>
      h.call('/chat/completions', {
        body: { model, store: true, metadata, messages: [{ role: 'user', content: model }] },
      });
    await create('sonnet', { team: 'red', env: 'prod' });
    await create('haiku', { team: 'red' });
    await create('sonnet', { team: 'blue' });
    const ids = async (query: string) =>
      ((await h.call(`/chat/completions?${query}`)).body.data as Json[])
        .map((completion) => completion.id)
        .filter((id) => id.startsWith(h.id(0).slice(0, -2)));
    expect(await ids('')).toEqual([h.id(1), h.id(2), h.id(3)]);
    expect(await ids('order=desc')).toEqual([h.id(3), h.id(2), h.id(1)]);
    expect(await ids('model=sonnet')).toEqual([h.id(1), h.id(3)]);
    expect(await ids('metadata[team]=red')).toEqual([h.id(1), h.id(2)]);
    expect(await ids('metadata[team]=red&metadata[env]=prod')).toEqual([h.id(1)]);
    const page = await h.call(`/chat/completions?metadata[team]=red&limit=1`);
    expect(page.body).toMatchObject({ first_id: h.id(1), last_id: h.id(1), has_more: true });
    expect(openAI('ChatCompletionList', page.body)).toBe('valid');
    expect(await ids(`metadata[team]=red&after=${h.id(1)}`)).toEqual([h.id(2)]);
    expect((await h.call('/chat/completions?after=chatcmpl-unknown')).status).toBe(400);
    expect((await h.call('/chat/completions', { key: 'key-b' })).body.data).toEqual([]);
  });

  it('stores a streamed completion with its usage, even when the stream left usage out', async () => {
    const h = setup([answer('Streamed.')]);
    const streamed = await h.call('/chat/completions', {
      body: { model: 'sonnet', store: true, stream: true, messages: [{ role: 'user', content: 'hi' }] },
    });
    expect(String(streamed.body)).not.toContain('"usage":{');
    const kept = await h.call(`/chat/completions/${h.id(1)}`);
    expect(kept.body.choices[0].message.content).toBe('Streamed.');
    expect(kept.body.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 3 });
  });
});
