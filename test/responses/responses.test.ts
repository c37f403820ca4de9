/**
 * POST /v1/responses over real HTTP, driving the real Claude Code CLI against the mock Messages API:
 * what the wire carries (events, statuses, headers) and what Claude was asked.
 */
import { describe, expect, it } from 'vitest';
import { json, postChat } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { lastUserText, text, toolUse } from '../mock-anthropic/server.js';

const h = useHarness();
const postResponses = (body: unknown) => postChat(h.origin, body, {}, '/v1/responses');

/** The events' data; each event's name must match the `type` inside its data. */
async function readEvents(response: Response): Promise<Array<Record<string, any>>> {
  const { events } = await readSse(response);
  for (const event of events) expect(event.data.type).toBe(event.event);
  return events.map((event) => event.data);
}

describe('POST /v1/responses', () => {
  it('reports an answer cut by max_output_tokens as incomplete, and sends the limit to Claude', async () => {
    h.mock.enqueue(text('This answer was cut', { stopReason: 'max_tokens' }));
    const body = await json(
      await postResponses({ model: 'sonnet', input: 'Tell a story', max_output_tokens: 16 }),
    );
    expect(h.mock.requests[0]?.body.max_tokens).toBe(16);
    expect(body).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output: [
        {
          type: 'message',
          status: 'incomplete',
          content: [{ type: 'output_text', text: 'This answer was cut' }],
        },
      ],
    });
  });

  it('streams thinking as a reasoning item before the message, with effort sent to Claude Code', async () => {
    h.mock.enqueue({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'Six times seven.' },
        { type: 'text', text: '42' },
      ],
      thinkingTokens: 5,
    });
    const response = await postResponses({
      model: 'sonnet',
      input: 'What is 6 x 7?',
      stream: true,
      reasoning: { effort: 'high', summary: 'auto' },
    });
    const events = await readEvents(response);
    expect(h.mock.requests[0]?.body.output_config).toMatchObject({ effort: 'high' });
    const done = events.at(-1);
    expect(done?.type).toBe('response.completed');
    expect(done?.response.output).toEqual([
      expect.objectContaining({
        type: 'reasoning',
        summary: [{ type: 'summary_text', text: 'Six times seven.' }],
      }),
      expect.objectContaining({ type: 'message', content: [expect.objectContaining({ text: '42' })] }),
    ]);
    expect(done?.response.usage.output_tokens_details.reasoning_tokens).toBe(5);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
  });

  it('answers text.format json_schema through Claude Code structured output', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { name: 'Ada', age: 36 }));
    const schema = {
      type: 'object',
      properties: { name: { type: 'string' }, age: { type: 'number' } },
      required: ['name', 'age'],
      additionalProperties: false,
    };
    const body = await json(
      await postResponses({
        model: 'sonnet',
        input: 'Who wrote the first program?',
        text: { format: { type: 'json_schema', name: 'person', schema, strict: true } },
      }),
    );
    expect(JSON.parse(body.output[0].content[0].text)).toEqual({ name: 'Ada', age: 36 });
    const offered = h.mock.requests[0]?.body.tools?.find((tool) => tool.name === 'StructuredOutput');
    expect(offered?.input_schema).toMatchObject({ properties: schema.properties });
  });

  it('leaves hosted tools out of what Claude sees and names them in a header', async () => {
    h.mock.enqueue(text('ok'));
    const response = await postResponses({
      model: 'sonnet',
      input: 'hi',
      tools: [
        { type: 'web_search' },
        { type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-dropped-tools')).toBe('web_search');
    const names = (h.mock.requests[0]?.body.tools ?? []).map((tool) => tool.name);
    expect(names).toContain('mcp__client__lookup');
    expect(names.filter((name) => name.includes('web_search'))).toEqual([]);
    expect(lastUserText(h.mock.requests[0]!)).toBe('hi');
  });

  it('ends a stream that fails after its first byte with an error event and response.failed', async () => {
    h.mock.enqueue(
      { kind: 'midStreamFailure', textBefore: 'Started answering ' },
      { kind: 'error', status: 529, message: 'overloaded' },
    );
    const response = await postResponses({ model: 'sonnet', input: 'hi', stream: true });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events.slice(-2).map((event) => event.type)).toEqual(['error', 'response.failed']);
    expect(events.at(-2)).toMatchObject({ code: 'upstream_unavailable' });
    expect(events.at(-1)?.response).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
  });

  it('rejects an unknown previous_response_id with a 404 naming it, before any run', async () => {
    const response = await postResponses({ model: 'sonnet', previous_response_id: 'resp_nope', input: 'hi' });
    expect(response.status).toBe(404);
    expect(await json(response)).toEqual({
      error: {
        message: "Response with id 'resp_nope' not found.",
        type: 'invalid_request_error',
        param: 'previous_response_id',
        code: 'response_not_found',
      },
    });
    expect(h.mock.requests).toHaveLength(0);
  });

  it('compacts a conversation into an item Claude wrote, and a later request with it gives Claude the summary', async () => {
    h.mock.enqueue(
      text('Ada is writing a compiler in Rust; next: the parser.'),
      text('The parser comes next.'),
    );
    const compacted = await json(
      await postChat(
        h.origin,
        {
          model: 'sonnet',
          input: [
            { role: 'user', content: 'I am Ada and I write a compiler in Rust.' },
            { role: 'assistant', content: 'Great, where are you stuck?' },
            { role: 'user', content: 'The lexer is done.' },
          ],
        },
        {},
        '/v1/responses/compact',
      ),
    );
    const asked = lastUserText(h.mock.requests[0]!);
    expect(asked).toContain('[user]\nI am Ada and I write a compiler in Rust.');
    expect(asked).toContain('[assistant]\nGreat, where are you stuck?');
    expect(JSON.stringify(h.mock.requests[0]!.body.tools ?? []).includes('mcp__client__')).toBe(false);
    expect(compacted.output.map((item: { type: string }) => item.type)).toEqual([
      'message',
      'message',
      'compaction',
    ]);
    const item = compacted.output.at(-1);

    const answer = await json(
      await postResponses({ model: 'sonnet', input: [item, { role: 'user', content: 'What comes next?' }] }),
    );
    expect(answer.output[0].content[0].text).toBe('The parser comes next.');
    const sent = JSON.stringify(h.mock.requests[1]!.body.messages);
    expect(sent).toContain('Ada is writing a compiler in Rust; next: the parser.');
    expect(sent).not.toContain('Great, where are you stuck?');
  });
});
