import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sseEvents } from '../helpers/sse-events.js';
import {
  lastUserText,
  type MockAnthropic,
  type MockReply,
  type RecordedRequest,
  startMockAnthropic,
  THIRD_PARTY_REJECTION_MESSAGE,
  text,
  thirdPartyRejection,
  toolUse,
  userTexts,
} from './server.js';

interface ParsedEvent {
  event: string;
  data: Record<string, unknown>;
  /** ms since the request was sent, when the body chunk completing the event arrived */
  at: number;
  /** which body chunk (counted from 1) completed the event */
  chunk: number;
}

const MESSAGES_PATH = '/v1/messages?beta=true';

function requestBody(prompt: string, stream: boolean): Record<string, unknown> {
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 1024,
    system: [{ type: 'text', text: 'You are a test.' }],
    tools: [],
    messages: [{ role: 'user', content: [{ type: 'text', text: prompt }] }],
    stream,
  };
}

function post(mock: MockAnthropic, body: unknown, init: RequestInit = {}, path = MESSAGES_PATH) {
  return fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-test' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** Reads an SSE body incrementally so arrival times reflect the server's pacing. */
async function readSse(response: Response, sentAt = Date.now()): Promise<ParsedEvent[]> {
  const events: ParsedEvent[] = [];
  let chunk = 0;
  let at = 0;
  const onChunk = () => {
    chunk++;
    at = Date.now() - sentAt;
  };
  for await (const { event, data } of sseEvents(response, { onChunk }))
    events.push({ event, data, at, chunk });
  return events;
}

async function streamReply(mock: MockAnthropic, reply: MockReply): Promise<ParsedEvent[]> {
  mock.enqueue(reply);
  const response = await post(mock, requestBody('hi', true));
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  return readSse(response);
}

function deltasOf(events: ParsedEvent[], index: number): Array<Record<string, unknown>> {
  return events
    .filter((e) => e.event === 'content_block_delta' && e.data.index === index)
    .map((e) => e.data.delta as Record<string, unknown>);
}

/** Rebuilds the final content blocks from a stream, the way an Anthropic client does. */
function contentFromStream(events: ParsedEvent[]): Array<Record<string, unknown>> {
  const blocks: Array<Record<string, unknown>> = [];
  const partialJson: string[] = [];
  for (const { event, data } of events) {
    const index = data.index as number;
    if (event === 'content_block_start') {
      blocks[index] = { ...(data.content_block as Record<string, unknown>) };
      partialJson[index] = '';
    } else if (event === 'content_block_delta') {
      const block = blocks[index] as Record<string, unknown>;
      const delta = data.delta as Record<string, string>;
      if (delta.type === 'text_delta') block.text = `${block.text}${delta.text}`;
      if (delta.type === 'thinking_delta') block.thinking = `${block.thinking}${delta.thinking}`;
      if (delta.type === 'signature_delta') block.signature = delta.signature;
      if (delta.type === 'input_json_delta') partialJson[index] += delta.partial_json ?? '';
    } else if (event === 'content_block_stop') {
      const block = blocks[index] as Record<string, unknown>;
      if (block.type === 'tool_use') block.input = JSON.parse(partialJson[index] ?? '');
    }
  }
  return blocks;
}

function fakeRequest(messages: RecordedRequest['body']['messages']): RecordedRequest {
  return { path: MESSAGES_PATH, headers: {}, body: { model: 'm', messages }, receivedAt: 0 };
}

describe('mock Anthropic Messages API', () => {
  let mock: MockAnthropic;

  beforeEach(async () => {
    mock = await startMockAnthropic();
  });

  afterEach(async () => {
    await mock.close();
  });

  it('binds to 127.0.0.1', () => {
    expect(mock.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  describe('streaming', () => {
    it('streams a text reply as standard SSE with word-sized deltas', async () => {
      const events = await streamReply(mock, text('Hello there, streaming world!'));

      expect(events.map((e) => e.event)).toEqual([
        'message_start',
        'ping',
        'content_block_start',
        'content_block_delta',
        'content_block_delta',
        'content_block_delta',
        'content_block_delta',
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      for (const event of events) {
        expect(event.data.type).toBe(event.event);
      }
      expect(events[0]?.data.message).toEqual({
        id: 'msg_mock_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: 10,
          output_tokens: 1,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
      });
      expect(events[2]?.data).toEqual({
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'text', text: '' },
      });
      const deltas = deltasOf(events, 0);
      expect(deltas.every((d) => d.type === 'text_delta')).toBe(true);
      expect(deltas.map((d) => d.text).join('')).toBe('Hello there, streaming world!');
      expect(events.at(-2)?.data).toEqual({
        type: 'message_delta',
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        usage: { output_tokens: 4 },
      });
    });

    it('streams thinking with a signature before the text', async () => {
      const events = await streamReply(mock, {
        kind: 'message',
        blocks: [
          { type: 'thinking', thinking: 'Weighing the options carefully.' },
          { type: 'text', text: 'Answer.' },
        ],
      });

      const start = events.find((e) => e.event === 'content_block_start' && e.data.index === 0);
      expect(start?.data.content_block).toEqual({ type: 'thinking', thinking: '', signature: '' });
      const thinking = deltasOf(events, 0);
      expect(thinking.length).toBeGreaterThan(2);
      expect(
        thinking
          .slice(0, -1)
          .map((d) => d.thinking)
          .join(''),
      ).toBe('Weighing the options carefully.');
      expect(thinking.at(-1)).toEqual({ type: 'signature_delta', signature: expect.stringMatching(/^sig-/) });
      expect(contentFromStream(events)[1]).toEqual({ type: 'text', text: 'Answer.' });
    });

    it('streams a tool call as input_json_delta fragments and stops with tool_use', async () => {
      const input = { path: '/tmp/file.txt', lines: [1, 2, 3], recursive: true };
      const events = await streamReply(mock, toolUse('Read', input));

      const start = events.find((e) => e.event === 'content_block_start');
      expect(start?.data.content_block).toEqual({
        type: 'tool_use',
        id: 'toolu_mock_1',
        name: 'Read',
        input: {},
      });
      const fragments = deltasOf(events, 0);
      expect(fragments.length).toBeGreaterThanOrEqual(2);
      expect(fragments.length).toBeLessThanOrEqual(3);
      expect(fragments.every((d) => d.type === 'input_json_delta')).toBe(true);
      expect(JSON.parse(fragments.map((d) => d.partial_json).join(''))).toEqual(input);
      const messageDelta = events.find((e) => e.event === 'message_delta');
      expect(messageDelta?.data.delta).toEqual({ stop_reason: 'tool_use', stop_sequence: null });
    });

    it('keeps explicit tool ids and honours an explicit stop reason and usage', async () => {
      const events = await streamReply(mock, {
        kind: 'message',
        blocks: [{ type: 'text', text: 'cut' }],
        stopReason: 'max_tokens',
        usage: { input_tokens: 1234, output_tokens: 99, cache_read_input_tokens: 7 },
      });
      expect(events[0]?.data.message).toMatchObject({
        usage: {
          input_tokens: 1234,
          output_tokens: 1,
          cache_read_input_tokens: 7,
          cache_creation_input_tokens: 0,
        },
      });
      expect(events.at(-2)?.data).toMatchObject({
        delta: { stop_reason: 'max_tokens' },
        usage: { output_tokens: 99 },
      });

      const toolEvents = await streamReply(mock, {
        kind: 'message',
        blocks: [{ type: 'tool_use', id: 'toolu_fixed', name: 'Bash', input: {} }],
      });
      expect(contentFromStream(toolEvents)).toEqual([
        { type: 'tool_use', id: 'toolu_fixed', name: 'Bash', input: {} },
      ]);
    });

    it('paces deltas by chunkDelayMs so they arrive one by one', async () => {
      mock.enqueue(text('one two three four', { chunkDelayMs: 60 }));
      const sentAt = Date.now();
      const events = await readSse(await post(mock, requestBody('hi', true)), sentAt);

      const deltas = events.filter((e) => e.event === 'content_block_delta');
      expect(deltas).toHaveLength(4);
      // One by one: each delta came in a body chunk of its own. A loaded client may read late, so
      // single gaps can shrink; the span cannot (the server waited between them).
      expect(new Set(deltas.map((e) => e.chunk)).size).toBe(4);
      expect((deltas.at(-1)?.at ?? 0) - (deltas[0]?.at ?? 0)).toBeGreaterThanOrEqual(150);
    });

    it('delays the first byte by firstByteDelayMs', async () => {
      mock.enqueue(text('late', { firstByteDelayMs: 150 }));
      const sentAt = Date.now();
      const response = await post(mock, requestBody('hi', true));
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(140);
      await readSse(response);
    });
  });

  describe('non-streaming', () => {
    it('answers stream:false with the same content the stream carries', async () => {
      const reply: MockReply = {
        kind: 'message',
        blocks: [
          { type: 'thinking', thinking: 'Hmm, let me see.' },
          { type: 'text', text: 'Calling a tool now.' },
          { type: 'tool_use', id: 'toolu_same', name: 'Grep', input: { pattern: 'x+', flags: ['i'] } },
        ],
      };
      const streamed = contentFromStream(await streamReply(mock, reply));

      mock.enqueue(reply);
      const response = await post(mock, requestBody('hi', false));
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      const message = (await response.json()) as Record<string, unknown>;

      expect(message).toEqual({
        id: 'msg_mock_2',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5',
        content: streamed,
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: {
          input_tokens: 10,
          output_tokens: 11,
          cache_read_input_tokens: 0,
          cache_creation_input_tokens: 0,
        },
      });
    });

    it('treats a body without `stream` as non-streaming', async () => {
      const { stream: _omitted, ...body } = requestBody('plain', false);
      const response = await post(mock, body);
      expect(await response.json()).toMatchObject({ content: [{ type: 'text', text: 'echo: plain' }] });
    });
  });

  describe('errors', () => {
    it('answers a 429 with an Anthropic error body and retry-after', async () => {
      mock.enqueue({ kind: 'error', status: 429, message: 'slow down' });
      const response = await post(mock, requestBody('hi', true));

      expect(response.status).toBe(429);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(await response.json()).toMatchObject({
        type: 'error',
        error: { type: 'rate_limit_error', message: 'slow down' },
      });
    });

    it('refuses like Anthropic does for traffic it classifies as a third-party app', async () => {
      mock.enqueue(thirdPartyRejection());
      const response = await post(mock, requestBody('hi', true));
      expect(response.status).toBe(400);
      expect(await response.json()).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: THIRD_PARTY_REJECTION_MESSAGE },
      });
    });

    it('uses explicit retry-after and error type, and picks the type from the status otherwise', async () => {
      mock.enqueue(
        { kind: 'error', status: 529, retryAfterSeconds: 7 },
        { kind: 'error', status: 401 },
        { kind: 'error', status: 500 },
        { kind: 'error', status: 400, errorType: 'invalid_request_error', message: 'prompt is too long' },
      );
      const overloaded = await post(mock, requestBody('hi', true));
      expect(overloaded.status).toBe(529);
      expect(overloaded.headers.get('retry-after')).toBe('7');
      expect(await overloaded.json()).toMatchObject({ error: { type: 'overloaded_error' } });

      const unauthorized = await post(mock, requestBody('hi', true));
      expect(unauthorized.headers.get('retry-after')).toBeNull();
      expect(await unauthorized.json()).toMatchObject({ error: { type: 'authentication_error' } });

      const internal = await post(mock, requestBody('hi', true));
      expect(await internal.json()).toMatchObject({ error: { type: 'api_error' } });

      const invalid = await post(mock, requestBody('hi', true));
      expect(await invalid.json()).toMatchObject({
        error: { type: 'invalid_request_error', message: 'prompt is too long' },
      });
    });

    it('fails mid-stream with an SSE error event after some text', async () => {
      const events = await streamReply(mock, {
        kind: 'midStreamFailure',
        textBefore: 'partial answer so far',
      });

      expect(events.map((e) => e.event).slice(0, 3)).toEqual([
        'message_start',
        'ping',
        'content_block_start',
      ]);
      expect(
        deltasOf(events, 0)
          .map((d) => d.text)
          .join(''),
      ).toBe('partial answer so far');
      expect(events.at(-1)).toMatchObject({
        event: 'error',
        data: { type: 'error', error: { type: 'overloaded_error' } },
      });
      expect(events.some((e) => e.event === 'message_stop')).toBe(false);
    });

    it('fails mid-stream by cutting the connection after some text', async () => {
      mock.enqueue({ kind: 'midStreamFailure', textBefore: 'partial', mode: 'socket-destroy' });
      const response = await post(mock, requestBody('hi', true));
      expect(response.status).toBe(200);
      await expect(response.text()).rejects.toThrow();
    });

    it('answers a non-streamed request that gets a midStreamFailure with a 529', async () => {
      mock.enqueue({ kind: 'midStreamFailure', textBefore: 'partial' });
      const response = await post(mock, requestBody('hi', false));
      expect(response.status).toBe(529);
      expect(await response.json()).toMatchObject({ error: { type: 'overloaded_error' } });
    });

    it('reports a throwing handler as a 500 api_error', async () => {
      mock.setHandler(() => {
        throw new Error('boom');
      });
      const response = await post(mock, requestBody('hi', true));
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({
        error: { type: 'api_error', message: expect.stringContaining('boom') },
      });
    });

    it('rejects malformed bodies with invalid_request_error and does not record them', async () => {
      const notJson = await post(mock, '{"model":');
      expect(notJson.status).toBe(400);
      expect(await notJson.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
      const noMessages = await post(mock, { model: 'x' });
      expect(noMessages.status).toBe(400);
      expect(mock.requests).toHaveLength(0);
    });
  });

  describe('other routes', () => {
    it('answers count_tokens without recording it', async () => {
      const response = await post(mock, requestBody('hi', false), {}, '/v1/messages/count_tokens?beta=true');
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ input_tokens: 10 });
      expect(mock.requests).toHaveLength(0);
    });

    it('answers unknown paths with a 404 error body', async () => {
      const response = await fetch(`${mock.url}/v1/models`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
    });
  });

  describe('scripting and recording', () => {
    it('consumes queued replies FIFO, then falls back to the handler', async () => {
      mock.enqueue(text('first'), text('second'));
      const bodies = [];
      for (const prompt of ['a', 'b', 'c']) {
        const response = await post(mock, requestBody(prompt, false));
        bodies.push(await response.json());
      }
      expect(bodies.map((b) => (b as { content: Array<{ text: string }> }).content[0]?.text)).toEqual([
        'first',
        'second',
        'echo: c',
      ]);
    });

    it('uses setHandler replies until reset restores the default handler and clears state', async () => {
      mock.setHandler((req) => text(`custom: ${lastUserText(req)}`));
      const custom = await post(mock, requestBody('x', false));
      expect(await custom.json()).toMatchObject({ content: [{ text: 'custom: x' }] });

      const held = mock.requests;
      mock.enqueue(text('never used'));
      mock.reset();
      expect(mock.requests).toHaveLength(0);
      expect(held).toBe(mock.requests);

      const restored = await post(mock, requestBody('y', false));
      expect(await restored.json()).toMatchObject({ content: [{ text: 'echo: y' }] });
    });

    it('uses the handler given at start as the default', async () => {
      const custom = await startMockAnthropic({ handler: () => text('from options') });
      try {
        custom.setHandler(() => text('temporary'));
        custom.reset();
        const response = await post(custom, requestBody('hi', false));
        expect(await response.json()).toMatchObject({ content: [{ text: 'from options' }] });
      } finally {
        await custom.close();
      }
    });

    it('records path, headers and body of every message request in order', async () => {
      const before = Date.now();
      await (await post(mock, requestBody('one', true))).text();
      await (await post(mock, requestBody('two', false))).text();

      expect(mock.requests).toHaveLength(2);
      const [first, second] = mock.requests;
      expect(first?.path).toBe(MESSAGES_PATH);
      expect(first?.headers['x-api-key']).toBe('sk-test');
      expect(first?.headers['content-type']).toBe('application/json');
      expect(first?.body).toEqual(requestBody('one', true));
      expect(first?.receivedAt).toBeGreaterThanOrEqual(before);
      expect(second?.body.stream).toBe(false);
      expect(second && lastUserText(second)).toBe('two');
    });

    it('waitForRequests resolves once enough requests arrived, and times out otherwise', async () => {
      mock.setHandler(() => ({ kind: 'hang' }));
      const controller = new AbortController();
      const pending = post(mock, requestBody('hang', true), { signal: controller.signal });

      await mock.waitForRequests(1, 2_000);
      expect(lastUserText(mock.requests[0] as RecordedRequest)).toBe('hang');
      await expect(mock.waitForRequests(2, 100)).rejects.toThrow(/expected 2 requests/);

      controller.abort();
      await expect(pending).rejects.toThrow();
    });
  });

  describe('shutdown', () => {
    it('close() resolves promptly with a hanging request and ends it', async () => {
      mock.enqueue({ kind: 'hang' });
      const pending = post(mock, requestBody('hi', true));
      pending.catch(() => undefined);
      await mock.waitForRequests(1);

      const startedAt = Date.now();
      await mock.close();
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      await expect(pending).rejects.toThrow();
    });

    it('close() resolves promptly in the middle of a slow stream', async () => {
      mock.enqueue(text('a b c d e f g h i j', { chunkDelayMs: 1_000 }));
      const response = await post(mock, requestBody('hi', true));
      const reading = response.text();
      reading.catch(() => undefined);

      const startedAt = Date.now();
      await mock.close();
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      await expect(reading).rejects.toThrow();
    });

    it('stops a slow stream when the client goes away and keeps serving', async () => {
      mock.enqueue(text('a b c d e f g h i j', { chunkDelayMs: 50 }));
      const controller = new AbortController();
      const response = await post(mock, requestBody('hi', true), { signal: controller.signal });
      const reader = response.body?.getReader();
      await reader?.read();
      controller.abort();

      const next = await post(mock, requestBody('still there?', false));
      expect(await next.json()).toMatchObject({ content: [{ text: 'echo: still there?' }] });
    });

    it('close() can be called twice', async () => {
      await mock.close();
      await expect(mock.close()).resolves.toBeUndefined();
    });
  });
});

describe('credentials', () => {
  let mock: MockAnthropic;
  let nowMs: number;

  beforeEach(async () => {
    nowMs = Date.UTC(2030, 0, 1, 12, 0, 0);
    mock = await startMockAnthropic({ clock: () => nowMs });
  });

  afterEach(async () => {
    await mock.close();
  });

  function postAs(credential: { apiKey: string } | { bearer: string }, stream = false) {
    const auth: Record<string, string> =
      'apiKey' in credential
        ? { 'x-api-key': credential.apiKey }
        : { authorization: `Bearer ${credential.bearer}` };
    return fetch(`${mock.url}${MESSAGES_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify(requestBody('hi', stream)),
    });
  }

  const resetHeaders = (response: Response) =>
    Object.fromEntries(
      [...response.headers].filter(([name]) => name.startsWith('anthropic-ratelimit-unified-')),
    );

  it('records which credential each request carried, and how', async () => {
    await (await postAs({ apiKey: 'sk-team-a' })).text();
    await (await postAs({ bearer: 'oauth-team-b' })).text();
    await (
      await fetch(`${mock.url}/api/oauth/profile`, { headers: { authorization: 'Bearer oauth-team-b' } })
    ).text();

    expect(mock.requests.map((r) => [r.authScheme, r.credential])).toEqual([
      ['x-api-key', 'sk-team-a'],
      ['bearer', 'oauth-team-b'],
    ]);
    expect(mock.otherRequests).toEqual([
      { method: 'GET', path: '/api/oauth/profile', credential: 'oauth-team-b', authScheme: 'bearer' },
    ]);
  });

  it('refuses a scripted credential with a 401 and leaves the others and the queue alone', async () => {
    mock.scriptCredential('sk-revoked', { unauthorized: true });
    mock.scriptCredential('oauth-revoked', { unauthorized: true });
    mock.enqueue(text('for the good key'));

    const refused = await postAs({ apiKey: 'sk-revoked' });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('retry-after')).toBeNull();
    expect(await refused.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'invalid x-api-key' },
    });
    const refusedBearer = await postAs({ bearer: 'oauth-revoked' });
    expect(await refusedBearer.json()).toMatchObject({
      error: { type: 'authentication_error', message: 'Invalid bearer token' },
    });

    const good = await postAs({ apiKey: 'sk-good' });
    expect(await good.json()).toMatchObject({ content: [{ text: 'for the good key' }] });
    expect(mock.requests.map((r) => r.credential)).toEqual(['sk-revoked', 'oauth-revoked', 'sk-good']);
  });

  it('answers under quota with allowed headers and a rising utilization, then 429s until the reset', async () => {
    mock.scriptCredential('oauth-main', { quota: 4, windowSeconds: 600 });
    const resetsAt = String(nowMs / 1000 + 600);

    const first = await postAs({ bearer: 'oauth-main' }, true);
    expect(first.status).toBe(200);
    expect(resetHeaders(first)).toEqual({
      'anthropic-ratelimit-unified-status': 'allowed',
      'anthropic-ratelimit-unified-reset': resetsAt,
      'anthropic-ratelimit-unified-representative-claim': 'five_hour',
      'anthropic-ratelimit-unified-5h-status': 'allowed',
      'anthropic-ratelimit-unified-5h-utilization': '0.25',
      'anthropic-ratelimit-unified-5h-reset': resetsAt,
    });
    await first.text();
    await (await postAs({ bearer: 'oauth-main' })).text();
    nowMs += 60_000;
    const third = await postAs({ bearer: 'oauth-main' });
    // Past 75 % Anthropic warns, and says which threshold was passed.
    expect(resetHeaders(third)).toMatchObject({
      'anthropic-ratelimit-unified-status': 'allowed_warning',
      'anthropic-ratelimit-unified-5h-utilization': '0.75',
      'anthropic-ratelimit-unified-5h-surpassed-threshold': '0.75',
    });
    await third.text();
    await (await postAs({ bearer: 'oauth-main' })).text();

    const limited = await postAs({ bearer: 'oauth-main' }, true);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('540');
    expect(resetHeaders(limited)).toMatchObject({
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-reset': resetsAt,
      'anthropic-ratelimit-unified-5h-utilization': '1.00',
    });
    expect(await limited.json()).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    // Other credentials have their own quota (none here).
    expect((await postAs({ bearer: 'oauth-other' })).status).toBe(200);

    nowMs += 540_000;
    const renewed = await postAs({ bearer: 'oauth-main' });
    expect(renewed.status).toBe(200);
    expect(resetHeaders(renewed)['anthropic-ratelimit-unified-5h-utilization']).toBe('0.25');
    expect(mock.requests.filter((r) => r.credential === 'oauth-main')).toHaveLength(6);
  });

  it('limits like an API key when asked: a bare 429 with the scripted retry-after', async () => {
    mock.scriptCredential('sk-limited', { quota: 0, retryAfterSeconds: 2, unifiedHeaders: false });
    const limited = await postAs({ apiKey: 'sk-limited' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(resetHeaders(limited)).toEqual({});
  });

  it('reset() forgets the credential scripts', async () => {
    mock.scriptCredential('sk-revoked', { unauthorized: true });
    mock.reset();
    expect((await postAs({ apiKey: 'sk-revoked' })).status).toBe(200);
  });
});

describe('request readers', () => {
  const reminder = { type: 'text', text: '<system-reminder>\nToday is a day.\n</system-reminder>' };

  it('lastUserText skips system-reminder blocks and returns the last user-authored text', () => {
    const req = fakeRequest([
      { role: 'user', content: [reminder, { type: 'text', text: 'first question' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'answer' }] },
      {
        role: 'user',
        content: [reminder, { type: 'text', text: 'part one' }, { type: 'text', text: 'part two' }],
      },
    ]);
    expect(lastUserText(req)).toBe('part two');
  });

  it('lastUserText accepts string content and is empty for tool-result-only turns', () => {
    expect(lastUserText(fakeRequest([{ role: 'user', content: 'plain string' }]))).toBe('plain string');
    const toolTurn = fakeRequest([
      { role: 'user', content: 'do it' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'X', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: 'ok' }] },
    ]);
    expect(lastUserText(toolTurn)).toBe('');
    expect(lastUserText(fakeRequest([]))).toBe('');
  });

  it('userTexts lists every user-authored text in order', () => {
    const req = fakeRequest([
      { role: 'user', content: [reminder, { type: 'text', text: 'one' }] },
      { role: 'assistant', content: 'reply' },
      { role: 'user', content: 'two' },
      { role: 'user', content: [{ type: 'text', text: 'three' }, reminder] },
    ]);
    expect(userTexts(req)).toEqual(['one', 'two', 'three']);
  });
});
