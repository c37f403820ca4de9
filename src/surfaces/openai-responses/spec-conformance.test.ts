/**
 * Every event and response object the encoder produces is checked against OpenAI's own OpenAPI
 * schemas (extracted by scripts/extract-openai-schemas.ts), so SDKs generated from that document
 * accept them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldResponse } from './fold.js';
import { echoSettings } from './response-object.js';
import { parseResponsesRequest } from './schema.js';
import { encodeAll, scripts } from './test-support.js';

const spec: unknown = JSON.parse(
  readFileSync(path.join(import.meta.dirname, 'fixtures', 'openai-schemas.json'), 'utf8'),
);
// OpenAPI 3.1 schemas are JSON Schema 2020-12 plus annotations (`x-*`, `example`, `discriminator`).
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(spec as object, 'openai');
const validator = (name: string) => {
  const validate = ajv.getSchema(`openai#/components/schemas/${name}`);
  if (!validate) throw new Error(`no schema ${name}`);
  return (value: unknown) => {
    const ok = validate(value);
    return ok ? 'valid' : ajv.errorsText(validate.errors);
  };
};

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
    for (const name of ['ResponseStreamEvent', 'Response', ...Object.values(eventSchemas)]) validator(name);
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
