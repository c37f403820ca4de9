import { randomBytes } from 'node:crypto';
import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import '../../../http/context-variables.js';
import type { RunEvent } from '../../../contract/run-events.js';
import type { RunService } from '../../../contract/run-service.js';
import type { RunEvents } from '../../../core/serve-run.js';
import { documented, jsonBody, jsonOrSseResponse } from '../../../http/openapi-route.js';
import { serveHttpRun } from '../../../http/serve-run.js';
import { type SseFrame, writeSse } from '../../../http/sse.js';
import { validateJson } from '../../../http/validate-json.js';
import { openAIError, openAIRunErrors } from '../openai-error-docs.js';
import {
  type CompletionFrame,
  createEncoderState,
  type EncoderState,
  encodeEnd,
  encodeEvent,
  incompleteAnswer,
} from './encode-stream.js';
import { foldChunks } from './fold.js';
import { completionRequestSchema } from './schema.js';
import { type ToPlanContext, toRunPlan } from './to-plan.js';
import type { TextCompletion } from './wire.js';

export interface CompletionsDeps {
  runs: RunService;
  planContext: ToPlanContext;
  keepAliveMs: number;
  newId?: () => string;
  now?: () => number;
}

const newCompletionId = () => `cmpl-${randomBytes(12).toString('hex')}`;

const createCompletion = createRoute({
  method: 'post',
  path: '/completions',
  summary: 'Create a legacy text completion',
  description:
    'Non-streaming: a `text_completion` object. With `stream: true`: `text/event-stream` of `text_completion` chunks ending with `data: [DONE]`. `echo`, `suffix`, `n`>1, `best_of`>1, `logprobs` and more than one prompt are 400s naming the parameter.',
  request: { body: jsonBody(completionRequestSchema.openapi('CompletionRequest')) },
  responses: {
    200: jsonOrSseResponse('The completion, or its chunks as server-sent events.'),
    400: openAIError('Invalid or unsupported parameter; `param` names it.'),
    404: openAIError('Unknown model.'),
    ...openAIRunErrors,
  },
});

/** `POST /v1/completions`, the legacy text completion API. */
export function completionsRoutes(deps: CompletionsDeps) {
  const newId = deps.newId ?? newCompletionId;
  const now = deps.now ?? Date.now;
  const app = new OpenAPIHono();
  app.post(documented(app, createCompletion), validateJson(completionRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const principal = c.get('principal');
    const endUser = request.user || undefined;
    const run = await serveHttpRun(c, deps.runs, {
      surface: 'openai-completions',
      ask: { model: request.model },
      plan: () => ({ plan: toRunPlan(request, deps.planContext) }),
      origin: { ...(principal ? { callerId: principal.id } : {}), ...(endUser ? { endUser } : {}) },
      auditBody: request,
    });
    const options = { id: newId(), created: Math.floor(now() / 1000), model: request.model };
    if (!request.stream) {
      return c.json(await complete(run.events, createEncoderState({ ...options, includeUsage: true })));
    }
    const state = createEncoderState({
      ...options,
      includeUsage: request.stream_options?.include_usage === true,
    });
    return writeSse(c, frames(state, run.events), { keepAliveMs: deps.keepAliveMs, onAbort: run.abort });
  });
  return app;
}

async function complete(events: RunEvents, state: EncoderState) {
  const chunks: TextCompletion[] = [];
  for await (const event of events) {
    if (event.type === 'error') throw event.error;
    for (const frame of encodeEvent(state, event)) if (frame.kind === 'chunk') chunks.push(frame.chunk);
  }
  if (!state.done) throw incompleteAnswer();
  return foldChunks(chunks);
}

async function* frames(state: EncoderState, events: AsyncIterable<RunEvent>): AsyncGenerator<SseFrame> {
  for await (const event of events) yield* encodeEvent(state, event).map(toFrame);
  yield* encodeEnd(state).map(toFrame);
  // openai-node ends a stream at `[DONE]`; after an in-band error there is nothing more to read.
  if (!state.failed) yield { data: '[DONE]' };
}

function toFrame(frame: CompletionFrame): SseFrame {
  return { data: JSON.stringify(frame.kind === 'chunk' ? frame.chunk : frame.body) };
}
