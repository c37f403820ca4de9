/**
 * Every event and response object the encoder produces is checked against OpenAI's own OpenAPI
 * schemas and the Open Responses ones (both extracted by scripts/extract-openai-schemas.ts), so SDKs
 * generated from either document accept them, and so does the Open Responses compliance suite,
 * which validates every streamed event and the final response against its schemas.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { foldResponse } from './fold.js';
import { echoSettings } from './response-object.js';
import { parseResponsesRequest } from './schema.js';
import { encodeAll, schemaChecks, scripts } from './test-support.js';

const openAI = schemaChecks('openai');
const openResponses = schemaChecks('openresponses');
const validator = (name: string) => (value: unknown) => openAI(name, value);

const eventSchemas: Record<string, string> = {
  'response.created': 'ResponseCreatedEvent',
  'response.in_progress': 'ResponseInProgressEvent',
  'response.completed': 'ResponseCompletedEvent',
  'response.incomplete': 'ResponseIncompleteEvent',
  'response.failed': 'ResponseFailedEvent',
  'response.output_item.added': 'ResponseOutputItemAddedEvent',
  'response.output_item.done': 'ResponseOutputItemDoneEvent',
  'response.content_part.added': 'ResponseContentPartAddedEvent',
  'response.content_part.done': 'ResponseContentPartDoneEvent',
  'response.output_text.delta': 'ResponseTextDeltaEvent',
  'response.output_text.done': 'ResponseTextDoneEvent',
  'response.function_call_arguments.delta': 'ResponseFunctionCallArgumentsDeltaEvent',
  'response.function_call_arguments.done': 'ResponseFunctionCallArgumentsDoneEvent',
  'response.reasoning_summary_part.added': 'ResponseReasoningSummaryPartAddedEvent',
  'response.reasoning_summary_part.done': 'ResponseReasoningSummaryPartDoneEvent',
  'response.reasoning_summary_text.delta': 'ResponseReasoningSummaryTextDeltaEvent',
  'response.reasoning_summary_text.done': 'ResponseReasoningSummaryTextDoneEvent',
  error: 'ResponseErrorEvent',
};

const settingsWithEverything = echoSettings(
  parseResponsesRequest({
    model: 'sonnet',
    input: 'hi',
    instructions: 'Be brief.',
    tools: [
      { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: {} }, strict: true },
      { type: 'web_search' },
    ],
    tool_choice: { type: 'function', name: 'get_weather' },
    text: { format: { type: 'json_schema', name: 'answer', schema: { type: 'object' }, strict: true } },
    reasoning: { effort: 'low', summary: 'auto' },
    max_output_tokens: 100,
    metadata: { a: 'b' },
    user: 'u1',
    previous_response_id: 'resp_before',
  }),
);

describe('the Responses stream against the OpenAI OpenAPI schemas', () => {
  // Ajv compiles a schema on its first use, and the event union alone takes about a second of CPU
  // (several on a loaded machine): compile them all up front, under the hook's own timeout, so the
  // tests time only the checks.
  beforeAll(() => {
    for (const name of ['ResponseStreamEvent', 'Response', ...Object.values(eventSchemas)]) openAI(name, {});
  }, 60_000);

  const runs = Object.entries(scripts).flatMap(([name, script]) => [
    { name, events: encodeAll(script) },
    {
      name: `${name} with every setting`,
      events: encodeAll(script, {
        settings: settingsWithEverything,
        reasoningRequested: true,
        includeEncryptedReasoning: true,
      }),
    },
  ]);

  it.each(runs)('$name: every event matches its own schema and the event union', ({ events }) => {
    const union = validator('ResponseStreamEvent');
    for (const event of events) {
      const schema = eventSchemas[event.type];
      expect(schema, event.type).toBeDefined();
      expect(validator(schema ?? '')(event), event.type).toBe('valid');
      expect(union(event), event.type).toBe('valid');
    }
  });

  it.each(runs)('$name: the folded (non-streaming) response matches Response', ({ events }) => {
    expect(validator('Response')(foldResponse(events))).toBe('valid');
  });
});

/** The events the Open Responses compliance suite accepts in a stream, by type. */
const openResponsesEvents: Record<string, string> = {
  'response.created': 'ResponseCreatedStreamingEvent',
  'response.queued': 'ResponseQueuedStreamingEvent',
  'response.in_progress': 'ResponseInProgressStreamingEvent',
  'response.completed': 'ResponseCompletedStreamingEvent',
  'response.incomplete': 'ResponseIncompleteStreamingEvent',
  'response.failed': 'ResponseFailedStreamingEvent',
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

/**
 * The Open Responses document's `json_schema` text format demands `schema: null` and a
 * `description` (a slip in that document; its suite never sends one), so its runs echo a
 * `json_object` format instead.
 */
const settingsForOpenResponses = { ...settingsWithEverything, text: { format: { type: 'json_object' } } };

describe('the Responses stream against the Open Responses schemas', () => {
  const runs = Object.entries(scripts).flatMap(([name, script]) => [
    { name, events: encodeAll(script) },
    {
      name: `${name} with every setting`,
      events: encodeAll(script, {
        settings: settingsForOpenResponses,
        reasoningRequested: true,
        includeEncryptedReasoning: true,
      }),
    },
  ]);

  it.each(runs)('$name: every event matches its Open Responses event schema', ({ events }) => {
    for (const event of events) {
      const schema = openResponsesEvents[event.type];
      expect(schema, event.type).toBeDefined();
      expect(openResponses(schema ?? '', event), event.type).toBe('valid');
    }
  });

  it.each(runs)('$name: the folded response and every snapshot match ResponseResource', ({ events }) => {
    expect(openResponses('ResponseResource', foldResponse(events))).toBe('valid');
    for (const event of events) {
      if ('response' in event)
        expect(openResponses('ResponseResource', event.response), event.type).toBe('valid');
    }
  });

  it('reports the sampling settings in effect, not the ones asked for, and usage null before the run has it', () => {
    const request = parseResponsesRequest({
      model: 'sonnet',
      input: 'hi',
      temperature: 0.2,
      top_p: 0.5,
      safety_identifier: 'user-7',
      prompt_cache_key: 'codex-session',
      max_tool_calls: 3,
    });
    const [created] = encodeAll(scripts.text, { settings: echoSettings(request) });
    expect(created).toMatchObject({
      type: 'response.created',
      response: {
        temperature: 1,
        top_p: 1,
        presence_penalty: 0,
        frequency_penalty: 0,
        top_logprobs: 0,
        background: false,
        max_tool_calls: 3,
        safety_identifier: 'user-7',
        prompt_cache_key: 'codex-session',
        user: null,
        usage: null,
      },
    });
  });
});
