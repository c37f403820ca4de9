/**
 * Background responses (`background: true`) over real HTTP with the real Claude Code CLI against the
 * mock Messages API: the run outlives its request, is polled, resumed from a sequence number,
 * cancelled (its Claude Code process ends), and fails with the gateway that was running it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGatewayStore } from '../../src/store/gateway-store.js';
import { json, postChat } from '../core/wire.js';
import { eventually, type Harness, startHarness } from '../helpers/gateway-harness.js';
import { readSse, sseEvents } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';

type Json = Record<string, any>;

let scratch: string;
let storePath: string;
let h: Harness;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'background-responses-'));
  storePath = path.join(scratch, 'gateway.db');
  h = await startHarness({ config: { STORE_PATH: storePath, KILL_GRACE_MS: '500' } });
});
afterAll(async () => {
  await h?.close();
  await rm(scratch, { recursive: true, force: true });
});

const create = (body: Json, signal?: AbortSignal) =>
  fetch(`${h.origin}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify({ model: 'sonnet', background: true, ...body }),
    signal: signal ?? null,
  });
const get = async (id: string, query = '') => fetch(`${h.origin}/v1/responses/${id}${query}`);
const status = async (id: string) => ((await json(await get(id))) as Json).status as string;

describe('background responses', () => {
  it('run on after the client leaves their stream; GET polls them and a resumed stream gets the rest', async () => {
    h.mock.reset();
    h.mock.enqueue(text('One two three four five six seven eight.', { chunkDelayMs: 150 }));
    const leaving = new AbortController();
    const res = await create({ input: 'Count to eight', stream: true }, leaving.signal);
    const seen: Json[] = [];
    for await (const event of sseEvents(res)) {
      seen.push(event.data as Json);
      if ((event.data as Json).type === 'response.output_text.delta') break;
    }
    leaving.abort();
    const id = seen[0]?.response.id as string;
    expect(seen[0]?.response).toMatchObject({ status: 'queued', background: true });

    expect(await eventually(async () => (await status(id)) === 'completed', 60_000, 200)).toBe(true);
    const done = (await json(await get(id))) as Json;
    expect(done.output[0].content[0].text).toBe('One two three four five six seven eight.');
    expect(done.usage.output_tokens).toBeGreaterThan(0);

    const from = seen.length - 1;
    const resumed = (await readSse(await get(id, `?stream=true&starting_after=${from}`))).events.map(
      (event) => event.data as Json,
    );
    expect(resumed[0]?.sequence_number).toBe(from + 1);
    expect(resumed.at(-1)).toMatchObject({
      type: 'response.completed',
      response: { id, status: 'completed' },
    });
    expect(resumed.map((event) => event.sequence_number)).toEqual(resumed.map((_, i) => from + 1 + i));
  });

  it('is cancelled while the model works: its Claude Code process ends and it reads cancelled', async () => {
    h.mock.reset();
    h.mock.setHandler(() => ({ kind: 'hang' }));
    const queued = (await json(await create({ input: 'Think for a long time' }))) as Json;
    expect(queued).toMatchObject({ status: 'queued', output: [], usage: null });
    await h.mock.waitForRequests(1, 30_000);
    // Still `queued`: it turns `in_progress` with the model's first event, which never comes here.
    expect(await status(queued.id)).toBe('queued');
    expect(h.gateway.processes.liveCount).toBe(1);

    const cancelled = await postChat(h.origin, {}, {}, `/v1/responses/${queued.id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toMatchObject({ id: queued.id, status: 'cancelled', background: true });
    expect(await eventually(() => h.gateway.processes.liveCount === 0, 5_000)).toBe(true);
    expect(await status(queued.id)).toBe('cancelled');
    const again = await postChat(h.origin, {}, {}, `/v1/responses/${queued.id}/cancel`);
    expect(await json(again)).toMatchObject({ status: 'cancelled' });
  });
});

describe('a gateway that stops or dies with background responses running', () => {
  it('fails its own: on the way down, and at the next start for those it could not', async () => {
    const first = await startHarness({ config: { STORE_PATH: storePath, KILL_GRACE_MS: '500' } });
    let id: string;
    try {
      first.mock.setHandler(() => ({ kind: 'hang' }));
      const res = await fetch(`${first.origin}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sonnet', input: 'wait', background: true }),
      });
      id = ((await json(res)) as Json).id;
      await first.mock.waitForRequests(1, 30_000);
    } finally {
      await first.close();
    }
    expect(await json(await get(id))).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The gateway stopped while this response was running.' },
    });

    // A gateway that died: its row still says in progress until a gateway on this store starts.
    const store = await openGatewayStore({ engine: 'sqlite', file: storePath });
    const now = Date.now();
    await store.responses.save({
      id: 'resp_left_running',
      ownerId: 'anonymous',
      previousResponseId: null,
      inputItems: [],
      response: {
        id: 'resp_left_running',
        object: 'response',
        status: 'in_progress',
        output: [],
        error: null,
      },
      status: 'in_progress',
      background: true,
      createdAt: now,
      expiresAt: now + 60_000,
    });
    await store.close();
    const restarted = await startHarness({ config: { STORE_PATH: storePath } });
    try {
      const left = await fetch(`${restarted.origin}/v1/responses/resp_left_running`);
      expect(await json(left)).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    } finally {
      await restarted.close();
    }
  });
});
