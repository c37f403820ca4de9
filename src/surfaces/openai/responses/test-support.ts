/**
 * Shared by this surface's unit tests: a deterministic encoder and a driver that encodes scripted
 * run events the way respond.ts does. Test-only — production code must not import it.
 */
import { Hono } from 'hono';
import { GatewayError } from '../../../contract/gateway-error.js';
import {
  type ResponsesStore,
  RUNNING_RESPONSE_STATUSES,
  type StoredResponse,
  type StoredResponseEvent,
} from '../../../contract/ports/responses.js';
import type { RunEvent, RunUsage } from '../../../contract/run-events.js';
import type { RunPlan } from '../../../contract/run-plan.js';
import type { RunSummary } from '../../../contract/run-service.js';
import { fakeRunService, playing, type Script } from '../../../core/test-support.js';
import type { AppEnv } from '../../../http/request-logger.js';
import { renderOpenAIError } from '../openai-error.js';

export { schemaChecks } from '../test-support.js';

import { createBackgroundResponses } from './background.js';
import { createEncoderState, type EncoderOptions, encodeEvent, startResponse } from './encode-stream.js';
import { echoSettings, type ResponseStreamEvent } from './response-object.js';
import { responsesRoutes } from './route.js';
import { parseResponsesRequest } from './schema.js';

export const usage: RunUsage = {
  inputTokens: 10,
  outputTokens: 5,
  cacheReadInputTokens: 100,
  cacheCreationInputTokens: 20,
  reasoningTokens: 2,
};

export function encoderOptions(overrides: Partial<EncoderOptions> = {}): EncoderOptions {
  let ids = 0;
  return {
    id: 'resp_test',
    createdAt: 1_700_000_000,
    settings: echoSettings(parseResponsesRequest({ model: 'sonnet', input: 'hi' })),
    reasoningRequested: false,
    includeEncryptedReasoning: false,
    newItemId: (prefix) => `${prefix}_${++ids}`,
    now: () => 1_700_000_001,
    ...overrides,
  };
}

export function encodeAll(
  events: readonly RunEvent[],
  overrides: Partial<EncoderOptions> = {},
): ResponseStreamEvent[] {
  const state = createEncoderState(encoderOptions(overrides));
  return [...startResponse(state), ...events.flatMap((event) => encodeEvent(state, event))];
}

export const upstreamError = new GatewayError({
  kind: 'upstream',
  status: 502,
  message: 'Claude Code failed: API Error: 500',
  code: 'upstream_error',
});

/** A text answer, a reasoning-then-text answer and a tool-call answer, as scripted run events. */
export const scripts = {
  text: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Hello' },
    { type: 'text_delta', text: ' world' },
    { type: 'finish', reason: 'end_turn', usage },
  ],
  reasoning: [
    { type: 'message_start' },
    { type: 'reasoning_delta', text: 'Let me think.' },
    { type: 'reasoning_signature', signature: 'sig-1' },
    { type: 'text_delta', text: '42' },
    { type: 'finish', reason: 'end_turn', usage },
  ],
  toolCalls: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Checking.' },
    { type: 'tool_call_start', index: 0, id: 'toolu_1', name: 'get_weather' },
    { type: 'tool_call_delta', index: 0, argumentsDelta: '{"city":' },
    { type: 'tool_call_delta', index: 0, argumentsDelta: '"Paris"}' },
    { type: 'tool_call_end', index: 0, arguments: '{"city":"Paris"}' },
    { type: 'tool_call_start', index: 1, id: 'toolu_2', name: 'get_time' },
    { type: 'tool_call_end', index: 1, arguments: '{}' },
    { type: 'finish', reason: 'tool_use', usage },
  ],
  maxTokens: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Once upon' },
    { type: 'finish', reason: 'max_tokens', usage },
  ],
  failure: [
    { type: 'message_start' },
    { type: 'text_delta', text: 'Half' },
    { type: 'error', error: upstreamError },
  ],
} satisfies Record<string, RunEvent[]>;

/**
 * The port's rules in memory: routes are tested against the ResponsesStore port; the real
 * implementation (both engines) has its own contract tests in src/store.
 */
export function memoryResponsesStore(): ResponsesStore {
  const kept = new Map<string, StoredResponse>();
  const logs = new Map<string, StoredResponseEvent[]>();
  const mine = (id: string, ownerId: string) => {
    const record = kept.get(id);
    return record?.ownerId === ownerId ? record : undefined;
  };
  const forget = (id: string) => {
    logs.delete(id);
    return kept.delete(id);
  };
  return {
    async save(record) {
      kept.set(record.id, structuredClone(record));
    },
    async get(id, ownerId, now) {
      const record = mine(id, ownerId);
      return record && record.expiresAt > now ? structuredClone(record) : undefined;
    },
    async update(id, response, status) {
      const record = kept.get(id);
      if (!record || !RUNNING_RESPONSE_STATUSES.includes(record.status)) return false;
      kept.set(id, { ...record, response: structuredClone(response), status });
      return true;
    },
    async extend(ids, ownerId, expiresAt) {
      for (const id of ids) {
        const record = mine(id, ownerId);
        if (record) record.expiresAt = Math.max(record.expiresAt, expiresAt);
      }
    },
    async delete(id, ownerId) {
      return mine(id, ownerId) !== undefined && forget(id);
    },
    async sweep(now) {
      let swept = 0;
      for (const [id, record] of kept) {
        if (record.expiresAt <= now && forget(id)) swept++;
      }
      return swept;
    },
    async appendEvent(responseId, event) {
      const log = logs.get(responseId) ?? [];
      log.push(structuredClone(event));
      logs.set(responseId, log);
    },
    async events(responseId, afterSeq) {
      return structuredClone((logs.get(responseId) ?? []).filter((event) => event.seq > afterSeq));
    },
    async running() {
      return [...kept.values()].filter(
        (record) => record.background && RUNNING_RESPONSE_STATUSES.includes(record.status),
      );
    },
  };
}

/**
 * The surface's routes in a bare Hono app with the app's error funnel and a test principal per
 * `x-test-key`, over a fake run service playing `script` (a list of runs' events, or a script).
 */
export function routeHarness(script: RunEvent[][] | Script, storeOverrides: Partial<ResponsesStore> = {}) {
  const { service: runs, requests } = fakeRunService(Array.isArray(script) ? playing(...script) : script);
  const store = { ...memoryResponsesStore(), ...storeOverrides };
  const storeErrors: unknown[] = [];
  const summaries: Array<{ keyId: string; requestId: string; summary: RunSummary }> = [];
  const background = createBackgroundResponses({ store, maxFollowMs: 5_000 });
  let ids = 0;
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('requestId', 'req_1');
    const key = c.req.header('x-test-key');
    if (key) c.set('principal', { id: key, name: key, admin: false, source: 'store', policy: {} });
    await next();
  });
  // The app's error funnel, as createApp sets it up for this surface's paths.
  app.onError((err, c) => {
    if (!(err instanceof GatewayError)) throw err;
    const rendered = renderOpenAIError(err, { requestId: 'req_1' });
    return c.json(rendered.body as object, rendered.status as 400, rendered.headers);
  });
  app.route(
    '/v1',
    responsesRoutes({
      runs,
      store,
      background,
      countTokens: (text) => text.split(/\s+/).filter(Boolean).length,
      resolveModel: (model) => (model === 'unknown' ? undefined : model),
      systemPromptPlacement: 'replace',
      attachments: { maxBytes: 1_000_000, remoteImages: false },
      ttlMs: 60_000,
      keepAliveMs: 60_000,
      newId: (prefix) => `${prefix}_${++ids}`,
      onStoreError: (error) => storeErrors.push(error),
      backgroundRun: (principal, requestId) => ({
        onSummary: (summary) => summaries.push({ keyId: principal.id, requestId, summary }),
      }),
    }),
  );
  const call = (path: string, init: { method?: string; body?: unknown; key?: string } = {}) =>
    app.request(`/v1${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { 'content-type': 'application/json', 'x-test-key': init.key ?? 'key-a' },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
  const post = (body: unknown, key = 'key-a') => call('/responses', { body, key });
  const get = (id: string, key = 'key-a', method = 'GET') => call(`/responses/${id}`, { method, key });
  return {
    post,
    get,
    call,
    store,
    background,
    requests,
    storeErrors,
    summaries,
    plans: () => requests.map((request): RunPlan => request.plan),
  };
}

/** A wire event as a test reads it: its type and number, and whatever else it carries. */
// biome-ignore lint/suspicious/noExplicitAny: tests read event fields loosely and assert them one by one.
export type WireEvent = { type: string; sequence_number: number } & Record<string, any>;

export function sseEvents(text: string): Array<{ event: string; data: WireEvent }> {
  return text
    .split('\n\n')
    .filter((frame) => frame.startsWith('event:'))
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return {
        event: eventLine?.slice('event: '.length) ?? '',
        data: JSON.parse(dataLine?.slice('data: '.length) ?? ''),
      };
    });
}
