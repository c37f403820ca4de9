import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { lastUserText, text, userTexts } from '../mock-anthropic/server.js';
import { json, postChat } from './wire.js';

const h = useHarness();

function systemText(index = 0): string {
  const system = h.mock.requests[index]?.body.system;
  return typeof system === 'string' ? system : (system ?? []).map((block) => block.text).join('\n');
}

describe('POST /v1/chat/completions (non-streaming)', () => {
  it('answers in the OpenAI shape with the model reply, and the model got the system prompt and user text', async () => {
    h.mock.enqueue(text('Paris is the capital of France.'));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'You are a geography tutor.' },
        { role: 'user', content: 'What is the capital of France?' },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('server-timing')).toMatch(/^gateway;dur=\d+\.\d, claude;dur=\d+\.\d$/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const body = await json(response);
    expect(body).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'sonnet',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Paris is the capital of France.', refusal: null },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: {
        prompt_tokens: expect.any(Number),
        completion_tokens: expect.any(Number),
        total_tokens: expect.any(Number),
        prompt_tokens_details: { cached_tokens: 0 },
      },
    });
    expect(h.mock.requests).toHaveLength(1);
    expect(systemText()).toContain('You are a geography tutor.');
    const [request] = h.mock.requests;
    if (!request) throw new Error('no request');
    expect(lastUserText(request)).toBe('What is the capital of France?');
    expect(request.body.tools ?? []).toEqual([]);
  });

  it('counts cache reads and writes in prompt_tokens and reports cached_tokens', async () => {
    h.mock.enqueue(
      text('ok', {
        usage: {
          input_tokens: 7,
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 20,
          output_tokens: 3,
        },
      }),
    );
    const body = await json(
      await postChat(h.origin, { model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(body.usage).toMatchObject({
      prompt_tokens: 127,
      completion_tokens: 3,
      total_tokens: 130,
      prompt_tokens_details: { cached_tokens: 100 },
    });
  });

  it('answers without the /v1 prefix too', async () => {
    const response = await postChat(
      h.origin,
      { model: 'sonnet', messages: [{ role: 'user', content: 'no prefix' }] },
      {},
      '/chat/completions',
    );
    expect(response.status).toBe(200);
    expect((await json(response)).choices[0].message.content).toBe('echo: no prefix');
  });

  it('passes earlier turns to the model as real user/assistant turns', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [
        { role: 'user', content: 'My name is Bob.' },
        { role: 'assistant', content: 'Nice to meet you, Bob.' },
        { role: 'user', content: 'What is my name?' },
      ],
    });
    expect(response.status).toBe(200);
    const [request] = h.mock.requests;
    if (!request) throw new Error('no request');
    const turns = request.body.messages.filter((message) => message.role !== ('system' as string));
    expect(turns.map((message) => message.role)).toEqual(['user', 'assistant', 'user']);
    expect(userTexts(request)).toEqual(['My name is Bob.', 'What is my name?']);
    expect(JSON.stringify(turns[1]?.content)).toContain('Nice to meet you, Bob.');
  });

  it('sends a prompt that starts with / to the model as text instead of running a slash command', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: '/clear the table' }],
    });
    expect((await json(response)).choices[0].message.content).toBe('echo: /clear the table');
    expect(h.mock.requests).toHaveLength(1);
  });

  it('delivers a 1 MB prompt (stdin, not argv)', async () => {
    const big = `start ${'x'.repeat(1024 * 1024)} end`;
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: big }],
    });
    expect(response.status).toBe(200);
    const [request] = h.mock.requests;
    if (!request) throw new Error('no request');
    expect(lastUserText(request)).toBe(big);
  });

  it('accepts and ignores harmless unknown parameters', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
      temperature: 0.1,
      top_k: 40,
      user: { id: 'u1' },
      metadata: { a: 'b' },
      stream_options: { include_usage: true },
      frequency_penalty: 0,
    });
    expect(response.status).toBe(200);
  });
});

describe('POST /v1/chat/completions (streaming)', () => {
  it('streams a role chunk, text token by token, a finish chunk, a usage chunk and [DONE]', async () => {
    h.mock.enqueue(text('one two three four five'));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'count' }],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    // Where the time to the first event went: the gateway's part, then Claude Code's.
    expect(response.headers.get('server-timing')).toMatch(/^gateway;dur=\d+\.\d, claude;dur=\d+\.\d$/);
    const sse = await readSse(response);
    expect(sse.done).toBe(true);
    // OpenAI's chat stream names no events: every frame is a plain `data:` line.
    expect(sse.events.every((event) => event.event === 'message' && event.id === undefined)).toBe(true);
    const chunks = sse.events.map((event) => event.data);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    expect(
      chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && Array.isArray(chunk.choices)),
    ).toBe(true);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const contentChunks = chunks.filter((chunk) => chunk.choices[0]?.delta?.content);
    expect(contentChunks.length).toBeGreaterThanOrEqual(5);
    expect(contentChunks.map((chunk) => chunk.choices[0].delta.content).join('')).toBe(
      'one two three four five',
    );
    const finishIndex = chunks.findIndex((chunk) => chunk.choices[0]?.finish_reason);
    expect(chunks[finishIndex].choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(finishIndex).toBe(chunks.length - 2);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
  });

  it('has no usage chunk without stream_options.include_usage', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const chunks = (await readSse(response)).events.map((event) => event.data);
    expect(chunks.every((chunk) => chunk.choices.length === 1 && chunk.usage === undefined)).toBe(true);
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
  });

  it('sends the answer once when the CLI retries a failed stream without streaming', async () => {
    h.mock.enqueue(
      { kind: 'midStreamFailure', textBefore: 'The first half ' },
      text('The first half and the second half.'),
    );
    const response = await postChat(h.origin, {
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const chunks = (await readSse(response)).events.map((event) => event.data);
    const content = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? '').join('');
    expect(content).toBe('The first half and the second half.');
  });

  it('turns a failure after the first byte into a data: {"error"} frame and ends the stream', async () => {
    h.mock.enqueue(
      { kind: 'midStreamFailure', textBefore: 'Started answering ' },
      { kind: 'error', status: 529, message: 'overloaded' },
    );
    const response = await postChat(h.origin, {
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(response.status).toBe(200);
    const sse = await readSse(response);
    expect(sse.done).toBe(false);
    const last = sse.events.at(-1)?.data;
    expect(last).toEqual({
      error: {
        message: expect.any(String),
        type: 'service_unavailable',
        param: null,
        code: 'upstream_unavailable',
      },
    });
  });
});

describe('stored chat completions (store: true)', () => {
  it('keeps the completion and its messages for GET, the list and DELETE; without store nothing is kept', async () => {
    h.mock.enqueue(text('Blue.', { usage: { input_tokens: 12, output_tokens: 2 } }), text('Not kept.'));
    const created = await json(
      await postChat(h.origin, {
        model: 'sonnet',
        store: true,
        metadata: { suite: 'stored-chat' },
        messages: [{ role: 'user', content: 'Sky colour?' }],
      }),
    );
    expect(lastUserText(h.mock.requests[0]!)).toBe('Sky colour?');
    const plain = await json(
      await postChat(h.origin, { model: 'sonnet', messages: [{ role: 'user', content: 'x' }] }),
    );
    const read = (path: string) =>
      fetch(`${h.origin}/v1/chat/completions${path}`, { headers: { authorization: 'Bearer sk-test' } });

    expect(await json(await read(`/${created.id}`))).toEqual({
      ...created,
      metadata: { suite: 'stored-chat' },
    });
    expect((await read(`/${plain.id}`)).status).toBe(404);
    const listed = await json(await read('?metadata[suite]=stored-chat'));
    expect(listed).toMatchObject({
      object: 'list',
      first_id: created.id,
      last_id: created.id,
      has_more: false,
    });
    expect(listed.data[0].choices[0].message.content).toBe('Blue.');
    expect(listed.data[0].usage).toMatchObject({ completion_tokens: 2 });
    expect((await json(await read(`/${created.id}/messages`))).data).toEqual([
      { id: `${created.id}-0`, role: 'user', content: 'Sky colour?', refusal: null, content_parts: null },
    ]);
    const deleted = await fetch(`${h.origin}/v1/chat/completions/${created.id}`, { method: 'DELETE' });
    expect(await json(deleted)).toEqual({ object: 'chat.completion.deleted', id: created.id, deleted: true });
    expect((await read(`/${created.id}`)).status).toBe(404);
  });
});

describe('Claude API failures', () => {
  it.each([
    [429, 429, 'rate_limit_error', true],
    [401, 502, 'api_error', false],
    [403, 502, 'api_error', false],
    [529, 503, 'service_unavailable', true],
    [500, 503, 'service_unavailable', true],
  ])('maps an upstream %i to %i with an OpenAI error body', async (upstream, status, type, retryAfter) => {
    h.mock.enqueue({ kind: 'error', status: upstream, message: 'upstream says no' });
    for (const stream of [false, true]) {
      if (stream) h.mock.enqueue({ kind: 'error', status: upstream, message: 'upstream says no' });
      const response = await postChat(h.origin, {
        model: 'sonnet',
        stream,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.headers.has('retry-after')).toBe(retryAfter);
      const body = await json(response);
      expect(body.error).toMatchObject({ type, message: expect.any(String) });
      expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    }
  });
});

describe('request errors', () => {
  it('answers malformed JSON with a 400 OpenAI error', async () => {
    const response = await fetch(`${h.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error.type).toBe('invalid_request_error');
  });

  it('names the param of a schema violation', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'wizard', content: 'x' }],
    });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.error.param).toBe('messages[0].role');
    const missing = await postChat(h.origin, { messages: [{ role: 'user', content: 'x' }] });
    expect((await json(missing)).error.param).toBe('model');
  });

  it('answers an unknown model with 404 model_not_found, streaming or not', async () => {
    for (const stream of [false, true]) {
      const response = await postChat(h.origin, {
        model: 'gpt-4o',
        stream,
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(response.status).toBe(404);
      expect((await json(response)).error).toMatchObject({ param: 'model', code: 'model_not_found' });
    }
    expect(h.mock.requests).toHaveLength(0);
  });

  it('answers an unknown route with an OpenAI 404', async () => {
    const response = await fetch(`${h.origin}/v1/nope`);
    expect(response.status).toBe(404);
    expect((await json(response)).error.type).toBe('invalid_request_error');
  });
});

describe('models and health', () => {
  it('lists served models in OpenAI shape and gets one by id', async () => {
    const list = await json(await fetch(`${h.origin}/v1/models`));
    expect(list.object).toBe('list');
    const ids = list.data.map((model: { id: string }) => model.id);
    expect(ids).toEqual(expect.arrayContaining(['sonnet', 'opus', 'haiku', 'claude-sonnet-4-5']));
    expect(list.data[0]).toEqual({
      id: 'sonnet',
      object: 'model',
      created: expect.any(Number),
      owned_by: 'anthropic',
    });
    const one = await fetch(`${h.origin}/models/claude-sonnet-4-5`);
    expect((await json(one)).id).toBe('claude-sonnet-4-5');
    const missing = await fetch(`${h.origin}/v1/models/${encodeURIComponent('acme/gpt-4o')}`);
    expect(missing.status).toBe(404);
    expect((await json(missing)).error).toMatchObject({ code: 'model_not_found', param: 'model' });
  });

  it('reports the Claude Code executable and its version on /health', async () => {
    const body = await json(await fetch(`${h.origin}/health`));
    expect(body).toMatchObject({
      status: 'ok',
      claude_code: { found: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) },
    });
  });

  it('echoes a client x-request-id', async () => {
    const response = await fetch(`${h.origin}/v1/models`, { headers: { 'x-request-id': 'req-abc-123' } });
    expect(response.headers.get('x-request-id')).toBe('req-abc-123');
  });
});
