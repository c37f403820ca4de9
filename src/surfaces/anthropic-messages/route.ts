import { randomBytes } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import '../../http/context-variables.js';
import type { RunEvent } from '../../contract/run-events.js';
import type { RunService } from '../../contract/run-service.js';
import type { TokenCounter } from '../../core/tokens/token-counter.js';
import { documented } from '../../http/openapi-route.js';
import { serveHttpRun } from '../../http/serve-run.js';
import { type SseFrame, writeSse } from '../../http/sse.js';
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
import * as docs from './route-docs.js';
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

/** `POST /messages` and `POST /messages/count_tokens` (Claude Code adds `?beta=true`). */
export function anthropicMessagesRoutes(deps: AnthropicMessagesDeps) {
  const newId = deps.newId ?? newMessageId;
  const app = new OpenAPIHono();
  app
    .post(documented(app, docs.countTokens), validateBody(countTokensRequestSchema), (c) =>
      c.json({ input_tokens: estimateInputTokens(c.req.valid('json'), deps.countTokens) }),
    )
    .post(documented(app, docs.createMessage), validateBody(messagesRequestSchema), async (c) => {
      const request = c.req.valid('json');
      const principal = c.get('principal');
      const endUser = request.metadata?.user_id || undefined;
      const run = await serveHttpRun(c, deps.runs, {
        surface: 'anthropic-messages',
        ask: { model: request.model },
        plan: () => ({ plan: toRunPlan(request, deps.planContext) }),
        origin: { ...(principal ? { callerId: principal.id } : {}), ...(endUser ? { endUser } : {}) },
        auditBody: request,
        locateImage: (url) => locateImage(request, url),
      });
      const state = createEncoderState({ id: newId(), model: request.model });
      c.header('request-id', c.get('requestId'));
      if (!request.stream) return c.json(await complete(run.events, state));
      return writeSse(c, frames(run.events, state), {
        keepAliveMs: deps.keepAliveMs,
        keepAliveFrame: toFrame({ type: 'ping' }),
        onAbort: run.abort,
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
