import { randomBytes } from 'node:crypto';
import { Hono } from 'hono';
import '../../auth/context-variables.js';
import type { RunEvent } from '../../core/run-events.js';
import type { RunService } from '../../core/run-service.js';
import type { AppEnv } from '../../http/request-logger.js';
import { type EventFrame, writeEventStream } from '../../http/write-event-stream.js';
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

/** Anthropic's own ids look like `msg_` and 24 base62-ish characters; clients only check the prefix. */
const newMessageId = () => `msg_${randomBytes(12).toString('hex')}`;

/** `POST /v1/messages` and `POST /v1/messages/count_tokens` (Claude Code adds `?beta=true`). */
export function anthropicMessagesRoutes(deps: AnthropicMessagesDeps) {
  const newId = deps.newId ?? newMessageId;
  return new Hono<AppEnv>()
    .post('/messages/count_tokens', validateBody(countTokensRequestSchema), (c) =>
      c.json({ input_tokens: estimateInputTokens(c.req.valid('json'), deps.countTokens) }),
    )
    .post('/messages', validateBody(messagesRequestSchema), async (c) => {
      const request = c.req.valid('json');
      const plan = toRunPlan(request, deps.planContext);
      const disconnect = new AbortController();
      c.req.raw.signal.addEventListener('abort', () => disconnect.abort(), { once: true });
      const principal = c.get('principal');
      const endUser = request.metadata?.user_id ?? undefined;
      const events = deps.runs.run({
        surface: 'anthropic-messages',
        plan,
        ...(principal ? { principal } : {}),
        origin: {
          ...(principal ? { callerId: principal.id } : {}),
          ...(endUser ? { endUser } : {}),
        },
        signal: disconnect.signal,
        requestId: c.get('requestId'),
        auditBody: request,
      });
      const state = createEncoderState({ id: newId(), model: request.model });
      c.header('request-id', c.get('requestId'));

      if (!request.stream) return c.json(await complete(events, state));

      // Wait for the first event so errors before any output still get a real HTTP status.
      const first = await events.next();
      if (!first.done && first.value.type === 'error') {
        await events.return();
        throw first.value.error;
      }
      return writeEventStream(c, frames(state, first, events), {
        keepAliveMs: deps.keepAliveMs,
        keepAlive: toFrame({ type: 'ping' }),
        onAbort: () => disconnect.abort(),
      });
    });
}

async function complete(events: AsyncGenerator<RunEvent, void, undefined>, state: EncoderState) {
  const stream: StreamEvent[] = [];
  for await (const event of events) {
    if (event.type === 'error') throw event.error;
    stream.push(...encodeEvent(state, event));
  }
  if (!state.done) throw incompleteAnswer();
  return foldStream(stream);
}

async function* frames(
  state: EncoderState,
  first: IteratorResult<RunEvent, void>,
  rest: AsyncGenerator<RunEvent, void, undefined>,
): AsyncGenerator<EventFrame> {
  if (!first.done) for (const event of encodeEvent(state, first.value)) yield toFrame(event);
  for await (const event of rest) {
    for (const encoded of encodeEvent(state, event)) yield toFrame(encoded);
  }
  for (const event of encodeEnd(state)) yield toFrame(event);
}

function toFrame(event: StreamEvent): EventFrame {
  return { event: event.type, data: JSON.stringify(event) };
}
