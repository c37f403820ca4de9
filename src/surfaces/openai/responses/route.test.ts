import { describe, expect, it } from 'vitest';
import { readSse } from '../../../../test/helpers/sse-events.js';
import { GatewayError } from '../../../contract/gateway-error.js';
import { DROPPED_TOOLS_HEADER } from './route.js';
import { scripts, routeHarness as setup } from './test-support.js';

describe('responsesRoutes', () => {
  it('answers non-streaming with the folded response and keeps it for GET and DELETE', async () => {
    const { post, get, requests } = setup([scripts.text]);
    const res = await post({ model: 'sonnet', input: 'Hi', user: 'u1' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      id: string;
      status: string;
      output: Array<{ content: Array<{ text: string }> }>;
    };
    expect(body).toMatchObject({ id: 'resp_1', object: 'response', status: 'completed' });
    expect(body.output[0]?.content[0]?.text).toBe('Hello world');
    expect(requests[0]).toMatchObject({
      surface: 'openai-responses',
      origin: { callerId: 'key-a', endUser: 'u1' },
      requestId: 'req_1',
    });
    expect(await (await get('resp_1')).json()).toEqual(body);
    expect((await get('resp_1', 'key-b')).status).toBe(404);
    expect(await (await get('resp_1', 'key-a', 'DELETE')).json()).toEqual({
      id: 'resp_1',
      object: 'response.deleted',
      deleted: true,
    });
    const gone = await get('resp_1');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toEqual({
      error: {
        message: "Response with id 'resp_1' not found.",
        type: 'invalid_request_error',
        param: null,
        code: 'response_not_found',
      },
    });
  });

  it('streams named events whose data carries the same type, numbered in order', async () => {
    const { post } = setup([scripts.toolCalls]);
    const res = await post({
      model: 'sonnet',
      input: 'Weather?',
      stream: true,
      tools: [{ type: 'function', name: 'get_weather' }, { type: 'web_search' }],
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect(res.headers.get(DROPPED_TOOLS_HEADER)).toBe('web_search');
    const { events } = await readSse(res);
    expect(events[0]?.event).toBe('response.created');
    expect(events.at(-1)?.event).toBe('response.completed');
    for (const [i, { event, data }] of events.entries()) {
      expect(data.type).toBe(event);
      expect(data.sequence_number).toBe(i);
    }
  });

  it('continues from previous_response_id with the whole conversation, for its owner only', async () => {
    const { post, plans } = setup([scripts.toolCalls, scripts.text]);
    const tools = [
      { type: 'function', name: 'get_weather' },
      { type: 'function', name: 'get_time' },
    ];
    const first = (await (await post({ model: 'sonnet', input: 'Weather?', tools })).json()) as {
      id: string;
    };
    const unknown = await post({ model: 'sonnet', previous_response_id: first.id, input: 'x' }, 'key-b');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      error: { param: 'previous_response_id', code: 'response_not_found' },
    });
    const second = await post({
      model: 'sonnet',
      previous_response_id: first.id,
      tools,
      input: [
        { type: 'function_call_output', call_id: 'toolu_1', output: 'sunny' },
        { type: 'function_call_output', call_id: 'toolu_2', output: 'noon' },
      ],
    });
    expect(second.status).toBe(200);
    expect(plans()[1]).toMatchObject({
      history: [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            { type: 'tool_use', id: 'toolu_1', name: 'mcp__client__get_weather', input: { city: 'Paris' } },
            { type: 'tool_use', id: 'toolu_2', name: 'mcp__client__get_time', input: {} },
          ],
        },
      ],
      prompt: [
        { type: 'tool_result', tool_use_id: 'toolu_1' },
        { type: 'tool_result', tool_use_id: 'toolu_2' },
      ],
    });
  });

  it("resolves item_reference items (the AI SDK sends them) from the caller's stored responses", async () => {
    const { post, plans } = setup([scripts.text, scripts.text]);
    const first = (await (await post({ model: 'sonnet', input: 'Hi' })).json()) as {
      output: Array<{ id: string }>;
    };
    const messageId = first.output[0]?.id ?? '';
    expect(messageId).toMatch(/^msg_1_\d+$/);
    const input = [
      { role: 'user', content: 'Hi' },
      { type: 'item_reference', id: messageId },
      { role: 'user', content: 'Again' },
    ];
    expect((await post({ model: 'sonnet', input })).status).toBe(200);
    expect(plans()[1]?.history).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello world' }] },
    ]);
    const stranger = await post({ model: 'sonnet', input }, 'key-b');
    expect(stranger.status).toBe(404);
    expect(await stranger.json()).toMatchObject({ error: { param: 'input[1].id', code: 'item_not_found' } });
  });

  it('still answers when the response cannot be stored, and reports why', async () => {
    const diskFull = new Error('SQLITE_FULL');
    const { post, storeErrors } = setup([scripts.text], {
      save: async () => {
        throw diskFull;
      },
    });
    const res = await post({ model: 'sonnet', input: 'Hi', stream: true });
    expect((await readSse(res)).events.at(-1)?.event).toBe('response.completed');
    expect(storeErrors).toEqual([diskFull]);
  });

  it('does not keep a response sent with store: false', async () => {
    const { post, get } = setup([scripts.text]);
    const body = (await (await post({ model: 'sonnet', input: 'Hi', store: false })).json()) as {
      id: string;
    };
    expect((await get(body.id)).status).toBe(404);
  });

  it('answers a failure before the first event with its own status, and one after it with its status too', async () => {
    const limited = new GatewayError({
      kind: 'rate_limited',
      status: 429,
      message: 'Slow down.',
      code: 'rate_limit_exceeded',
      retryAfterSeconds: 2,
    });
    const { post } = setup([[{ type: 'error', error: limited }], scripts.failure]);
    const early = await post({ model: 'sonnet', input: 'Hi' });
    expect(early.status).toBe(429);
    expect(early.headers.get('retry-after')).toBe('2');
    expect(await early.json()).toEqual({
      error: { message: 'Slow down.', type: 'rate_limit_error', param: null, code: 'rate_limit_exceeded' },
    });
    const late = await post({ model: 'sonnet', input: 'Hi' });
    expect(late.status).toBe(502);
    expect(await late.json()).toMatchObject({ error: { type: 'api_error', code: 'upstream_error' } });
  });

  it('rejects a bad request with a 400 naming the field before any run', async () => {
    const { post, requests } = setup([]);
    const res = await post({ model: 'sonnet', input: [{ role: 'user', content: [{ type: 'input_text' }] }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { type: 'invalid_request_error', param: 'input[0].content[0].text' },
    });
    expect((await post({ model: 'unknown', input: 'x' })).status).toBe(404);
    expect(requests).toHaveLength(0);
  });
});
