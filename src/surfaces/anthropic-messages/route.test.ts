import Anthropic from '@anthropic-ai/sdk';
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import { beforeAll, describe, expect, it } from 'vitest';
import { readSse } from '../../../test/helpers/sse-events.js';
import { openAdmission } from '../../contract/admission.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { RunEvent, RunUsage } from '../../contract/run-events.js';
import type { RunService } from '../../contract/run-service.js';
import { createModelCatalog } from '../../core/model-catalog.js';
import { fakeRunService } from '../../core/test-support.js';
import { renderAnthropicError } from './render-error.js';
import { anthropicMessagesRoutes } from './route.js';
import { createCl100kCounter } from './token-counter.js';

const usage: RunUsage = {
  inputTokens: 7,
  outputTokens: 3,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  reasoningTokens: 0,
};

/** Every run plays the same scripted events. */
function scriptedRuns(script: RunEvent[]) {
  const { service, requests } = fakeRunService(async function* () {
    yield* script;
  });
  return { runs: service, requests };
}

// One counter for every app: it parses its BPE ranks on the first count (about a second), which
// beforeAll does under its own timeout.
const countTokens = createCl100kCounter();
beforeAll(() => {
  countTokens('');
}, 30_000);

function gateway(runs: RunService) {
  const app = new Hono();
  app.use(requestId());
  app.route(
    '/v1',
    anthropicMessagesRoutes({
      runs,
      planContext: {
        models: createModelCatalog(['sonnet']),
        systemPromptPlacement: 'replace',
        attachments: { maxBytes: 1_000_000, remoteImages: false },
      },
      countTokens,
      keepAliveMs: 60_000,
      newId: () => 'msg_fixed',
    }),
  );
  // What the core's error funnel does for this path prefix.
  app.onError((error, c) => {
    const gatewayError =
      error instanceof GatewayError
        ? error
        : new GatewayError({ kind: 'internal', status: 500, message: String(error) });
    const rendered = renderAnthropicError(gatewayError, { requestId: c.get('requestId') });
    return c.json(rendered.body, rendered.status as 400, rendered.headers);
  });
  return app;
}

function client(app: Hono): Anthropic {
  return new Anthropic({
    apiKey: 'sk-test',
    baseURL: 'http://gateway.test',
    maxRetries: 0,
    fetch: async (url, init) => app.request(String(url), init),
  });
}

const answer: RunEvent[] = [
  { type: 'message_start' },
  { type: 'text_delta', text: 'Hello' },
  { type: 'text_delta', text: ' there' },
  { type: 'finish', reason: 'end_turn', usage },
];

describe('POST /v1/messages over a scripted run', () => {
  it('answers messages.create and passes a neutral plan to the run service', async () => {
    const { runs, requests } = scriptedRuns(answer);
    const message = await client(gateway(runs)).messages.create({
      model: 'sonnet',
      max_tokens: 100,
      system: [
        { type: 'text', text: 'x-anthropic-billing-header: cch=1;' },
        { type: 'text', text: 'Be kind.' },
      ],
      messages: [{ role: 'user', content: 'hi' }],
      metadata: { user_id: 'user-42' },
    });
    expect(message).toMatchObject({
      id: 'msg_fixed',
      type: 'message',
      role: 'assistant',
      model: 'sonnet',
      content: [{ type: 'text', text: 'Hello there' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 7, output_tokens: 3 },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      surface: 'anthropic-messages',
      origin: { endUser: 'user-42' },
      plan: { systemPrompt: { text: 'Be kind.', placement: 'replace' }, maxOutputTokens: 100 },
    });
  });

  it('streams named events the SDK accumulates into the same message', async () => {
    const { runs } = scriptedRuns(answer);
    const stream = client(gateway(runs)).messages.stream({
      model: 'sonnet',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const texts: string[] = [];
    stream.on('text', (text) => texts.push(text));
    const message = await stream.finalMessage();
    expect(texts).toEqual(['Hello', ' there']);
    expect(message.content).toEqual([{ type: 'text', text: 'Hello there' }]);
  });

  it('frames every event with its own type as the event name', async () => {
    const { runs } = scriptedRuns(answer);
    const response = await gateway(runs).request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'sonnet',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      }),
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const { events } = await readSse(response);
    for (const { event, data } of events) expect(event).toBe(data.type);
    expect(events.at(-1)?.event).toBe('message_stop');
  });

  it('answers an error before any output with the Anthropic status and body', async () => {
    const { runs } = scriptedRuns([
      { type: 'error', error: new GatewayError({ kind: 'unavailable', status: 503, message: 'Queue full' }) },
    ]);
    const error = await client(gateway(runs))
      .messages.create({
        model: 'sonnet',
        max_tokens: 10,
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({
      status: 529,
      error: { type: 'error', error: { type: 'overloaded_error' } },
    });
  });

  it('rejects a request without max_tokens as Anthropic does', async () => {
    const { runs, requests } = scriptedRuns(answer);
    const response = await gateway(runs).request('/v1/messages', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/^max_tokens:/);
    expect(requests).toHaveLength(0);
  });

  it('counts tokens without running anything', async () => {
    const { runs, requests } = scriptedRuns(answer);
    const counted = await client(gateway(runs)).messages.countTokens({
      model: 'sonnet',
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(10);
    expect(requests).toHaveLength(0);
  });
});
