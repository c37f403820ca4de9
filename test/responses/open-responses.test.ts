/**
 * What the Open Responses compliance suite (github.com/openresponses/openresponses,
 * `bin/compliance-test.ts`; not published on npm) checks, as this project's own test: each of its
 * requests against the gateway driving the real Claude Code CLI and the mock Messages API, every
 * response and every streamed event validated against the Open Responses schemas (the extract in
 * src/surfaces/openai/fixtures), then the suite's own semantic checks (output present, status
 * completed, the expected item types and function-call events), plus what Claude was sent.
 */
import { describe, expect, it } from 'vitest';
import { schemaChecks } from '../../src/surfaces/openai/test-support.js';
import { postChat } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { dataUrl, IMAGES, PDF_BASE64 } from '../images/fixtures.js';
import { type ContentBlock, lastUserText, text } from '../mock-anthropic/server.js';
import { clientCall, reply, toolResults } from '../tools/tool-replies.js';

const h = useHarness();
const check = schemaChecks('openresponses');

type Json = Record<string, any>;

/** The stream events the suite accepts, by type, and the schema each must match. */
const EVENT_SCHEMAS: Record<string, string> = {
  'response.created': 'ResponseCreatedStreamingEvent',
  'response.queued': 'ResponseQueuedStreamingEvent',
  'response.in_progress': 'ResponseInProgressStreamingEvent',
  'response.completed': 'ResponseCompletedStreamingEvent',
  'response.failed': 'ResponseFailedStreamingEvent',
  'response.incomplete': 'ResponseIncompleteStreamingEvent',
  'response.output_item.added': 'ResponseOutputItemAddedStreamingEvent',
  'response.output_item.done': 'ResponseOutputItemDoneStreamingEvent',
  'response.content_part.added': 'ResponseContentPartAddedStreamingEvent',
  'response.content_part.done': 'ResponseContentPartDoneStreamingEvent',
  'response.output_text.delta': 'ResponseOutputTextDeltaStreamingEvent',
  'response.output_text.done': 'ResponseOutputTextDoneStreamingEvent',
  'response.function_call_arguments.delta': 'ResponseFunctionCallArgumentsDeltaStreamingEvent',
  'response.function_call_arguments.done': 'ResponseFunctionCallArgumentsDoneStreamingEvent',
  'response.reasoning_summary_part.added': 'ResponseReasoningSummaryPartAddedStreamingEvent',
  'response.reasoning_summary_part.done': 'ResponseReasoningSummaryPartDoneStreamingEvent',
  'response.reasoning_summary_text.delta': 'ResponseReasoningSummaryDeltaStreamingEvent',
  'response.reasoning_summary_text.done': 'ResponseReasoningSummaryDoneStreamingEvent',
  error: 'ErrorStreamingEvent',
};

const weatherTool = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather for a location',
  parameters: {
    type: 'object',
    properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
    required: ['location'],
  },
};

/** POST /v1/responses as the suite sends it; a 200 whose body (or final event) is a valid ResponseResource. */
async function create(body: Json, streaming = false): Promise<{ response: Json; events: Json[] }> {
  const res = await postChat(h.origin, { ...body, stream: streaming }, {}, '/v1/responses');
  expect(res.status, await res.clone().text()).toBe(200);
  if (!streaming) {
    const response = (await res.json()) as Json;
    expect(check('ResponseResource', response)).toBe('valid');
    return { response, events: [] };
  }
  const events = (await res.text())
    .split('\n\n')
    .map((frame) => frame.split('\n').find((line) => line.startsWith('data:')))
    .filter((line): line is string => line !== undefined)
    .map((line) => JSON.parse(line.slice(5).trim()) as Json);
  expect(events.length).toBeGreaterThan(0);
  for (const event of events) {
    const schema = EVENT_SCHEMAS[event.type];
    expect(schema, `an event type the suite accepts: ${event.type}`).toBeDefined();
    expect(check(schema ?? '', event), event.type).toBe('valid');
  }
  const last = events.findLast((event) =>
    ['response.completed', 'response.failed', 'response.incomplete'].includes(event.type),
  );
  expect(check('ResponseResource', last?.response)).toBe('valid');
  return { response: last?.response as Json, events };
}

function expectCompletedWithOutput(response: Json, type?: string): void {
  expect(response.status).toBe('completed');
  expect(response.output.length).toBeGreaterThan(0);
  if (type) expect(response.output.map((item: Json) => item.type)).toContain(type);
}

describe('the Open Responses compliance checks', () => {
  it('basic-response: a user message answered, as a valid ResponseResource', async () => {
    h.mock.enqueue(text('Hello there, friend.'));
    const { response } = await create({
      model: 'sonnet',
      input: [{ type: 'message', role: 'user', content: 'Say hello in exactly 3 words.' }],
    });
    expectCompletedWithOutput(response, 'message');
    expect(lastUserText(h.mock.requests[0]!)).toBe('Say hello in exactly 3 words.');
  });

  it('streaming-response: every event valid, the last one completed', async () => {
    h.mock.enqueue(text('1, 2, 3, 4, 5.'));
    const { response, events } = await create(
      { model: 'sonnet', input: [{ type: 'message', role: 'user', content: 'Count from 1 to 5.' }] },
      true,
    );
    expect(response.status).toBe('completed');
    expect(events[0]?.response.usage).toBeNull();
  });

  it('system-prompt: a system message reaches Claude as system text', async () => {
    h.mock.enqueue(text('Ahoy, matey!'));
    const { response } = await create({
      model: 'sonnet',
      input: [
        { type: 'message', role: 'system', content: 'You are a pirate. Always respond in pirate speak.' },
        { type: 'message', role: 'user', content: 'Say hello.' },
      ],
    });
    expectCompletedWithOutput(response);
    expect(JSON.stringify(h.mock.requests[0]!.body.system)).toContain('You are a pirate.');
  });

  it('tool-calling and tool-calling-streaming: a function_call item and its argument events', async () => {
    h.mock.enqueue(
      reply(clientCall('get_weather', { location: 'San Francisco, CA' })),
      reply(clientCall('get_weather', { location: 'San Francisco, CA' })),
    );
    const input = [{ type: 'message', role: 'user', content: "What's the weather like in San Francisco?" }];
    const { response } = await create({ model: 'sonnet', input, tools: [weatherTool] });
    expect(response.output.map((item: Json) => item.type)).toContain('function_call');
    const { events } = await create({ model: 'sonnet', input, tools: [weatherTool] }, true);
    const types = events.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining([
        'response.function_call_arguments.delta',
        'response.function_call_arguments.done',
      ]),
    );
    const itemEvents = (type: string) =>
      events.filter((event) => event.type === type && event.item.type === 'function_call');
    expect(itemEvents('response.output_item.added')).toHaveLength(1);
    expect(itemEvents('response.output_item.done')).toHaveLength(1);
  });

  it('function-call-roundtrip: a forced call, then its output by previous_response_id', async () => {
    h.mock.enqueue(
      reply(clientCall('get_weather', { location: 'San Francisco, CA' })),
      text('64 degrees and clear.'),
    );
    const { response: first } = await create({
      model: 'sonnet',
      input: 'Use the weather tool to get the temperature in San Francisco.',
      tools: [weatherTool],
      tool_choice: { type: 'function', name: 'get_weather' },
    });
    const call = first.output.find((item: Json) => item.type === 'function_call');
    expect(call?.call_id).toBeTruthy();
    const { response } = await create({
      model: 'sonnet',
      previous_response_id: first.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '64 degrees and clear' }],
    });
    expectCompletedWithOutput(response);
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: call.call_id, text: '64 degrees and clear', isError: false },
    ]);
  });

  it('image-input and file-input: an image and a PDF reach Claude as blocks', async () => {
    h.mock.enqueue(text('A red heart.'), text('OpenResponses File Input Fixture'));
    const { response: image } = await create({
      model: 'sonnet',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What do you see in this image? Answer in one sentence.' },
            { type: 'input_image', image_url: dataUrl('image/png', IMAGES['image/png']) },
          ],
        },
      ],
    });
    expectCompletedWithOutput(image);
    const { response: file } = await create({
      model: 'sonnet',
      input: [
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'Read the attached file and answer with its title only.' },
            {
              type: 'input_file',
              filename: 'fixture.pdf',
              file_data: dataUrl('application/pdf', PDF_BASE64),
            },
          ],
        },
      ],
    });
    expectCompletedWithOutput(file);
    const blockTypes = (i: number) => {
      const last = h.mock.requests[i]?.body.messages.findLast((message) => message.role === 'user');
      return typeof last?.content === 'string'
        ? []
        : (last?.content ?? []).map((block: ContentBlock) => block.type);
    };
    expect(blockTypes(0)).toContain('image');
    expect(blockTypes(1)).toContain('document');
  });

  it('multi-turn and assistant-phase: assistant history (with phase labels) is accepted', async () => {
    h.mock.enqueue(text('Your name is Alice.'), text('Four.'));
    const { response } = await create({
      model: 'sonnet',
      input: [
        { type: 'message', role: 'user', content: 'My name is Alice.' },
        {
          type: 'message',
          role: 'assistant',
          content: 'Hello Alice! Nice to meet you. How can I help you today?',
        },
        { type: 'message', role: 'user', content: 'What is my name?' },
      ],
    });
    expectCompletedWithOutput(response);
    const { response: phased } = await create({
      model: 'sonnet',
      input: [
        {
          type: 'message',
          role: 'assistant',
          phase: 'commentary',
          content: 'I should answer with the saved number.',
        },
        { type: 'message', role: 'assistant', phase: 'final_answer', content: 'The number is four.' },
        { type: 'message', role: 'user', content: 'Repeat only the number.' },
      ],
    });
    expectCompletedWithOutput(phased);
  });

  it('previous-response-id: the second turn sees the first', async () => {
    h.mock.enqueue(text('OK'), text('papaya'));
    const { response: first } = await create({
      model: 'sonnet',
      input: 'Remember this code word: papaya. Reply with only OK.',
    });
    const { response } = await create({
      model: 'sonnet',
      previous_response_id: first.id,
      input: 'What code word did I ask you to remember?',
    });
    expectCompletedWithOutput(response);
    expect(JSON.stringify(h.mock.requests[1]!.body.messages)).toContain('papaya');
  });

  it('compact-response and compact-missing-model: a valid CompactResource with a compaction item, and a 400', async () => {
    h.mock.enqueue(text('The launch is on Tuesday; support is told first.'));
    const res = await postChat(
      h.origin,
      {
        model: 'sonnet',
        prompt_cache_key: 'openresponses-compact-test',
        input: [
          {
            type: 'message',
            role: 'user',
            content: 'We agreed to launch on Tuesday and notify support first.',
          },
          {
            type: 'message',
            role: 'assistant',
            content: 'Understood. The launch is Tuesday, with support notified beforehand.',
          },
        ],
      },
      {},
      '/v1/responses/compact',
    );
    expect(res.status).toBe(200);
    const compacted = (await res.json()) as Json;
    expect(check('CompactResource', compacted)).toBe('valid');
    expect(compacted.object).toBe('response.compaction');
    expect(compacted.output.map((item: Json) => item.type)).toContain('compaction');
    expect(lastUserText(h.mock.requests[0]!)).toContain('Understood. The launch is Tuesday');

    const missing = await postChat(
      h.origin,
      { input: [{ type: 'message', role: 'user', content: 'Compact this conversation.' }] },
      {},
      '/v1/responses/compact',
    );
    expect([400, 422]).toContain(missing.status);
  });
});
