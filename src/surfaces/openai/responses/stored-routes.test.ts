/**
 * The routes around stored responses, against the ResponsesStore port in memory and a fake run
 * service: background responses (polled, resumed, cancelled), input items, input token counts and
 * compaction.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunEvent } from '../../../contract/run-events.js';
import type { RunSummary } from '../../../contract/run-service.js';
import type { Script } from '../../../core/test-support.js';
import { decodeSummary } from './compaction.js';
import { routeHarness, schemaChecks, scripts, sseEvents, usage } from './test-support.js';

type Json = Record<string, any>;

/** A run that has begun answering and waits until it is aborted. */
const untilAborted: Script = async function* (request) {
  yield { type: 'message_start' };
  yield { type: 'text_delta', text: 'Working on it' };
  if (request.signal.aborted) return;
  await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
};

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the condition never held');
}

describe('background responses', () => {
  it('answers queued at once, runs detached to the end for GET, and reports its run as its own', async () => {
    const h = routeHarness([scripts.text]);
    const res = await h.post({ model: 'sonnet', input: 'Hi', background: true });
    expect(res.status).toBe(200);
    const queued = (await res.json()) as Json;
    expect(queued).toMatchObject({
      id: 'resp_1',
      status: 'queued',
      background: true,
      output: [],
      usage: null,
    });
    const done = await until(
      async () => (await (await h.get('resp_1')).json()) as Json,
      (body) => body.status === 'completed',
    );
    expect(done.output[0].content[0].text).toBe('Hello world');
    expect(done.usage.output_tokens).toBe(usage.outputTokens);
    // The run's summary goes to the background hook, for the key that asked, not to the request's.
    const summary = { surface: 'openai-responses', model: 'sonnet', outcome: 'ok' } as RunSummary;
    h.requests[0]?.onSummary?.(summary);
    expect(h.summaries).toEqual([{ keyId: 'key-a', requestId: 'req_1', summary }]);
  });

  it('streams while it runs, and a stream resumed after sequence number N gets the rest', async () => {
    const h = routeHarness([scripts.toolCalls]);
    const res = await h.post({
      model: 'sonnet',
      input: 'Weather?',
      background: true,
      stream: true,
      tools: [{ type: 'function', name: 'get_weather' }],
    });
    const all = sseEvents(await res.text());
    expect(all.map((event) => event.event).slice(0, 2)).toEqual(['response.created', 'response.in_progress']);
    expect(all[0]?.data.response.status).toBe('queued');
    expect(all.at(-1)?.event).toBe('response.completed');
    expect(all.map((event) => event.data.sequence_number)).toEqual(all.map((_, i) => i));

    const resumed = await h.call('/responses/resp_1?stream=true&starting_after=3');
    expect(resumed.headers.get('content-type')).toContain('text/event-stream');
    expect(sseEvents(await resumed.text())).toEqual(all.slice(4));
    const replayed = sseEvents(await (await h.call('/responses/resp_1?stream=true')).text());
    expect(replayed).toEqual(all);
  });

  it('is cancelled while it runs (its run torn down), and cancelling again returns it as it ended', async () => {
    const h = routeHarness(untilAborted);
    await h.post({ model: 'sonnet', input: 'A long task', background: true });
    await until(
      async () => ((await (await h.get('resp_1')).json()) as Json).status,
      (status) => status === 'in_progress',
    );
    const cancelled = await h.call('/responses/resp_1/cancel', { method: 'POST' });
    expect(cancelled.status).toBe(200);
    expect(await cancelled.json()).toMatchObject({ id: 'resp_1', status: 'cancelled' });
    expect(h.requests[0]?.signal.aborted).toBe(true);
    expect(await (await h.get('resp_1')).json()).toMatchObject({ status: 'cancelled' });
    const again = await h.call('/responses/resp_1/cancel', { method: 'POST' });
    expect(await again.json()).toMatchObject({ status: 'cancelled' });
    // Someone else's response is unknown here too.
    expect((await h.call('/responses/resp_1/cancel', { method: 'POST', key: 'key-b' })).status).toBe(404);
  });

  it('refuses to cancel or re-stream a response that did not run in the background', async () => {
    const h = routeHarness([scripts.text]);
    await h.post({ model: 'sonnet', input: 'Hi' });
    const cancel = await h.call('/responses/resp_1/cancel', { method: 'POST' });
    expect(cancel.status).toBe(400);
    expect(await cancel.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: 'Cannot cancel a synchronous response.' },
    });
    const stream = await h.call('/responses/resp_1?stream=true');
    expect(stream.status).toBe(400);
    expect(await stream.json()).toMatchObject({ error: { param: 'stream' } });
    const store = await h.post({ model: 'sonnet', input: 'Hi', background: true, store: false });
    expect(await store.json()).toMatchObject({ error: { param: 'store' } });
  });

  it('fails what a stopping gateway was running, and what a gateway that died left running', async () => {
    const h = routeHarness(untilAborted);
    await h.post({ model: 'sonnet', input: 'A long task', background: true });
    await until(
      async () => ((await (await h.get('resp_1')).json()) as Json).status,
      (status) => status === 'in_progress',
    );
    await h.background.stopAll('The gateway stopped.');
    expect(await (await h.get('resp_1')).json()).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The gateway stopped.' },
    });

    await h.store.save({
      id: 'resp_orphan',
      ownerId: 'key-a',
      previousResponseId: null,
      inputItems: [],
      response: { id: 'resp_orphan', object: 'response', status: 'in_progress', output: [] },
      status: 'in_progress',
      background: true,
      createdAt: Date.now(),
      expiresAt: Date.now() + 60_000,
    });
    expect(await h.background.failAbandoned('The gateway died.')).toBe(1);
    expect(await (await h.get('resp_orphan')).json()).toMatchObject({
      status: 'failed',
      error: { code: 'server_error', message: 'The gateway died.' },
    });
  });
});

describe('GET /responses/{id}/input_items', () => {
  it('lists the items a response was created from, newest first by default, with ids, paged', async () => {
    const h = routeHarness([scripts.text]);
    await h.post({
      model: 'sonnet',
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
        { type: 'message', id: 'msg_mine', role: 'user', content: [{ type: 'input_text', text: 'Thanks' }] },
      ],
      tools: [{ type: 'function', name: 'get_weather' }],
    });
    const all = (await (await h.call('/responses/resp_1/input_items')).json()) as Json;
    expect(all).toMatchObject({
      object: 'list',
      has_more: false,
      first_id: 'msg_mine',
      last_id: 'msg_1_in0',
    });
    expect(all.data.map((item: Json) => [item.type, item.id, item.status])).toEqual([
      ['message', 'msg_mine', 'completed'],
      ['function_call_output', 'fco_1_in2', 'completed'],
      ['function_call', 'fc_1_in1', 'completed'],
      ['message', 'msg_1_in0', 'completed'],
    ]);
    expect(all.data[3]).toEqual({
      id: 'msg_1_in0',
      type: 'message',
      role: 'user',
      status: 'completed',
      content: [{ type: 'input_text', text: 'Weather in Paris?' }],
    });
    const first = (await (await h.call('/responses/resp_1/input_items?order=asc&limit=2')).json()) as Json;
    expect(first.data.map((item: Json) => item.id)).toEqual(['msg_1_in0', 'fc_1_in1']);
    expect(first.has_more).toBe(true);
    const next = (await (
      await h.call(`/responses/resp_1/input_items?order=asc&limit=2&after=${first.last_id}`)
    ).json()) as Json;
    expect(next.data.map((item: Json) => item.id)).toEqual(['fco_1_in2', 'msg_mine']);
    expect(next.has_more).toBe(false);

    const badAfter = await h.call('/responses/resp_1/input_items?after=msg_nope');
    expect(badAfter.status).toBe(400);
    expect(await badAfter.json()).toMatchObject({ error: { param: 'after' } });
    expect((await h.call('/responses/resp_1/input_items?limit=500')).status).toBe(400);
    expect((await h.call('/responses/resp_1/input_items', { key: 'key-b' })).status).toBe(404);
  });
});

describe('POST /responses/input_tokens', () => {
  it('counts a would-be request as it would be planned, without running it', async () => {
    const h = routeHarness([scripts.text]);
    const count = async (body: Json) =>
      (await (await h.call('/responses/input_tokens', { body })).json()) as Json;
    const plain = await count({ model: 'sonnet', input: 'one two three' });
    expect(plain).toEqual({ object: 'response.input_tokens', input_tokens: expect.any(Number) });
    const withTools = await count({
      model: 'sonnet',
      input: 'one two three',
      tools: [{ type: 'function', name: 'lookup', description: 'finds things' }],
    });
    expect(withTools.input_tokens).toBeGreaterThan(plain.input_tokens + 300);
    expect((await count({ input: 'one two three' })).input_tokens).toBe(plain.input_tokens);
    expect(h.requests).toHaveLength(0);

    await h.post({ model: 'sonnet', input: 'one two three' });
    const continued = await count({
      model: 'sonnet',
      previous_response_id: 'resp_1',
      input: 'one two three',
    });
    expect(continued.input_tokens).toBeGreaterThan(plain.input_tokens);
    const unknown = await h.call('/responses/input_tokens', { body: { model: 'unknown', input: 'x' } });
    expect(unknown.status).toBe(404);
  });
});

describe('compaction', () => {
  const conversation = [
    { role: 'user', content: 'We launch on Tuesday.' },
    { role: 'assistant', content: 'Noted: Tuesday.' },
  ];
  const summaryRun: RunEvent[] = [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Launch is on Tuesday.' },
    { type: 'finish', reason: 'end_turn', usage },
  ];

  it('POST /responses/compact keeps the user messages and adds one compaction item Claude wrote', async () => {
    const h = routeHarness([summaryRun, scripts.text]);
    const res = await h.call('/responses/compact', { body: { model: 'sonnet', input: conversation } });
    expect(res.status).toBe(200);
    const compacted = (await res.json()) as Json;
    expect(compacted).toMatchObject({
      object: 'response.compaction',
      output: [
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'We launch on Tuesday.' }] },
        { type: 'compaction', id: expect.stringMatching(/^cmp_/) },
      ],
      usage: { output_tokens: usage.outputTokens },
    });
    const prompt = h.plans()[0]?.prompt[0];
    expect(prompt?.type === 'text' && prompt.text).toContain('[assistant]\nNoted: Tuesday.');
    const item = compacted.output[1];
    expect(decodeSummary(item.encrypted_content, 'x')).toBe('Launch is on Tuesday.');

    // A later request carrying the item gives Claude the summary in place of the conversation.
    await h.post({ model: 'sonnet', input: [item, { role: 'user', content: 'When do we launch?' }] });
    const later = h.plans()[1]?.prompt.map((block) => (block.type === 'text' ? block.text : ''));
    expect(later?.[0]).toContain('Launch is on Tuesday.');
    expect(later?.[1]).toBe('When do we launch?');
    const missing = await h.call('/responses/compact', { body: { input: conversation } });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { param: 'model' } });
  });

  it('answers an input ending with compaction_trigger with exactly one compaction item, streamed', async () => {
    const h = routeHarness([summaryRun]);
    const res = await h.post({
      model: 'sonnet',
      stream: true,
      store: false,
      input: [
        ...conversation,
        { role: 'user', content: 'And the support team?' },
        { type: 'compaction_trigger' },
      ],
    });
    const events = sseEvents(await res.text());
    const done = events.filter((event) => event.event === 'response.output_item.done');
    expect(done.map((event) => event.data.item.type)).toEqual(['compaction']);
    expect(events.some((event) => event.event === 'response.output_text.delta')).toBe(false);
    expect(events.at(-1)?.event).toBe('response.completed');
    expect(events.at(-1)?.data.response.output).toEqual([done[0]?.data.item]);
  });
});

describe('what these routes answer, against the OpenAI and Open Responses schemas', () => {
  const openAI = schemaChecks('openai');
  const openResponses = schemaChecks('openresponses');
  // Compiling the large schemas takes seconds on a loaded machine: once, outside any test's timeout.
  beforeAll(() => {
    for (const name of ['Response', 'ResponseStreamEvent']) openAI(name, {});
  }, 60_000);
  const summaryRun: RunEvent[] = [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Launch is on Tuesday.' },
    { type: 'finish', reason: 'end_turn', usage },
  ];

  it('input items, token counts, compactions and background snapshots are all valid', async () => {
    let run = 0;
    const runs = [scripts.text, summaryRun, summaryRun];
    const h = routeHarness((request) => {
      const events = runs[run++];
      return events
        ? (async function* () {
            yield* events;
          })()
        : untilAborted(request);
    });
    await h.post({
      model: 'sonnet',
      input: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: 'Which city?' },
        { type: 'function_call', call_id: 'c1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'sunny' },
        { role: 'user', content: [{ type: 'input_text', text: 'Paris' }] },
      ],
      tools: [{ type: 'function', name: 'get_weather' }],
    });
    expect(openAI('ResponseItemList', await (await h.call('/responses/resp_1/input_items')).json())).toBe(
      'valid',
    );
    const count = await (
      await h.call('/responses/input_tokens', { body: { model: 'sonnet', input: 'hi' } })
    ).json();
    expect(openAI('TokenCountsResource', count)).toBe('valid');

    const compact = await (
      await h.call('/responses/compact', {
        body: { model: 'sonnet', input: [{ role: 'user', content: 'Tuesday.' }] },
      })
    ).json();
    expect(openAI('CompactResource', compact)).toBe('valid');
    expect(openResponses('CompactResource', compact)).toBe('valid');

    const triggered = sseEvents(
      await (
        await h.post({
          model: 'sonnet',
          stream: true,
          input: [{ role: 'user', content: 'x' }, { type: 'compaction_trigger' }],
        })
      ).text(),
    );
    for (const { data } of triggered) expect(openAI('ResponseStreamEvent', data), data.type).toBe('valid');

    const queued = (await (
      await h.post({ model: 'sonnet', input: 'Long', background: true })
    ).json()) as Json;
    expect(openAI('Response', queued)).toBe('valid');
    expect(openResponses('ResponseResource', queued)).toBe('valid');
    await until(
      async () => ((await (await h.get(queued.id)).json()) as Json).status,
      (status) => status === 'in_progress',
    );
    const cancelled = await (await h.call(`/responses/${queued.id}/cancel`, { method: 'POST' })).json();
    expect(openAI('Response', cancelled)).toBe('valid');
    expect(openResponses('ResponseResource', cancelled)).toBe('valid');
    // Compiling OpenAI's item and event unions takes seconds on a loaded machine.
  }, 60_000);
});
