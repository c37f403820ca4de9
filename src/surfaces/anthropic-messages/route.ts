import { randomBytes } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../../auth/context-variables.js';
import type { RunEvent } from '../../core/run-events.js';
import type { RunService } from '../../core/run-service.js';
import { documented, jsonBody, jsonOrSseResponse, jsonResponse } from '../../http/openapi-route.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
import type { TokenCounter } from '../../tokens/token-counter.js';
import { estimateInputTokens } from './count-tokens.js';
import {
  createEncoderState,
  type EncoderState,
  encodeEnd,
  encodeEvent,
  incompleteAnswer,
} from './encode-stream.js';
import { foldStream } from './fold.js';
import { locateImage } from './locate-image.js';
import { countTokensRequestSchema, messagesRequestSchema } from './schema.js';
import { type ToPlanContext, toRunPlan } from './to-plan.js';
import { validateBody } from './validate.js';
import type { StreamEvent } from './wire.js';

export interface AnthropicMessagesDeps {
  runs: RunService;
  planContext: ToPlanContext;
  countTokens: TokenCounter;
  keepAliveMs: number;
  newId?: () => string;
}

/** Anthropic's ids are `msg_` and a random tail; clients only check the prefix. */
const newMessageId = () => `msg_${randomBytes(12).toString('hex')}`;

const anthropicErrorSchema = z
  .object({
    type: z.literal('error'),
    error: z.object({ type: z.string(), message: z.string() }),
  })
  .openapi('AnthropicError');
const anthropicError = (description: string) => jsonResponse(description, anthropicErrorSchema);

const anthropicHeaders = z.object({
  'anthropic-version': z
    .string()
    .optional()
    .openapi({ description: 'Accepted (any value); the gateway speaks 2023-06-01.' }),
  'anthropic-beta': z.string().optional().openapi({ description: 'Accepted and ignored.' }),
});

const createMessage = createRoute({
  method: 'post',
  path: '/messages',
  summary: 'Create a message (Anthropic Messages API)',
  description:
    'Non-streaming: a `message` object. With `stream: true`: `text/event-stream` of named events (`message_start`, `content_block_start`/`_delta`/`_stop`, `message_delta`, `message_stop`, `ping`; `error` after the first byte). Errors use the Anthropic shape. Authenticate with `x-api-key` or `Authorization: Bearer`.',
  request: {
    headers: anthropicHeaders,
    body: jsonBody(messagesRequestSchema.openapi('AnthropicMessagesRequest')),
  },
  responses: {
    200: jsonOrSseResponse('The message, or its events as server-sent events.'),
    400: anthropicError('`invalid_request_error`; the message starts with the field at fault.'),
    401: anthropicError('`authentication_error`: missing or unknown API key.'),
    403: anthropicError('`permission_error`: the key may not use this model.'),
    404: anthropicError('`not_found_error`: unknown model.'),
    413: anthropicError('`request_too_large`: body or attachment over the limit.'),
    429: anthropicError('`rate_limit_error`: rate limit, concurrency, queue full or budget used up.'),
    500: anthropicError('`api_error`.'),
    529: anthropicError('`overloaded_error`: no Claude Code slot free in time, or shutting down.'),
  },
});

const countTokens = createRoute({
  method: 'post',
  path: '/messages/count_tokens',
  summary: 'Estimate the input tokens of a message request',
  description:
    'An estimate that errs high (see "Counting tokens" in the README): cl100k_base token counts scaled by 1.5, images at 1,600 tokens, PDF pages at 3,000. Claude Code sends `?beta=true`; any query is accepted.',
  request: {
    headers: anthropicHeaders,
    body: jsonBody(countTokensRequestSchema.openapi('AnthropicCountTokensRequest')),
  },
  responses: {
    200: jsonResponse('The estimate.', z.object({ input_tokens: z.number().int() })),
    400: anthropicError('`invalid_request_error`.'),
    401: anthropicError('`authentication_error`.'),
  },
});

/** `POST /messages` and `POST /messages/count_tokens` (Claude Code adds `?beta=true`). */
export function anthropicMessagesRoutes(deps: AnthropicMessagesDeps) {
  const newId = deps.newId ?? newMessageId;
  const app = new OpenAPIHono();
  app.post(documented(app, countTokens), validateBody(countTokensRequestSchema), (c) =>
    c.json({ input_tokens: estimateInputTokens(c.req.valid('json'), deps.countTokens) }),
  );
  app.post(documented(app, createMessage), validateBody(messagesRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const plan = toRunPlan(request, deps.planContext);
    const disconnect = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => disconnect.abort(), { once: true });
    const principal = c.get('principal');
    // Set by the key-policy middleware: budget, audit and metrics learn how the run went.
    const onSummary = c.get('runHooks')?.onSummary;
    const endUser = request.metadata?.user_id || undefined;
    const events = deps.runs.run({
      surface: 'anthropic-messages',
      plan,
      ...(principal ? { principal } : {}),
      origin: { ...(principal ? { callerId: principal.id } : {}), ...(endUser ? { endUser } : {}) },
      signal: disconnect.signal,
      requestId: c.get('requestId'),
      auditBody: request,
      ...(onSummary ? { onSummary } : {}),
      locateImage: (url) => locateImage(request, url),
    });

    // Wait for the first event so errors before any output still get a real HTTP status.
    const first = await events.next();
    if (!first.done && first.value.type === 'error') {
      // Close the run so its queue slot and session claim are released (its finally blocks run).
      await events.return();
      throw first.value.error;
    }
    const state = createEncoderState({ id: newId(), model: request.model });
    c.header('request-id', c.get('requestId'));
    const all = resume(first, events);
    if (!request.stream) return c.json(await complete(all, state));
    return writeSse(c, frames(all, state), {
      keepAliveMs: deps.keepAliveMs,
      keepAliveFrame: toFrame({ type: 'ping' }),
      onAbort: () => disconnect.abort(),
    });
  });
  return app;
}

/** The non-streaming reply: the fold of the stream this run would have sent. */
async function complete(events: AsyncIterable<RunEvent>, state: EncoderState) {
  const stream: StreamEvent[] = [];
  for await (const event of events) {
    if (event.type === 'error') throw event.error;
    stream.push(...encodeEvent(state, event));
  }
  if (!state.done) throw incompleteAnswer();
  return foldStream(stream);
}

async function* frames(events: AsyncIterable<RunEvent>, state: EncoderState): AsyncGenerator<SseFrame> {
  for await (const event of events) yield* encodeEvent(state, event).map(toFrame);
  yield* encodeEnd(state).map(toFrame);
}

function toFrame(event: StreamEvent): SseFrame {
  return { event: event.type, data: JSON.stringify(event) };
}

async function* resume<T>(first: IteratorResult<T, void>, rest: AsyncGenerator<T, void, undefined>) {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
